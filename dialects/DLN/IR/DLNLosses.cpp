//===- DLNLosses.cpp - Per-sample losses from dln primitives --------------===//
#include "dialects/DLN/IR/DLNLosses.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

} // namespace

/// The mean over every dimension but the batch: [batch] per-sample values.
Value dln::perSampleMean(OpBuilder &builder, Location loc, Value x) {
  int64_t rank = tensorOf(x).getRank();
  if (rank == 1)
    return x;
  return reduceMean(builder, loc, x,
                    llvm::to_vector(llvm::seq<int64_t>(1, rank)));
}

/// Element-wise losses compare a prediction with a target of its shape.
LogicalResult dln::checkSameShape(Location loc, StringRef loss,
                                  Value prediction, Value target) {
  RankedTensorType type = tensorOf(prediction);
  if (type != tensorOf(target))
    return emitError(loc) << loss
                          << " expects prediction and target of one shape, "
                             "got "
                          << shapeText(type.getShape()) << " and "
                          << shapeText(tensorOf(target).getShape());
  if (type.getRank() < 1)
    return emitError(loc) << loss << " expects batched values";
  return success();
}

/// Class losses take scores [batch..., C] and integer labels [batch...].
LogicalResult dln::checkClassScores(Location loc, StringRef loss,
                                    StringRef what, Value scores, Value labels,
                                    int64_t numClasses) {
  RankedTensorType type = tensorOf(scores);
  RankedTensorType labelType = tensorOf(labels);
  if (!isa<IntegerType>(labelType.getElementType()) || numClasses == 0)
    return emitError(loc) << loss
                          << " expects class labels (declare the label as "
                             "'class[N]')";
  SmallVector<int64_t> expected(labelType.getShape());
  expected.push_back(numClasses);
  if (type.getRank() == labelType.getRank() + 1 &&
      type.getShape().drop_back() == labelType.getShape() &&
      type.getShape().back() != numClasses)
    return emitError(loc) << loss << ": the label has " << numClasses
                          << " classes but the " << what << " have "
                          << type.getShape().back() << " columns";
  if (type.getShape() != ArrayRef<int64_t>(expected))
    return emitError(loc) << loss << " expects " << what << " of shape "
                          << shapeText(expected) << " for " << numClasses
                          << " classes, got " << shapeText(type.getShape());
  return success();
}

namespace {
Value oneHotOf(OpBuilder &builder, Location loc, Value labels, Value like,
               int64_t numClasses) {
  return OneHotOp::create(builder, loc, labels, numClasses,
                          cast<FloatType>(tensorOf(like).getElementType()));
}

/// Sum over the last (class) dimension.
Value sumClasses(OpBuilder &builder, Location loc, Value x) {
  return reduceSum(builder, loc, x, {tensorOf(x).getRank() - 1});
}

Value constantLike(OpBuilder &builder, Location loc, Value like,
                   double value) {
  return splatLike(builder, loc, like, value);
}
} // namespace

FailureOr<Value> dln::mse(OpBuilder &builder, Location loc, Value prediction,
                          Value target) {
  if (failed(checkSameShape(loc, "mse", prediction, target)))
    return failure();
  Value diff = SubOp::create(builder, loc, prediction, target);
  return perSampleMean(builder, loc, MulOp::create(builder, loc, diff, diff));
}

FailureOr<Value> dln::l1Loss(OpBuilder &builder, Location loc,
                             Value prediction, Value target) {
  if (failed(checkSameShape(loc, "mae", prediction, target)))
    return failure();
  Value diff = SubOp::create(builder, loc, prediction, target);
  return perSampleMean(builder, loc, AbsOp::create(builder, loc, diff));
}

FailureOr<Value> dln::binaryCrossEntropy(OpBuilder &builder, Location loc,
                                         Value probability, Value target) {
  if (failed(checkSameShape(loc, "binary_cross_entropy", probability, target)))
    return failure();
  // PyTorch clamps each log at -100 so that p = 0 or 1 stays finite.
  auto clampedLog = [&](Value x) -> Value {
    return MaxOp::create(builder, loc, LogOp::create(builder, loc, x),
                         constantLike(builder, loc, x, -100.0));
  };
  Value one = constantLike(builder, loc, probability, 1.0);
  Value positive = MulOp::create(builder, loc, target, clampedLog(probability));
  Value negative = MulOp::create(
      builder, loc, SubOp::create(builder, loc, one, target),
      clampedLog(SubOp::create(builder, loc, one, probability)));
  Value perElement = NegOp::create(
      builder, loc, AddOp::create(builder, loc, positive, negative));
  return perSampleMean(builder, loc, perElement);
}

