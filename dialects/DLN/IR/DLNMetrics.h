//===- DLNMetrics.h - Per-sample metrics from dln primitives ----*- C++ -*-===//
//
// Each metric takes batched operands (dimension 0 is the batch) and returns
// one value per sample, shape [batch], which the runtime averages over a
// split (docs/language.md 13.3). None is differentiated: they are compiled
// into eval_step only.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNMETRICS_H
#define DLNC_DIALECTS_DLN_IR_DLNMETRICS_H

#include "dialects/DLN/IR/DLNComposites.h"

namespace mlir::dln {

/// 1 where the target class is among the `k` largest scores (fewer than k
/// scores are strictly larger than the target's), else 0.
FailureOr<Value> topK(OpBuilder &builder, Location loc, Value scores,
                      Value labels, int64_t numClasses, int64_t k);

/// `log_softmax(logits)[y]`: the log-probability of the target, in nats.
FailureOr<Value> logLikelihood(OpBuilder &builder, Location loc, Value logits,
                               Value labels, int64_t numClasses);

/// `sum((reconstruction - target)^2)` over a sample's elements.
FailureOr<Value> reconstructionError(OpBuilder &builder, Location loc,
                                     Value reconstruction, Value target);

/// `10 log10(max^2 / mean((reconstruction - target)^2))`, in dB.
FailureOr<Value> psnr(OpBuilder &builder, Location loc, Value reconstruction,
                      Value target, double maxValue);

/// Intersection over union of binary masks (nonzero = in the mask):
/// `sum(p * t) / sum(max(p, t))`, 1 when both are empty.
FailureOr<Value> intersectionOverUnion(OpBuilder &builder, Location loc,
                                       Value prediction, Value target);

} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNMETRICS_H
