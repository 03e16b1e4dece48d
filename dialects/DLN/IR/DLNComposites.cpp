//===- DLNComposites.cpp - Layers and functions built from dln primitives -===//
#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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
                         Value full, ArrayRef<int64_t> axes) {
  ArrayRef<int64_t> shape = tensorOf(full).getShape();
  SmallVector<int64_t> dims;
  for (int64_t d = 0, e = shape.size(); d < e; ++d)
    if (!llvm::is_contained(axes, d))
      dims.push_back(d);
  return BroadcastOp::create(builder, loc, reduced,
                             dynamicSizes(builder, loc, shape, {full}), shape,
                             dims);
}

Value dln::splatConstant(OpBuilder &builder, Location loc, Type type,
                         double value) {
  auto tensor = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      builder, loc, tensor,
      DenseElementsAttr::get(
          tensor, builder.getFloatAttr(tensor.getElementType(), value)));
}

Value dln::splatLike(OpBuilder &builder, Location loc, Value like,
                     double value) {
  RankedTensorType type = tensorOf(like);
  if (type.hasStaticShape())
    return splatConstant(builder, loc, type, value);
  Value scalar = splatConstant(
      builder, loc, RankedTensorType::get({}, type.getElementType()), value);
  return BroadcastOp::create(builder, loc, scalar,
                             dynamicSizes(builder, loc, type.getShape(), like),
                             type.getShape(), ArrayRef<int64_t>{});
}

Value dln::dimSize(OpBuilder &builder, Location loc, Value tensor,
                   int64_t dim) {
  return tensor::DimOp::create(builder, loc, tensor, dim);
}

SmallVector<Value> dln::dynamicSizes(OpBuilder &builder, Location loc,
                                     ArrayRef<int64_t> shape,
                                     ValueRange sources) {
  SmallVector<Value> sizes;
  int64_t rank = shape.size();
  for (int64_t d = 0; d < rank; ++d) {
    if (!ShapedType::isDynamic(shape[d]))
      continue;
    Value size;
    for (Value source : sources) {
      ArrayRef<int64_t> other = tensorOf(source).getShape();
      int64_t aligned = d - (rank - static_cast<int64_t>(other.size()));
      if (aligned >= 0 && ShapedType::isDynamic(other[aligned])) {
        size = dimSize(builder, loc, source, aligned);
        break;
      }
    }
    assert(size && "a dynamic dimension without a source of its size");
    sizes.push_back(size);
  }
  return sizes;
}

Value dln::reshapeLike(OpBuilder &builder, Location loc, Value x,
                       ArrayRef<int64_t> shape, ValueRange sources) {
  if (tensorOf(x).getShape() == shape)
    return x;
  return ReshapeOp::create(builder, loc, x,
                           dynamicSizes(builder, loc, shape, sources), shape);
}

Value dln::reshapeInferred(OpBuilder &builder, Location loc, Value x,
                           ArrayRef<int64_t> shape) {
  RankedTensorType type = tensorOf(x);
  if (type.getShape() == shape)
    return x;
  if (type.hasStaticShape())
    return ReshapeOp::create(builder, loc, x, shape);
  // size = (product of x's sizes) / (product of shape's static sizes).
  int64_t known = 1;
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d))
      known *= d;
  int64_t staticElements = 1;
  Value elements;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!ShapedType::isDynamic(type.getDimSize(d))) {
      staticElements *= type.getDimSize(d);
      continue;
    }
    Value size = dimSize(builder, loc, x, d);
    elements = elements ? arith::MulIOp::create(builder, loc, elements, size)
                              .getResult()
                        : size;
  }
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(builder, loc, v);
  };
  Value size = elements;
  if (staticElements % known == 0) {
    if (staticElements / known != 1)
      size = arith::MulIOp::create(builder, loc, size,
                                   index(staticElements / known));
  } else {
    size = arith::DivUIOp::create(
        builder, loc,
        arith::MulIOp::create(builder, loc, size, index(staticElements)),
        index(known));
  }
  return ReshapeOp::create(builder, loc, x, ValueRange{size}, shape);
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
                                  ArrayRef<int64_t> shape,
                                  ValueRange sizeSources) {
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
  SmallVector<Value> keptSizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t size = type.getDimSize(i), target = shape[offset + i];
    if (size == target) {
      kept.push_back(size);
      dims.push_back(offset + i);
      if (ShapedType::isDynamic(size))
        keptSizes.push_back(dimSize(builder, loc, value, i));
    } else if (size != 1) {
      return emitError(loc) << "cannot broadcast " << shapeText(type.getShape())
                            << " to " << shapeText(shape),
             failure();
    }
  }
  SmallVector<Value> sources{value};
  llvm::append_range(sources, sizeSources);
  SmallVector<Value> sizes = dynamicSizes(builder, loc, shape, sources);
  if (kept.size() != static_cast<size_t>(type.getRank()))
    value = ReshapeOp::create(builder, loc, value, keptSizes, kept);
  return createChecked<BroadcastOp>(builder, loc, value, sizes, shape, dims);
}

