//===- DLNComposites.h - Layers and losses built from dln primitives -*- C++
//-*-===//
//
// Composite operations are functions over the primitive ops, as tinygrad
// builds them: they need no gradient rule of their own, and autodiff sees
// only primitives. Every builder checks shapes through the ops' own shape
// rules and reports a failure at `loc` (a .dln source location), so a shape
// error never reaches the verifier.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNCOMPOSITES_H
#define DLNC_DIALECTS_DLN_IR_DLNCOMPOSITES_H

#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::dln {

/// Creates OpTy after running its shape rule with `loc`: a mismatch is a
/// located error and a failure instead of a fatal builder error.
template <typename OpTy, typename... Args>
FailureOr<Value> createChecked(OpBuilder &builder, Location loc,
                               Args &&...args) {
  OperationState state(loc, OpTy::getOperationName());
  OpTy::build(builder, state, builder.getNoneType(),
              std::forward<Args>(args)...);
  SmallVector<Type, 1> types;
  if (failed(OpTy::inferReturnTypes(
          builder.getContext(), loc, state.operands,
          state.attributes.getDictionary(builder.getContext()),
          state.getRawProperties(), state.regions, types)))
    return failure();
  state.types.assign(types.begin(), types.end());
  return builder.create(state)->getResult(0);
}

/// A constant of `like`'s type with every element `value`.
Value splatLike(OpBuilder &builder, Location loc, Type like, double value);

/// NumPy broadcasting of `value` to `shape` (trailing dimensions aligned,
/// size-1 dimensions stretched).
FailureOr<Value> broadcastTo(OpBuilder &builder, Location loc, Value value,
                             ArrayRef<int64_t> shape);

/// The NumPy-broadcast shape of two operands, or a located error.
FailureOr<SmallVector<int64_t>>
broadcastShapes(Location loc, ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs);

/// An element-wise binary op with NumPy broadcasting of its operands.
template <typename OpTy>
FailureOr<Value> broadcastingBinary(OpBuilder &builder, Location loc, Value lhs,
                                    Value rhs) {
  auto lhsShape = cast<RankedTensorType>(lhs.getType()).getShape();
  auto rhsShape = cast<RankedTensorType>(rhs.getType()).getShape();
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(loc, lhsShape, rhsShape);
  if (failed(shape))
    return failure();
  FailureOr<Value> l = broadcastTo(builder, loc, lhs, *shape);
  FailureOr<Value> r = broadcastTo(builder, loc, rhs, *shape);
  if (failed(l) || failed(r))
    return failure();
  return createChecked<OpTy>(builder, loc, *l, *r);
}

/// Broadcasts `reduced` (a value of `shape` with `axes` reduced away) back
/// to `shape`.
Value expandReduced(OpBuilder &builder, Location loc, Value reduced,
                    ArrayRef<int64_t> shape, ArrayRef<int64_t> axes);

/// `x * factor` for a rank-0 `factor`.
Value scale(OpBuilder &builder, Location loc, Value x, Value factor);

/// Sum or mean over `axes` (all axes when empty is not meant: pass them).
Value reduceSum(OpBuilder &builder, Location loc, Value x,
                ArrayRef<int64_t> axes);
Value reduceMean(OpBuilder &builder, Location loc, Value x,
                 ArrayRef<int64_t> axes);
/// Mean of all elements: a rank-0 tensor.
Value meanAll(OpBuilder &builder, Location loc, Value x);

/// `x[..., in] @ weight[in, out] (+ bias[out])`.
FailureOr<Value> dense(OpBuilder &builder, Location loc, Value x, Value weight,
                       Value bias);

/// Numerically stable softmax and log-sum-exp along the last dimension.
Value softmax(OpBuilder &builder, Location loc, Value x);
Value logSumExp(OpBuilder &builder, Location loc, Value x);
/// `x - logsumexp(x)` along the last dimension.
Value logSoftmax(OpBuilder &builder, Location loc, Value x);


} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNCOMPOSITES_H
