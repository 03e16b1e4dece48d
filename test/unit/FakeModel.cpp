//===- FakeModel.cpp - A hand-written stand-in for a compiled model -------===//
#include "FakeModel.h"

#include <atomic>
#include <cstdint>
#include <vector>

namespace fake {
namespace {

// The entry points are plain C function pointers with no user data, so the
// count is a file-level counter (test code only; the runtime itself keeps no
// globals).
std::atomic<int> violations{0};

/// View of one memref descriptor of rank R: {allocated, aligned, offset,
/// sizes[R], strides[R]}.
struct View {
  int64_t *words;
  int rank;
  void *data() const { return reinterpret_cast<void *>(words[1]); }
  int64_t size(int i) const { return words[3 + i]; }
};

View view(void *arg, int rank, std::vector<int64_t> expectSizes) {
  View v{static_cast<int64_t *>(arg), rank};
  if (v.words[0] != v.words[1] || v.words[2] != 0 || v.words[1] % 64 != 0)
    ++violations;
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (expectSizes[i] >= 0 && v.size(i) != expectSizes[i])
      ++violations;
    if (v.words[3 + rank + i] != stride)
      ++violations;
    stride *= v.size(i);
  }
  return v;
}

template <typename T> struct Args {
  T *w, *b, *x, *y;
  int64_t batch;
};

template <typename T> Args<T> commonArgs(void **args) {
  View x = view(args[2], 2, {-1, kFeatures});
  Args<T> a;
  a.batch = x.size(0);
  a.w = static_cast<T *>(view(args[0], 2, {kFeatures, 1}).data());
  a.b = static_cast<T *>(view(args[1], 1, {1}).data());
  a.x = static_cast<T *>(x.data());
  a.y = static_cast<T *>(view(args[3], 2, {a.batch, 1}).data());
  return a;
}

template <typename T> T predict(const Args<T> &a, int64_t i) {
  T p = a.b[0];
  for (int j = 0; j < kFeatures; ++j)
    p += a.w[j] * a.x[i * kFeatures + j];
  return p;
}

/// Mean loss and gradients (gw[kFeatures], gb).
template <typename T> T lossAndGrad(const Args<T> &a, T *gw, T *gb) {
  T loss = 0;
  for (int j = 0; j < kFeatures; ++j)
    gw[j] = 0;
  *gb = 0;
  for (int64_t i = 0; i < a.batch; ++i) {
    T r = predict(a, i) - a.y[i];
    loss += r * r;
    for (int j = 0; j < kFeatures; ++j)
      gw[j] += 2 * r * a.x[i * kFeatures + j] / static_cast<T>(a.batch);
    *gb += 2 * r / static_cast<T>(a.batch);
  }
  return loss / static_cast<T>(a.batch);
}

template <typename T> void trainStep(void **args) {
  Args<T> a = commonArgs<T>(args);
  T lr = *static_cast<T *>(view(args[4], 0, {}).data());
  T *loss = static_cast<T *>(view(args[5], 0, {}).data());
  T gw[kFeatures], gb;
  *loss = lossAndGrad(a, gw, &gb);
  for (int j = 0; j < kFeatures; ++j)
    a.w[j] -= lr * gw[j];
  a.b[0] -= lr * gb;
}

template <typename T> void evalStep(void **args) {
  Args<T> a = commonArgs<T>(args);
  T *losses = static_cast<T *>(view(args[4], 1, {a.batch}).data());
  T *out = static_cast<T *>(view(args[5], 2, {a.batch, 1}).data());
  for (int64_t i = 0; i < a.batch; ++i) {
    out[i] = predict(a, i);
    losses[i] = (out[i] - a.y[i]) * (out[i] - a.y[i]);
  }
}

template <typename T, bool Wrong> void lossAndGradStep(void **args) {
  Args<T> a = commonArgs<T>(args);
  T *loss = static_cast<T *>(view(args[4], 0, {}).data());
  T *gw = static_cast<T *>(view(args[5], 2, {kFeatures, 1}).data());
  T *gb = static_cast<T *>(view(args[6], 1, {1}).data());
  *loss = lossAndGrad(a, gw, gb);
  if (Wrong)
    gw[1] *= 1.5;
}

} // namespace

dlnrt_model_abi linearAbi(bool f64, const char *manifest, bool wrongGradient) {
  if (f64)
    return {manifest, trainStep<double>, evalStep<double>,
            wrongGradient ? lossAndGradStep<double, true>
                          : lossAndGradStep<double, false>};
  return {manifest, trainStep<float>, evalStep<float>,
          wrongGradient ? lossAndGradStep<float, true>
                        : lossAndGradStep<float, false>};
}

std::string linearManifest(const std::string &dtype, int batch,
                           const std::string &extraLines) {
  return "dln-manifest 1\n"
         "model linreg\n"
         "dtype " +
         dtype +
         "\n"
         "batch " +
         std::to_string(batch) +
         "\n"
         "epochs 3\n"
         "seed 5\n"
         "optimizer sgd lr=0.05\n"
         "param w 3x1 init=glorot_uniform fan_in=3 fan_out=1\n"
         "param b 1 init=zeros\n"
         "input x 3\n"
         "label y real 1\n"
         "output pred 1\n" +
         extraLines;
}

int abiViolations() { return violations.load(); }
void resetAbiViolations() { violations = 0; }

} // namespace fake
