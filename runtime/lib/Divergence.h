//===- Divergence.h - NaN and infinity in the model's tensors ---*- C++ -*-===//
//
// A diverged run must stop before anything saves its parameters. The batch
// loss alone does not show it: a parameter can overflow to inf while the loss
// of that step, computed before the update, is still finite. These checks scan
// the params and optimizer state in place, without allocating, and name the
// first tensor that holds a non-finite value.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_DIVERGENCE_H
#define DLNRT_LIB_DIVERGENCE_H

#include "Model.h"

#include <string>

namespace dlnrt {

/// Flat index of the first NaN or infinity in `t`, or -1 when every element
/// is finite (always, for i32).
int64_t firstNonFinite(const Tensor &t);

/// What went bad after a train step that returned `loss`, or "" when the loss
/// and every param and state tensor are finite: "loss is nan",
/// "parameter 'fc1.weight' holds a non-finite value (inf at index [3, 17])",
/// "optimizer state 'fc1.weight.momentum' holds ...", or the loss followed by
/// the first bad tensor. Params are scanned before state, in manifest order.
std::string describeDivergence(const Model &model, double loss);

} // namespace dlnrt

#endif // DLNRT_LIB_DIVERGENCE_H
