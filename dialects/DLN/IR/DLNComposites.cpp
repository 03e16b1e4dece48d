//===- DLNComposites.cpp - Layers and functions built from dln primitives -===//
#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

SmallVector<int64_t> allAxes(int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(0, rank));
}

} // namespace

Value dln::expandReduced(OpBuilder &builder, Location loc, Value reduced,
                         ArrayRef<int64_t> shape, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> dims;
  for (int64_t d = 0, e = shape.size(); d < e; ++d)
    if (!llvm::is_contained(axes, d))
      dims.push_back(d);
  return BroadcastOp::create(builder, loc, reduced, shape, dims);
}

Value dln::splatLike(OpBuilder &builder, Location loc, Type like,
                     double value) {
  auto type = cast<RankedTensorType>(like);
  return arith::ConstantOp::create(
      builder, loc, type,
      DenseElementsAttr::get(
          type, builder.getFloatAttr(type.getElementType(), value)));
}

FailureOr<SmallVector<int64_t>> dln::broadcastShapes(Location loc,
                                                     ArrayRef<int64_t> lhs,
                                                     ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> shape(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (l != r && l != 1 && r != 1)
      return emitError(loc) << "shapes " << shapeText(lhs) << " and "
                            << shapeText(rhs) << " do not broadcast",
             failure();
    shape[rank - 1 - i] = l == 1 ? r : l;
  }
  return shape;
}

FailureOr<Value> dln::broadcastTo(OpBuilder &builder, Location loc, Value value,
                                  ArrayRef<int64_t> shape) {
  RankedTensorType type = tensorOf(value);
  if (type.getShape() == shape)
    return value;
  int64_t offset = static_cast<int64_t>(shape.size()) - type.getRank();
  if (offset < 0)
    return emitError(loc) << "cannot broadcast " << shapeText(type.getShape())
                          << " to " << shapeText(shape),
           failure();
  // Drop stretched size-1 dimensions first, then insert the new ones.
  SmallVector<int64_t> kept, dims;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t size = type.getDimSize(i), target = shape[offset + i];
    if (size == target) {
      kept.push_back(size);
      dims.push_back(offset + i);
    } else if (size != 1) {
      return emitError(loc) << "cannot broadcast " << shapeText(type.getShape())
                            << " to " << shapeText(shape),
             failure();
    }
  }
  if (kept.size() != static_cast<size_t>(type.getRank()))
    value = ReshapeOp::create(builder, loc, value, kept);
  return createChecked<BroadcastOp>(builder, loc, value, shape, dims);
}

Value dln::scale(OpBuilder &builder, Location loc, Value x, Value factor) {
  Value spread =
      BroadcastOp::create(builder, loc, factor, tensorOf(x).getShape(), {});
  return MulOp::create(builder, loc, x, spread);
}

Value dln::reduceSum(OpBuilder &builder, Location loc, Value x,
                     ArrayRef<int64_t> axes) {
  return ReduceSumOp::create(builder, loc, x, axes);
}

Value dln::reduceMean(OpBuilder &builder, Location loc, Value x,
                      ArrayRef<int64_t> axes) {
  RankedTensorType type = tensorOf(x);
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  Value sum = reduceSum(builder, loc, x, axes);
  return MulOp::create(builder, loc, sum,
                       splatLike(builder, loc, sum.getType(), 1.0 / count));
}

Value dln::meanAll(OpBuilder &builder, Location loc, Value x) {
  return reduceMean(builder, loc, x, allAxes(tensorOf(x).getRank()));
}

FailureOr<Value> dln::dense(OpBuilder &builder, Location loc, Value x,
                            Value weight, Value bias) {
  RankedTensorType xType = tensorOf(x), wType = tensorOf(weight);
  if (wType.getRank() != 2)
    return emitError(loc) << "dense weight must be a matrix, got "
                          << shapeText(wType.getShape()),
           failure();
  if (xType.getRank() < 1 || xType.getShape().back() != wType.getDimSize(0))
    return emitError(loc) << "dense layer expects " << wType.getDimSize(0)
                          << " input features but got "
                          << (xType.getRank() ? xType.getShape().back() : 1)
                          << " (input shape " << shapeText(xType.getShape())
                          << ")",
           failure();
  // Products are 2-D: fold leading dimensions into rows and back.
  SmallVector<int64_t> outShape(xType.getShape().drop_back());
  outShape.push_back(wType.getDimSize(1));
  Value rows = x;
  if (xType.getRank() != 2)
    rows = ReshapeOp::create(
        builder, loc, x,
        ArrayRef<int64_t>{xType.getNumElements() / xType.getShape().back(),
                          xType.getShape().back()});
  Value y = MatmulOp::create(builder, loc, rows, weight);
  if (bias) {
    FailureOr<Value> biased = broadcastingBinary<AddOp>(builder, loc, y, bias);
    if (failed(biased))
      return failure();
    y = *biased;
  }
  if (xType.getRank() != 2)
    y = ReshapeOp::create(builder, loc, y, outShape);
  return y;
}

/// `x - max(x)` along the last dimension; the shift only guards exp against
/// overflow and does not change the value, so it takes no gradient.
static Value shiftedByMax(OpBuilder &builder, Location loc, Value x) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> last{type.getRank() - 1};
  Value max = StopGradientOp::create(
      builder, loc, ReduceMaxOp::create(builder, loc, x, last));
  return SubOp::create(builder, loc, x,
                       expandReduced(builder, loc, max, type.getShape(), last));
}

Value dln::softmax(OpBuilder &builder, Location loc, Value x) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> last{type.getRank() - 1};
  Value e = ExpOp::create(builder, loc, shiftedByMax(builder, loc, x));
  Value sum = reduceSum(builder, loc, e, last);
  return DivOp::create(builder, loc, e,
                       expandReduced(builder, loc, sum, type.getShape(), last));
}

Value dln::logSumExp(OpBuilder &builder, Location loc, Value x) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> last{type.getRank() - 1};
  Value max = StopGradientOp::create(
      builder, loc, ReduceMaxOp::create(builder, loc, x, last));
  Value shifted = SubOp::create(
      builder, loc, x, expandReduced(builder, loc, max, type.getShape(), last));
  Value sum =
      reduceSum(builder, loc, ExpOp::create(builder, loc, shifted), last);
  return AddOp::create(builder, loc, LogOp::create(builder, loc, sum), max);
}

Value dln::logSoftmax(OpBuilder &builder, Location loc, Value x) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> last{type.getRank() - 1};
  return SubOp::create(builder, loc, x,
                       expandReduced(builder, loc, logSumExp(builder, loc, x),
                                     type.getShape(), last));
}
