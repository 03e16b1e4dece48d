//===- DLNShapeInference.cpp - Result shapes of the dln ops ---------------===//
// Each op refines its (possibly unranked) result type from ranked operands.
// Mismatches are reported on the op, whose location points into the .dln.
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
RankedTensorType rankedOrNull(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

void setResultType(Value result, ArrayRef<int64_t> shape, Type elementType) {
  result.setType(RankedTensorType::get(shape, elementType));
}

/// Element-wise ops take the shape of their first ranked operand.
LogicalResult inferSameAsOperands(Operation *op) {
  RankedTensorType type;
  for (Value operand : op->getOperands()) {
    auto candidate = rankedOrNull(operand);
    if (!candidate || candidate.getRank() == 0)
      continue;
    if (type && type.getShape() != candidate.getShape())
      return op->emitError()
             << "shape mismatch: " << type << " vs " << candidate;
    type = candidate;
  }
  if (!type)
    return op->emitError() << "cannot infer the shape: operands are unranked";
  op->getResult(0).setType(type);
  return success();
}
} // namespace

LogicalResult AddOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult SubOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult MulOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult ScaleOp::inferShapes() {
  getResult().setType(getInput().getType());
  return success();
}
LogicalResult SigmoidOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult TanhOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult ReluOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult SoftmaxOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult SigmoidGradOp::inferShapes() {
  return inferSameAsOperands(*this);
}
LogicalResult TanhGradOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult ReluGradOp::inferShapes() { return inferSameAsOperands(*this); }
LogicalResult SoftmaxGradOp::inferShapes() {
  return inferSameAsOperands(*this);
}

LogicalResult DenseOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  auto weight = rankedOrNull(getWeight());
  if (!input || !weight)
    return emitError() << "cannot infer the shape: operands are unranked";
  if (input.getRank() != 2)
    return emitError() << "dense layer expects an input of shape [batch, "
                       << weight.getDimSize(0) << "] but got " << input;
  if (input.getDimSize(1) != weight.getDimSize(0))
    return emitError() << "dense layer expects " << weight.getDimSize(0)
                       << " input features but got " << input.getDimSize(1);
  setResultType(getResult(), {input.getDimSize(0), weight.getDimSize(1)},
                input.getElementType());
  return success();
}

LogicalResult MatmulOp::inferShapes() {
  auto lhs = rankedOrNull(getLhs());
  auto rhs = rankedOrNull(getRhs());
  if (!lhs || !rhs || lhs.getRank() != 2 || rhs.getRank() != 2)
    return emitError() << "matmul expects two ranked matrices";
  int64_t m = lhs.getDimSize(getTransposeLhs() ? 1 : 0);
  int64_t lhsK = lhs.getDimSize(getTransposeLhs() ? 0 : 1);
  int64_t rhsK = rhs.getDimSize(getTransposeRhs() ? 1 : 0);
  int64_t n = rhs.getDimSize(getTransposeRhs() ? 0 : 1);
  if (lhsK != rhsK)
    return emitError() << "matmul contraction sizes differ: " << lhsK << " vs "
                       << rhsK;
  setResultType(getResult(), {m, n}, lhs.getElementType());
  return success();
}

LogicalResult ReduceSumOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return emitError() << "cannot infer the shape: input is unranked";
  SmallVector<int64_t> shape(input.getShape());
  shape.erase(shape.begin() + getAxis());
  setResultType(getResult(), shape, input.getElementType());
  return success();
}

LogicalResult MeanOp::inferShapes() {
  setResultType(getResult(), {},
                cast<TensorType>(getInput().getType()).getElementType());
  return success();
}

LogicalResult MSEOp::inferShapes() {
  auto prediction = rankedOrNull(getPrediction());
  auto target = rankedOrNull(getTarget());
  if (!prediction || !target)
    return emitError() << "cannot infer the shape: operands are unranked";
  if (prediction.getShape() != target.getShape())
    return emitError() << "mse: prediction has shape " << prediction
                       << " but the target has shape " << target;
  if (prediction.getRank() != 2)
    return emitError() << "mse expects [batch, features] operands";
  setResultType(getResult(), {prediction.getDimSize(0)},
                prediction.getElementType());
  return success();
}

LogicalResult CrossEntropyOp::inferShapes() {
  auto logits = rankedOrNull(getLogits());
  if (!logits || logits.getRank() != 2)
    return emitError() << "cross_entropy expects logits of shape "
                          "[batch, classes]";
  if (std::optional<int64_t> classes = getNumClasses();
      classes && *classes != logits.getDimSize(1))
    return emitError() << "cross_entropy: the label has " << *classes
                       << " classes but the logits have "
                       << logits.getDimSize(1) << " columns";
  setResultType(getResult(), {logits.getDimSize(0)}, logits.getElementType());
  return success();
}
