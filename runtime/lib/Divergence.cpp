//===- Divergence.cpp - NaN and infinity in the model's tensors -----------===//
#include "Divergence.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace dlnrt {
namespace {

// An IEEE value is NaN or infinite iff all its exponent bits are set. Testing
// the bits of the word that holds the exponent (the high word of a double)
// makes the scan an integer OR-reduction that GCC and Clang vectorize at -O3,
// and keeps it right under -ffinite-math-only, where isfinite may fold to true.
uint32_t exponentWord(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}
uint32_t exponentWord(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return static_cast<uint32_t>(bits >> 32);
}
template <typename Float> constexpr uint32_t kExponentMask = 0;
template <> constexpr uint32_t kExponentMask<float> = 0x7f800000u;
template <> constexpr uint32_t kExponentMask<double> = 0x7ff00000u;

template <typename Float> bool isNonFinite(Float v) {
  return (exponentWord(v) & kExponentMask<Float>) == kExponentMask<Float>;
}

template <typename Float>
int64_t firstNonFiniteIn(const Float *data, int64_t n) {
  // Blocks: a branch-free pass the vectorizer likes, and an early stop.
  constexpr int64_t kBlock = 1024;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    uint32_t bad = 0;
    for (int64_t i = start; i < end; ++i)
      bad |= isNonFinite(data[i]);
    if (bad)
      for (int64_t i = start; i < end; ++i)
        if (isNonFinite(data[i]))
          return i;
  }
  return -1;
}

std::string valueName(double v) {
  if (std::isnan(v))
    return "nan";
  return v > 0 ? "inf" : "-inf";
}

/// "[3, 17]" for flat index 785 of a 784x256 tensor.
std::string formatIndex(int64_t flat, const Shape &shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  std::string out = "[";
  for (size_t d = 0; d < index.size(); ++d)
    out += (d ? ", " : "") + std::to_string(index[d]);
  return out + "]";
}

/// "parameter 'w' holds a non-finite value (nan at index [0, 1])" for the
/// first bad tensor of `tensors`, or "".
std::string describeFirstBad(const std::vector<Tensor> &tensors,
                             const std::vector<ParamSpec> &specs,
                             const char *kind) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor &t = tensors[i];
    int64_t at = firstNonFinite(t);
    if (at < 0)
      continue;
    std::string where = valueName(t.get(at));
    if (t.rank() > 0)
      where += " at index " + formatIndex(at, t.shape());
    return std::string(kind) + " '" + specs[i].name +
           "' holds a non-finite value (" + where + ")";
  }
  return "";
}

} // namespace

int64_t firstNonFinite(const Tensor &t) {
  switch (t.dtype()) {
  case DType::F32:
    return firstNonFiniteIn(t.as<float>(), t.size());
  case DType::F64:
    return firstNonFiniteIn(t.as<double>(), t.size());
  case DType::I32:
  case DType::I64:
    break;
  }
  return -1;
}

std::string describeDivergence(const Model &model, double loss) {
  const Manifest &m = model.manifest();
  std::string tensor = describeFirstBad(model.params(), m.params, "parameter");
  if (tensor.empty())
    tensor = describeFirstBad(model.state(), m.state, "optimizer state");
  if (std::isfinite(loss))
    return tensor;
  std::string lossText = "loss is " + valueName(loss);
  return tensor.empty() ? lossText : lossText + " and " + tensor;
}

} // namespace dlnrt
