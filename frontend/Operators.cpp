//===- Operators.cpp - The operators of model expressions -----------------===//
#include "frontend/Operators.h"

#include "dialects/DLN/IR/DLNComposites.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// 1 where `x` is nonzero, else 0 (the truth value of a logical operand).
Value truthOf(OpBuilder &builder, Location loc, Value x) {
  return CompareOp::create(builder, loc, ComparePredicate::ne, x,
                           splatLike(builder, loc, x, 0.0));
}

FailureOr<Value> compare(OpBuilder &builder, Location loc,
                         ComparePredicate predicate, Value lhs, Value rhs) {
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(loc, cast<RankedTensorType>(lhs.getType()).getShape(),
                      cast<RankedTensorType>(rhs.getType()).getShape());
  if (failed(shape))
    return failure();
  FailureOr<Value> a = broadcastTo(builder, loc, lhs, *shape, {rhs});
  FailureOr<Value> b = broadcastTo(builder, loc, rhs, *shape, {lhs});
  if (failed(a) || failed(b))
    return failure();
  return createChecked<CompareOp>(builder, loc, predicate, *a, *b);
}
} // namespace

FailureOr<Value> dlnc::emitBinaryOperator(OpBuilder &builder, Location loc,
                                          StringRef op, Value lhs, Value rhs) {
  if (op == "+")
    return broadcastingBinary<AddOp>(builder, loc, lhs, rhs);
  if (op == "-")
    return broadcastingBinary<SubOp>(builder, loc, lhs, rhs);
  if (op == "*")
    return broadcastingBinary<MulOp>(builder, loc, lhs, rhs);
  if (op == "/")
    return broadcastingBinary<DivOp>(builder, loc, lhs, rhs);
  if (op == "@")
    return createChecked<MatmulOp>(builder, loc, lhs, rhs, false, false);
  std::optional<ComparePredicate> predicate =
      llvm::StringSwitch<std::optional<ComparePredicate>>(op)
          .Case("<", ComparePredicate::lt)
          .Case("<=", ComparePredicate::le)
          .Case(">", ComparePredicate::gt)
          .Case(">=", ComparePredicate::ge)
          .Case("==", ComparePredicate::eq)
          .Case("!=", ComparePredicate::ne)
          .Default(std::nullopt);
  if (predicate)
    return compare(builder, loc, *predicate, lhs, rhs);
  // On 0/1 truth values: `and` is their product, `or` their maximum.
  if (op == "and")
    return broadcastingBinary<MulOp>(builder, loc, truthOf(builder, loc, lhs),
                                     truthOf(builder, loc, rhs));
  if (op == "or")
    return broadcastingBinary<MaxOp>(builder, loc, truthOf(builder, loc, lhs),
                                     truthOf(builder, loc, rhs));
  return emitError(loc) << "operator '" << op
                        << "' is not supported on tensors",
         failure();
}

FailureOr<Value> dlnc::emitUnaryOperator(OpBuilder &builder, Location loc,
                                         StringRef op, Value operand) {
  if (op == "-")
    return NegOp::create(builder, loc, operand).getResult();
  if (op == "not")
    return CompareOp::create(builder, loc, ComparePredicate::eq, operand,
                             splatLike(builder, loc, operand, 0.0))
        .getResult();
  return emitError(loc) << "operator '" << op
                        << "' is not supported on tensors",
         failure();
}
