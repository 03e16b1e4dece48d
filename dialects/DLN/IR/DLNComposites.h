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

/// A constant of the statically shaped `type` with every element `value`.
Value splatConstant(OpBuilder &builder, Location loc, Type type, double value);

/// A tensor of `like`'s type with every element `value`: a constant when the
/// shape is static, else a broadcast of a scalar constant to `like`'s sizes.
Value splatLike(OpBuilder &builder, Location loc, Value like, double value);

/// The size of dimension `dim` of `tensor`, as an index.
Value dimSize(OpBuilder &builder, Location loc, Value tensor, int64_t dim);

/// The size operands of a tensor of `shape`: each `?` takes the size of the
/// dimension of `sources` it lines up with (trailing dimensions aligned, as
/// in NumPy broadcasting), from the first source that has a `?` there.
SmallVector<Value> dynamicSizes(OpBuilder &builder, Location loc,
                                ArrayRef<int64_t> shape, ValueRange sources);

/// `x` reshaped to `shape`, whose `?` dimensions take their sizes from
/// `sources` as in dynamicSizes.
Value reshapeLike(OpBuilder &builder, Location loc, Value x,
                  ArrayRef<int64_t> shape, ValueRange sources);

/// `x` reshaped to `shape` with at most one `?`, whose size is inferred
/// from the element count (NumPy's -1).
Value reshapeInferred(OpBuilder &builder, Location loc, Value x,
                      ArrayRef<int64_t> shape);

/// NumPy broadcasting of `value` to `shape` (trailing dimensions aligned,
/// size-1 dimensions stretched); `?` dimensions of `shape` take their sizes
/// from `value` or `sizeSources` (dynamicSizes).
FailureOr<Value> broadcastTo(OpBuilder &builder, Location loc, Value value,
                             ArrayRef<int64_t> shape,
                             ValueRange sizeSources = {});

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
  FailureOr<Value> l = broadcastTo(builder, loc, lhs, *shape, {rhs});
  FailureOr<Value> r = broadcastTo(builder, loc, rhs, *shape, {lhs});
  if (failed(l) || failed(r))
    return failure();
  return createChecked<OpTy>(builder, loc, *l, *r);
}

/// Broadcasts `reduced` (`full` with `axes` reduced away) back to `full`'s
/// shape.
Value expandReduced(OpBuilder &builder, Location loc, Value reduced,
                    Value full, ArrayRef<int64_t> axes);

/// A rank-0 `scalar` broadcast to `like`'s shape.
Value spreadLike(OpBuilder &builder, Location loc, Value scalar, Value like);

/// `x * factor` for a rank-0 `factor`.
Value scale(OpBuilder &builder, Location loc, Value x, Value factor);

/// Sum or mean over `axes` (all axes when empty is not meant: pass them).
/// The mean of dynamic dimensions divides by their run-time size.
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
