//===- DLNMetrics.cpp - Per-sample metrics from dln primitives ------------===//
#include "dialects/DLN/IR/DLNMetrics.h"
#include "dialects/DLN/IR/DLNLosses.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dln;

namespace {
RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// The score of each sample's target class: sum(scores * one_hot(y)).
Value targetScore(OpBuilder &builder, Location loc, Value scores, Value labels,
                  int64_t numClasses) {
  Value oneHot =
      OneHotOp::create(builder, loc, labels, numClasses,
                       cast<FloatType>(tensorOf(scores).getElementType()));
  return reduceSum(builder, loc, MulOp::create(builder, loc, scores, oneHot),
                   {tensorOf(scores).getRank() - 1});
}
} // namespace

FailureOr<Value> dln::topK(OpBuilder &builder, Location loc, Value scores,
                           Value labels, int64_t numClasses, int64_t k) {
  if (failed(checkClassScores(loc, "top_k", "scores", scores, labels,
                              numClasses)))
    return failure();
  if (k < 1)
    return emitError(loc) << "top_k expects k >= 1, got " << k, failure();
  int64_t last = tensorOf(scores).getRank() - 1;
  Value picked = targetScore(builder, loc, scores, labels, numClasses);
  // Ties count for the target, as accuracy's do.
  Value higher = reduceSum(
      builder, loc,
      CompareOp::create(builder, loc, ComparePredicate::gt, scores,
                        expandReduced(builder, loc, picked, scores, {last})),
      {last});
  return CompareOp::create(builder, loc, ComparePredicate::lt, higher,
                           splatLike(builder, loc, higher, double(k)))
      .getResult();
}

FailureOr<Value> dln::logLikelihood(OpBuilder &builder, Location loc,
                                    Value logits, Value labels,
                                    int64_t numClasses) {
  if (failed(checkClassScores(loc, "log_likelihood", "logits", logits, labels,
                              numClasses)))
    return failure();
  return targetScore(builder, loc, logSoftmax(builder, loc, logits), labels,
                     numClasses);
}

FailureOr<Value> dln::reconstructionError(OpBuilder &builder, Location loc,
                                          Value reconstruction, Value target) {
  if (failed(checkSameShape(loc, "reconstruction_error", reconstruction,
                            target)))
    return failure();
  Value diff = SubOp::create(builder, loc, reconstruction, target);
  int64_t rank = tensorOf(diff).getRank();
  Value squares = MulOp::create(builder, loc, diff, diff);
  if (rank == 1)
    return squares;
  return reduceSum(builder, loc, squares,
                   llvm::to_vector(llvm::seq<int64_t>(1, rank)));
}

FailureOr<Value> dln::intersectionOverUnion(OpBuilder &builder, Location loc,
                                            Value prediction, Value target) {
  if (failed(checkSameShape(loc, "iou", prediction, target)))
    return failure();
  auto indicator = [&](Value x) -> Value {
    return CompareOp::create(builder, loc, ComparePredicate::ne, x,
                             splatLike(builder, loc, x, 0.0));
  };
  Value p = indicator(prediction), t = indicator(target);
  int64_t rank = tensorOf(p).getRank();
  SmallVector<int64_t> sample = llvm::to_vector(llvm::seq<int64_t>(1, rank));
  auto total = [&](Value x) {
    return rank == 1 ? x : reduceSum(builder, loc, x, sample);
  };
  Value intersection = total(MulOp::create(builder, loc, p, t));
  Value unionCount = total(MaxOp::create(builder, loc, p, t));
  Value empty = CompareOp::create(builder, loc, ComparePredicate::eq,
                                  unionCount,
                                  splatLike(builder, loc, unionCount, 0.0));
  // An empty union counts as a perfect match (and divides by 1, not 0).
  Value ratio = DivOp::create(builder, loc, intersection,
                              MaxOp::create(builder, loc, unionCount,
                                            splatLike(builder, loc,
                                                      unionCount, 1.0)));
  return SelectOp::create(builder, loc, empty,
                          splatLike(builder, loc, ratio, 1.0), ratio)
      .getResult();
}

FailureOr<Value> dln::psnr(OpBuilder &builder, Location loc,
                           Value reconstruction, Value target,
                           double maxValue) {
  if (failed(checkSameShape(loc, "psnr", reconstruction, target)))
    return failure();
  if (!(maxValue > 0))
    return emitError(loc) << "psnr expects max > 0", failure();
  Value diff = SubOp::create(builder, loc, reconstruction, target);
  Value mse =
      perSampleMean(builder, loc, MulOp::create(builder, loc, diff, diff));
  // 10 log10(max^2 / mse) = (10 / ln 10) (2 ln max - ln mse).
  Value logMse = LogOp::create(builder, loc, mse);
  Value db = SubOp::create(
      builder, loc, splatLike(builder, loc, logMse, 2 * std::log(maxValue)),
      logMse);
  return MulOp::create(builder, loc, db,
                       splatLike(builder, loc, db, 10 / std::log(10.0)))
      .getResult();
}
