//===- DLNLosses.h - Per-sample losses from dln primitives ------*- C++ -*-===//
//
// Each loss takes batched operands (dimension 0 is the batch) and returns the
// per-sample values, shape [batch], as docs/language.md section 11 defines
// them (PyTorch's formulas with reduction = mean over a sample's elements).
// Operand mismatches are located errors naming both shapes.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNLOSSES_H
#define DLNC_DIALECTS_DLN_IR_DLNLOSSES_H

#include "dialects/DLN/IR/DLNComposites.h"

namespace mlir::dln {

/// mean((prediction - target)^2).
FailureOr<Value> mse(OpBuilder &builder, Location loc, Value prediction,
                     Value target);
/// mean(|prediction - target|).
FailureOr<Value> l1Loss(OpBuilder &builder, Location loc, Value prediction,
                        Value target);
/// mean(-(t log p + (1 - t) log(1 - p))), each log clamped at -100.
FailureOr<Value> binaryCrossEntropy(OpBuilder &builder, Location loc,
                                    Value probability, Value target);
/// mean(max(z, 0) - z t + log(1 + exp(-|z|))): sigmoid and binary cross
/// entropy in one numerically stable expression.
FailureOr<Value> bceWithLogits(OpBuilder &builder, Location loc, Value logits,
                               Value target);
/// Binary hinge for targets in {-1, +1}: mean(max(0, margin - y s)).
FailureOr<Value> hinge(OpBuilder &builder, Location loc, Value scores,
                       Value target, double margin);
/// Multi-class hinge (PyTorch's MultiMarginLoss):
/// sum over j != y of max(0, margin - s[y] + s[j]), divided by C.
FailureOr<Value> multiMarginHinge(OpBuilder &builder, Location loc,
                                  Value scores, Value labels,
                                  int64_t numClasses, double margin);
/// (1 - smoothing) (logsumexp(z) - z[y]) + smoothing (logsumexp(z) - mean(z))
/// for integer class ids: PyTorch's cross_entropy with label_smoothing.
FailureOr<Value> crossEntropy(OpBuilder &builder, Location loc, Value logits,
                              Value labels, int64_t numClasses,
                              double labelSmoothing = 0);
/// The perceptron criterion for targets in {-1, +1}: mean(max(0, -y s)),
/// the hinge loss with margin 0.
FailureOr<Value> perceptronLoss(OpBuilder &builder, Location loc, Value scores,
                                Value target);
/// The per-sample mean over every dimension but the batch.
Value perSampleMean(OpBuilder &builder, Location loc, Value x);
/// Checks that losses and metrics compare operands of one shape.
LogicalResult checkSameShape(Location loc, StringRef what, Value prediction,
                             Value target);
/// Checks class scores [batch..., C] against integer labels [batch...].
LogicalResult checkClassScores(Location loc, StringRef what,
                               StringRef scoresName, Value scores,
                               Value labels, int64_t numClasses);
/// -logp[y] for log-probabilities and integer class ids.
FailureOr<Value> nll(OpBuilder &builder, Location loc, Value logProbabilities,
                     Value labels, int64_t numClasses);

} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNLOSSES_H