FailureOr<Value> dln::bceWithLogits(OpBuilder &builder, Location loc,
                                    Value logits, Value target) {
  if (failed(checkSameShape(loc, "bce_with_logits", logits, target)))
    return failure();
  Value zero = constantLike(builder, loc, logits, 0.0);
  Value one = constantLike(builder, loc, logits, 1.0);
  // log(1 + exp(-|z|)) never overflows: exp(-|z|) is at most 1.
  Value softTail = LogOp::create(
      builder, loc,
      AddOp::create(builder, loc, one,
                    ExpOp::create(builder, loc,
                                  NegOp::create(builder, loc,
                                                AbsOp::create(builder, loc,
                                                              logits)))));
  Value perElement = AddOp::create(
      builder, loc,
      SubOp::create(builder, loc, MaxOp::create(builder, loc, logits, zero),
                    MulOp::create(builder, loc, logits, target)),
      softTail);
  return perSampleMean(builder, loc, perElement);
}

FailureOr<Value> dln::hinge(OpBuilder &builder, Location loc, Value scores,
                            Value target, double margin) {
  if (failed(checkSameShape(loc, "hinge", scores, target)))
    return failure();
  Value slack =
      SubOp::create(builder, loc, constantLike(builder, loc, scores, margin),
                    MulOp::create(builder, loc, target, scores));
  return perSampleMean(
      builder, loc,
      MaxOp::create(builder, loc, slack, constantLike(builder, loc, scores, 0)));
}

FailureOr<Value> dln::perceptronLoss(OpBuilder &builder, Location loc,
                                     Value scores, Value target) {
  if (failed(checkSameShape(loc, "perceptron_loss", scores, target)))
    return failure();
  Value wrong =
      NegOp::create(builder, loc, MulOp::create(builder, loc, target, scores));
  return perSampleMean(
      builder, loc,
      MaxOp::create(builder, loc, wrong, constantLike(builder, loc, scores, 0)));
}

FailureOr<Value> dln::multiMarginHinge(OpBuilder &builder, Location loc,
                                       Value scores, Value labels,
                                       int64_t numClasses, double margin) {
  if (failed(checkClassScores(loc, "hinge", "scores", scores, labels, numClasses)))
    return failure();
  RankedTensorType type = tensorOf(scores);
  SmallVector<int64_t> last{type.getRank() - 1};
  Value oneHot = oneHotOf(builder, loc, labels, scores, numClasses);
  Value picked =
      sumClasses(builder, loc, MulOp::create(builder, loc, scores, oneHot));
  Value slack = AddOp::create(
      builder, loc,
      SubOp::create(builder, loc, constantLike(builder, loc, scores, margin),
                    expandReduced(builder, loc, picked, scores, last)),
      scores);
  Value violations =
      MaxOp::create(builder, loc, slack, constantLike(builder, loc, scores, 0));
  // The true class is no violation of itself.
  Value others = SubOp::create(
      builder, loc, constantLike(builder, loc, scores, 1.0), oneHot);
  Value total = sumClasses(builder, loc,
                           MulOp::create(builder, loc, violations, others));
  return MulOp::create(builder, loc, total,
                       constantLike(builder, loc, total, 1.0 / numClasses))
      .getResult();
}

FailureOr<Value> dln::crossEntropy(OpBuilder &builder, Location loc,
                                   Value logits, Value labels,
                                   int64_t numClasses, double labelSmoothing) {
  if (failed(
          checkClassScores(loc, "cross_entropy", "logits", logits, labels,
                           numClasses)))
    return failure();
  Value oneHot = oneHotOf(builder, loc, labels, logits, numClasses);
  Value picked =
      sumClasses(builder, loc, MulOp::create(builder, loc, logits, oneHot));
  Value lse = logSumExp(builder, loc, logits);
  Value loss = SubOp::create(builder, loc, lse, picked);
  if (labelSmoothing == 0)
    return loss;
  // Mixing the target with the uniform distribution adds the mean of
  // -log_softmax over all classes.
  Value meanLogit =
      MulOp::create(builder, loc, sumClasses(builder, loc, logits),
                    constantLike(builder, loc, lse, 1.0 / numClasses));
  Value uniform = SubOp::create(builder, loc, lse, meanLogit);
  return AddOp::create(
             builder, loc,
             MulOp::create(builder, loc, loss,
                           constantLike(builder, loc, loss,
                                        1.0 - labelSmoothing)),
             MulOp::create(builder, loc, uniform,
                           constantLike(builder, loc, uniform, labelSmoothing)))
      .getResult();
}

FailureOr<Value> dln::nll(OpBuilder &builder, Location loc,
                          Value logProbabilities, Value labels,
                          int64_t numClasses) {
  if (failed(
          checkClassScores(loc, "nll", "log-probabilities", logProbabilities,
                           labels, numClasses)))
    return failure();
  Value oneHot = oneHotOf(builder, loc, labels, logProbabilities, numClasses);
  return NegOp::create(builder, loc,
                       sumClasses(builder, loc,
                                  MulOp::create(builder, loc, logProbabilities,
                                                oneHot)))
      .getResult();
}
