//===- GradCheck.cpp - Numerical check of compiled gradients --------------===//
#include "GradCheck.h"

#include "Evaluate.h"
#include "Init.h"
#include "Rng.h"

#include <algorithm>
#include <cmath>

namespace dlnrt {

/// Up to k distinct indices of [0, n) in increasing order. k is small (tens),
/// so rejection of repeats beats materializing a permutation of a
/// million-element weight.
static std::vector<int64_t> pickCoords(int64_t n, int64_t k, Rng &rng) {
  std::vector<int64_t> picked;
  if (n <= k) {
    for (int64_t i = 0; i < n; ++i)
      picked.push_back(i);
    return picked;
  }
  while (static_cast<int64_t>(picked.size()) < k) {
    int64_t i = static_cast<int64_t>(rng.below(static_cast<uint64_t>(n)));
    if (std::find(picked.begin(), picked.end(), i) == picked.end())
      picked.push_back(i);
  }
  std::sort(picked.begin(), picked.end());
  return picked;
}

GradCheckResult gradCheck(Model &model, const GradCheckOptions &options) {
  const Manifest &m = model.manifest();
  const bool f64 = m.dtype == DType::F64;
  GradCheckResult result;
  // Central differences err by O(eps^2) truncation plus O(ulp/eps) rounding;
  // these steps balance the two for f64 and f32 losses of order one.
  result.eps = options.eps > 0 ? options.eps : (f64 ? 1e-4 : 1e-2);
  result.tol = options.tol > 0 ? options.tol : (f64 ? 1e-6 : 1e-3);

  initParams(model.params(), m.params, options.seed);
  initState(model.state(), m.state, options.seed);
  Rng dataRng(options.seed, kStreamGradCheckData);
  Tensor x = model.makeBatchX(), y = model.makeBatchY();
  for (int64_t i = 0; i < x.size(); ++i)
    x.set(i, dataRng.uniform(-1, 1));
  for (int64_t i = 0; i < y.size(); ++i)
    y.set(i, m.label().kind == LabelKind::Class
                 ? static_cast<double>(
                       dataRng.below(static_cast<uint64_t>(m.label().numClasses)))
                 : dataRng.uniform());

  std::vector<Tensor> grads = model.makeGradBuffers();
  model.lossAndGrad(x, y, grads);
  // The objective differentiated. Without weight penalties it is the mean
  // of eval_step's per-sample losses, summed here in double (an f32 model's
  // in-graph mean would add its rounding to the differences); with them,
  // loss_and_grad's own value, which includes them.
  std::vector<Tensor> scratch = model.makeGradBuffers();
  // A model with dropout or noise, or batch norm: loss_and_grad's value
  // too, drawn with the same key every call, on batch statistics (eval_step
  // would not draw, and would normalize with the running statistics).
  const bool ownValue = m.regularized ||
                        model.takesRole("loss_and_grad", ArgRole::Rng) ||
                        model.takesRole("loss_and_grad", ArgRole::State);
  auto objective = [&] {
    return ownValue ? model.lossAndGrad(x, y, scratch)
                    : meanBatchLoss(model, x, y);
  };

  Rng coordRng(options.seed, kStreamGradCheckCoords);
  for (size_t p = 0; p < model.params().size(); ++p) {
    Tensor &param = model.params()[p];
    ParamCheck check;
    check.name = m.params[p].name;
    for (int64_t i : pickCoords(param.size(), options.samples, coordRng)) {
      const double original = param.get(i);
      // Read back the perturbed values: in f32, original +/- eps rounds, and
      // dividing by the step actually taken removes that rounding from the
      // estimate.
      param.set(i, original + result.eps);
      const double plus = param.get(i);
      const double lossPlus = objective();
      param.set(i, original - result.eps);
      const double minus = param.get(i);
      const double lossMinus = objective();
      param.set(i, original);
      const double numeric = (lossPlus - lossMinus) / (plus - minus);
      const double analytic = grads[p].get(i);
      const double denom =
          std::max({std::fabs(analytic), std::fabs(numeric), 1e-8});
      double rel = std::fabs(analytic - numeric) / denom;
      // A NaN gradient must fail, and NaN would compare false against tol.
      if (std::isnan(rel))
        rel = INFINITY;
      check.maxRelErr = std::max(check.maxRelErr, rel);
      ++check.coords;
    }
    result.maxRelErr = std::max(result.maxRelErr, check.maxRelErr);
    result.params.push_back(check);
  }
  result.pass = result.maxRelErr <= result.tol;
  return result;
}

} // namespace dlnrt