Value dln::spreadLike(OpBuilder &builder, Location loc, Value scalar,
                      Value like) {
  ArrayRef<int64_t> shape = tensorOf(like).getShape();
  return BroadcastOp::create(builder, loc, scalar,
                             dynamicSizes(builder, loc, shape, like), shape,
                             ArrayRef<int64_t>{});
}

Value dln::scale(OpBuilder &builder, Location loc, Value x, Value factor) {
  return MulOp::create(builder, loc, x, spreadLike(builder, loc, factor, x));
}

Value dln::reduceSum(OpBuilder &builder, Location loc, Value x,
                     ArrayRef<int64_t> axes) {
  return ReduceSumOp::create(builder, loc, x, axes);
}

Value dln::reduceMean(OpBuilder &builder, Location loc, Value x,
                      ArrayRef<int64_t> axes) {
  RankedTensorType type = tensorOf(x);
  int64_t count = 1;
  Value dynamicCount;
  for (int64_t axis : axes) {
    if (!type.isDynamicDim(axis)) {
      count *= type.getDimSize(axis);
      continue;
    }
    Value size = dimSize(builder, loc, x, axis);
    dynamicCount = dynamicCount
                       ? arith::MulIOp::create(builder, loc, dynamicCount, size)
                             .getResult()
                       : size;
  }
  Value sum = reduceSum(builder, loc, x, axes);
  if (!dynamicCount)
    return count == 1 ? sum
                      : MulOp::create(builder, loc, sum,
                                      splatLike(builder, loc, sum, 1.0 / count))
                            .getResult();
  // Divide by the run-time count of the dynamic axes, then the static rest.
  Type element = type.getElementType();
  Value asFloat = arith::SIToFPOp::create(
      builder, loc, element,
      arith::IndexCastOp::create(builder, loc, builder.getI64Type(),
                                 dynamicCount));
  Value countTensor = tensor::FromElementsOp::create(
      builder, loc, RankedTensorType::get({}, element), asFloat);
  Value mean = DivOp::create(builder, loc, sum,
                             spreadLike(builder, loc, countTensor, sum));
  if (count == 1)
    return mean;
  return MulOp::create(builder, loc, mean,
                       splatLike(builder, loc, mean, 1.0 / count));
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
    rows = reshapeInferred(
        builder, loc, x,
        {xType.hasStaticShape()
             ? xType.getNumElements() / xType.getShape().back()
             : ShapedType::kDynamic,
         xType.getShape().back()});
  Value y = MatmulOp::create(builder, loc, rows, weight);
  if (bias) {
    FailureOr<Value> biased = broadcastingBinary<AddOp>(builder, loc, y, bias);
    if (failed(biased))
      return failure();
    y = *biased;
  }
  if (xType.getRank() != 2)
    y = reshapeLike(builder, loc, y, outShape, {x});
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
                       expandReduced(builder, loc, max, x, last));
}

Value dln::softmax(OpBuilder &builder, Location loc, Value x) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> last{type.getRank() - 1};
  Value e = ExpOp::create(builder, loc, shiftedByMax(builder, loc, x));
  Value sum = reduceSum(builder, loc, e, last);
  return DivOp::create(builder, loc, e,
                       expandReduced(builder, loc, sum, x, last));
}

Value dln::logSumExp(OpBuilder &builder, Location loc, Value x) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> last{type.getRank() - 1};
  Value max = StopGradientOp::create(
      builder, loc, ReduceMaxOp::create(builder, loc, x, last));
  Value shifted =
      SubOp::create(builder, loc, x, expandReduced(builder, loc, max, x, last));
  Value sum =
      reduceSum(builder, loc, ExpOp::create(builder, loc, shifted), last);
  return AddOp::create(builder, loc, LogOp::create(builder, loc, sum), max);
}

/// (x - max) - log(sum(exp(x - max))), as PyTorch: subtracting max + log(sum)
/// from x instead would round the sum to the precision of max (at 1e4 in
/// f32, 1e-3) and lose the small log term.
Value dln::logSoftmax(OpBuilder &builder, Location loc, Value x) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> last{type.getRank() - 1};
  Value shifted = shiftedByMax(builder, loc, x);
  Value sum =
      reduceSum(builder, loc, ExpOp::create(builder, loc, shifted), last);
  return SubOp::create(
      builder, loc, shifted,
      expandReduced(builder, loc, LogOp::create(builder, loc, sum), x, last));
}
