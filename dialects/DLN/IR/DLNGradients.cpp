//===- DLNGradients.cpp - Reverse-mode rules of the dln ops ---------------===//
// Each rule maps result adjoints to operand adjoints using dln ops, so that
// the generated backward pass is itself ordinary dln IR (fusible, lowerable).
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// A rank-0 constant of the element type of `like`.
Value scalarConstant(OpBuilder &builder, Location loc, Type like,
                     double value) {
  Type elementType = cast<TensorType>(like).getElementType();
  auto type = RankedTensorType::get({}, elementType);
  return arith::ConstantOp::create(
      builder, loc, type,
      DenseElementsAttr::get(type, builder.getFloatAttr(elementType, value)));
}

Value matmul(OpBuilder &builder, Location loc, Value lhs, Value rhs,
             bool transposeLhs, bool transposeRhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t m = lhsType.getDimSize(transposeLhs ? 1 : 0);
  int64_t n = rhsType.getDimSize(transposeRhs ? 0 : 1);
  auto type = RankedTensorType::get({m, n}, lhsType.getElementType());
  return MatmulOp::create(builder, loc, type, lhs, rhs, transposeLhs,
                          transposeRhs);
}
} // namespace

SmallVector<Value> AddOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  return {resultAdjoints[0], resultAdjoints[0]};
}

SmallVector<Value> SubOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Value grad = resultAdjoints[0];
  Value minusOne = scalarConstant(builder, getLoc(), grad.getType(), -1.0);
  Value negated =
      ScaleOp::create(builder, getLoc(), grad.getType(), grad, minusOne);
  return {grad, negated};
}

SmallVector<Value> MulOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Value grad = resultAdjoints[0];
  Value dLhs = MulOp::create(builder, getLoc(), grad.getType(), grad, getRhs());
  Value dRhs = MulOp::create(builder, getLoc(), grad.getType(), grad, getLhs());
  return {dLhs, dRhs};
}

SmallVector<Value> ScaleOp::buildAdjoints(OpBuilder &builder,
                                          ValueRange resultAdjoints) {
  // The factor is a hyper-parameter (learning rate, constant): no gradient.
  Value grad = resultAdjoints[0];
  return {ScaleOp::create(builder, getLoc(), grad.getType(), grad, getFactor()),
          Value()};
}

SmallVector<Value> SigmoidOp::buildAdjoints(OpBuilder &builder,
                                            ValueRange resultAdjoints) {
  return {SigmoidGradOp::create(builder, getLoc(), getInput().getType(),
                                getResult(), resultAdjoints[0])};
}

SmallVector<Value> TanhOp::buildAdjoints(OpBuilder &builder,
                                         ValueRange resultAdjoints) {
  return {TanhGradOp::create(builder, getLoc(), getInput().getType(),
                             getResult(), resultAdjoints[0])};
}

SmallVector<Value> ReluOp::buildAdjoints(OpBuilder &builder,
                                         ValueRange resultAdjoints) {
  return {ReluGradOp::create(builder, getLoc(), getInput().getType(),
                             getInput(), resultAdjoints[0])};
}

SmallVector<Value> SoftmaxOp::buildAdjoints(OpBuilder &builder,
                                            ValueRange resultAdjoints) {
  return {SoftmaxGradOp::create(builder, getLoc(), getInput().getType(),
                                getResult(), resultAdjoints[0])};
}

SmallVector<Value> BroadcastOp::buildAdjoints(OpBuilder &builder,
                                              ValueRange resultAdjoints) {
  // d(scalar) = sum(dy) = mean(dy) * numel.
  Value grad = resultAdjoints[0];
  Value mean = MeanOp::create(builder, getLoc(), getInput().getType(), grad);
  Value count = scalarConstant(builder, getLoc(), grad.getType(),
                               getResult().getType().getNumElements());
  return {ScaleOp::create(builder, getLoc(), mean.getType(), mean, count)};
}

SmallVector<Value> DenseOp::buildAdjoints(OpBuilder &builder,
                                          ValueRange resultAdjoints) {
  Value grad = resultAdjoints[0];
  Location loc = getLoc();
  Value dInput = matmul(builder, loc, grad, getWeight(), false, true);
  Value dWeight = matmul(builder, loc, getInput(), grad, true, false);
  Value dBias = ReduceSumOp::create(builder, loc, getBias().getType(), grad,
                                    /*axis=*/0);
  return {dInput, dWeight, dBias};
}

SmallVector<Value> MatmulOp::buildAdjoints(OpBuilder &builder,
                                           ValueRange resultAdjoints) {
  Value grad = resultAdjoints[0];
  Location loc = getLoc();
  bool tl = getTransposeLhs(), tr = getTransposeRhs();
  Value a = getLhs(), b = getRhs();
  // For C = op(A) op(B): dop(A) = dC op(B)^T and dop(B) = op(A)^T dC, written
  // so that each adjoint comes out in the stored layout of its operand.
  if (!tl && !tr)
    return {matmul(builder, loc, grad, b, false, true),
            matmul(builder, loc, a, grad, true, false)};
  if (tl && !tr)
    return {matmul(builder, loc, b, grad, false, true),
            matmul(builder, loc, a, grad, false, false)};
  if (!tl && tr)
    return {matmul(builder, loc, grad, b, false, false),
            matmul(builder, loc, grad, a, true, false)};
  return {matmul(builder, loc, b, grad, true, true),
          matmul(builder, loc, grad, a, true, true)};
}

SmallVector<Value> MeanOp::buildAdjoints(OpBuilder &builder,
                                         ValueRange resultAdjoints) {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  Value spread =
      BroadcastOp::create(builder, getLoc(), inputType, resultAdjoints[0]);
  Value inverseCount = scalarConstant(builder, getLoc(), inputType,
                                      1.0 / inputType.getNumElements());
  return {ScaleOp::create(builder, getLoc(), inputType, spread, inverseCount)};
}

SmallVector<Value> MSEOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Value dPrediction =
      MSEGradOp::create(builder, getLoc(), getPrediction().getType(),
                        getPrediction(), getTarget(), resultAdjoints[0]);
  return {dPrediction, Value()};
}

SmallVector<Value> CrossEntropyOp::buildAdjoints(OpBuilder &builder,
                                                 ValueRange resultAdjoints) {
  Value dLogits =
      CrossEntropyGradOp::create(builder, getLoc(), getLogits().getType(),
                                 getLogits(), getLabels(), resultAdjoints[0]);
  return {dLogits, Value()};
}
