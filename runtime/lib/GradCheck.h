//===- GradCheck.h - Numerical check of compiled gradients ------*- C++ -*-===//
//
// Compares loss_and_grad's analytic gradients with central differences of
// the mean per-sample loss from eval_step, on one random batch. This is the
// end-to-end test of the compiler's autodiff, so it runs through the same entry
// points a user's model does.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_GRADCHECK_H
#define DLNRT_LIB_GRADCHECK_H

#include "Model.h"

#include <string>
#include <vector>

namespace dlnrt {

struct GradCheckOptions {
  uint64_t seed = 0;
  double eps = 0;       // <= 0: 1e-6 for f64, 1e-2 for f32
  double tol = 0;       // <= 0: 1e-6 for f64, 1e-3 for f32
  int64_t samples = 20; // coordinates per param
};

struct ParamCheck {
  std::string name;
  double maxRelErr = 0;
  int64_t coords = 0;
};

struct GradCheckResult {
  std::vector<ParamCheck> params;
  double maxRelErr = 0;
  double tol = 0;
  double eps = 0;
  bool pass = false;
};

/// Initializes params from `seed`, draws a batch (x ~ U(-1,1); class labels
/// uniform in [0, C); real labels ~ U(0,1)) and checks up to `samples` random
/// coordinates of every param.
GradCheckResult gradCheck(Model &model, const GradCheckOptions &options);

} // namespace dlnrt

#endif // DLNRT_LIB_GRADCHECK_H
