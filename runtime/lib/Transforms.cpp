//===- Transforms.cpp - data.transforms on the feature matrices -----------===//
#include "Transforms.h"

#include "Error.h"

#include <cmath>

namespace dlnrt {

bool transformsNeedTrain(const std::vector<TransformSpec> &transforms) {
  for (const TransformSpec &t : transforms)
    if (t.kind == TransformSpec::Kind::Standardize)
      return true;
  return false;
}

namespace {

/// Per-feature (column) mean and population standard deviation of x.
void fitStandardize(const Tensor &x, std::vector<double> &mean,
                    std::vector<double> &std) {
  const int64_t n = x.shape()[0], width = x.shape()[1];
  mean.assign(width, 0.0);
  std.assign(width, 0.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < width; ++c)
      mean[c] += x.get(r * width + c);
  for (double &m : mean)
    m /= static_cast<double>(n);
  // Two passes: sum of squares about the mean, not E[x^2] - E[x]^2, which
  // cancels catastrophically for features far from zero.
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < width; ++c) {
      double d = x.get(r * width + c) - mean[c];
      std[c] += d * d;
    }
  for (double &s : std)
    s = std::sqrt(s / static_cast<double>(n));
}

/// x[r, c] = f(x[r, c], c) in double, stored back in x's dtype.
template <typename F> void mapFeatures(Tensor &x, F f) {
  const int64_t width = x.shape().size() > 1 ? x.shape()[1] : 1;
  for (int64_t i = 0; i < x.size(); ++i)
    x.set(i, f(x.get(i), i % width));
}

} // namespace

void applyTransforms(const std::vector<TransformSpec> &transforms,
                     Dataset *train, Dataset *test) {
  for (const TransformSpec &t : transforms) {
    std::vector<double> mean, std;
    if (t.kind == TransformSpec::Kind::Standardize) {
      if (!train || train->count == 0)
        fail(DLNRT_INVALID_ARGUMENT,
             "data.transforms: standardize needs the training split");
      fitStandardize(train->x, mean, std);
    }
    for (Dataset *split : {train, test}) {
      if (!split)
        continue;
      switch (t.kind) {
      case TransformSpec::Kind::Standardize:
        mapFeatures(split->x, [&](double v, int64_t c) {
          return std[c] > 0 ? (v - mean[c]) / std[c] : v - mean[c];
        });
        break;
      case TransformSpec::Kind::Scale:
        mapFeatures(split->x, [&](double v, int64_t) { return v * t.factor; });
        break;
      case TransformSpec::Kind::Normalize:
        mapFeatures(split->x,
                    [&](double v, int64_t) { return (v - t.mean) / t.std; });
        break;
      case TransformSpec::Kind::Binarize:
        mapFeatures(split->x, [&](double v, int64_t) {
          return v > t.threshold ? 1.0 : 0.0;
        });
        break;
      }
    }
  }
}

} // namespace dlnrt
