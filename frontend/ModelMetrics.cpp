//===- ModelMetrics.cpp - A model's `metric` statements -------------------===//
//
// Metrics are per-sample values that eval_step returns and the runtime
// averages over a split (docs 13.3): accuracy of class scores or of binary
// decisions, and any per-sample scalar expression.
//
//===----------------------------------------------------------------------===//
#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

FailureOr<Value> ModelGen::emitAccuracy(const CallExpr &call) {
  Location where = loc(call.getLoc());
  if (call.args.size() != 2 || !call.args[0].name.empty() ||
      !call.args[1].name.empty())
    return error(call.getLoc()) << "accuracy expects (prediction, target)",
           failure();
  FailureOr<SampleValue> predicted = emitExpr(*call.args[0].value);
  FailureOr<SampleValue> target = emitExpr(*call.args[1].value);
  if (failed(predicted) || failed(target))
    return failure();
  auto predictedType = cast<RankedTensorType>(predicted->value.getType());
  auto targetType = cast<RankedTensorType>(target->value.getType());
  ArrayRef<int64_t> shape = predicted->sampleShape();
  if (!predicted->batched || !target->batched || shape.size() != 1)
    return error(call.args[0].loc)
               << "accuracy expects per-sample scores of one vector, got "
               << shapeString(predictedType.getElementType(), shape),
           failure();
  int64_t columns = shape[0];
  if (targetType.getElementType().isInteger(32) && columns > 1) {
    // Class targets: correct when the target's score is the largest.
    if (columns != numClasses)
      return error(call.getLoc())
                 << "accuracy: the label has " << numClasses
                 << " classes but the scores have " << columns << " columns",
             failure();
    Value oneHot = OneHotOp::create(builder, where, target->value, numClasses,
                                    cast<FloatType>(elementType));
    Value picked = reduceSum(
        builder, where, MulOp::create(builder, where, oneHot, predicted->value),
        {1});
    Value best = ReduceMaxOp::create(builder, where, predicted->value,
                                     ArrayRef<int64_t>{1});
    return CompareOp::create(builder, where, ComparePredicate::ge, picked,
                             best)
        .getResult();
  }
  Value truth = target->value;
  if (targetType.getElementType().isInteger(32))
    return error(call.getLoc()) << "accuracy of one score against a class "
                                   "label is not supported yet; use one "
                                   "logit per class",
           failure();
  if (target->sampleShape() != shape)
    return error(call.getLoc())
               << "accuracy compares " << shapeString(elementType, shape)
               << " with " << shapeString(elementType, target->sampleShape()),
           failure();
  // Binary decisions thresholded at 0.5; the fraction of equal elements.
  Value p = CompareOp::create(
      builder, where, ComparePredicate::ge, predicted->value,
      splatLike(builder, where, predicted->value, 0.5));
  Value t = CompareOp::create(builder, where, ComparePredicate::ge, truth,
                              splatLike(builder, where, truth, 0.5));
  Value equal = CompareOp::create(builder, where, ComparePredicate::eq, p, t);
  return reduceMean(builder, where, equal, {1});
}

FailureOr<Value> ModelGen::emitMetric(const Stmt &stmt) {
  auto *call = llvm::dyn_cast<CallExpr>(stmt.value.get());
  if (call && calleeName(*call) == "accuracy")
    return emitAccuracy(*call);
  FailureOr<SampleValue> value = emitExpr(*stmt.value);
  if (failed(value))
    return failure();
  if (!value->batched || !value->sampleShape().empty())
    return error(stmt.value->getLoc())
               << "a metric must be a per-sample scalar (accuracy(z, y), "
                  "mse(p, t), mean(h)), got "
               << shapeString(elementType, value->sampleShape())
               << (value->batched ? "" : " that does not depend on the input"),
           failure();
  return value->value;
}
