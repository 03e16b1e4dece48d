//===- PerSampleOps.cpp - Operations with per-sample semantics ------------===//
#include "frontend/PerSampleOps.h"

#include "frontend/Operators.h"

#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

namespace {
RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// `value` reshaped to `shape`; `sizes` are the sizes of its `?` dimensions.
Value reshape(OpBuilder &builder, Location loc, Value value,
              ArrayRef<int64_t> shape, ValueRange sizes = {}) {
  if (tensorType(value).getShape() == shape)
    return value;
  return ReshapeOp::create(builder, loc, value, sizes, shape);
}

/// The batch size of a batched value, when it is dynamic: the size operand
/// of shapes that lead with it.
SmallVector<Value> batchSizeOf(OpBuilder &builder, Location loc,
                               const SampleValue &x) {
  if (!x.batched || !tensorType(x.value).isDynamicDim(0))
    return {};
  return {dimSize(builder, loc, x.value, 0)};
}

/// `batch * factor` for a shape: `?` when the batch is.
int64_t timesBatch(int64_t batch, int64_t factor) {
  return ShapedType::isDynamic(batch) ? batch : batch * factor;
}

/// The size operands of `batch * factor` rows.
SmallVector<Value> rowSizes(OpBuilder &builder, Location loc,
                            const SampleValue &x, int64_t factor) {
  SmallVector<Value> sizes = batchSizeOf(builder, loc, x);
  if (!sizes.empty() && factor != 1)
    sizes[0] = arith::MulIOp::create(
        builder, loc, sizes[0],
        arith::ConstantIndexOp::create(builder, loc, factor));
  return sizes;
}

} // namespace

SampleValue dlnc::reshapeSample(OpBuilder &builder, Location loc,
                                SampleValue x, ArrayRef<int64_t> sampleShape) {
  SmallVector<int64_t> shape;
  if (x.batched)
    shape.push_back(tensorType(x.value).getDimSize(0));
  llvm::append_range(shape, sampleShape);
  return {reshape(builder, loc, x.value, shape, batchSizeOf(builder, loc, x)),
          x.batched};
}

ArrayRef<int64_t> SampleValue::sampleShape() const {
  ArrayRef<int64_t> shape = tensorType(value).getShape();
  return batched ? shape.drop_front() : shape;
}

std::string dlnc::shapeString(Type elementType, ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << elementType;
  if (!shape.empty()) {
    os << "[";
    llvm::interleaveComma(shape, os, [&](int64_t d) {
      if (ShapedType::isDynamic(d))
        os << "?";
      else
        os << d;
    });
    os << "]";
  }
  return text;
}

void dlnc::alignForBroadcast(OpBuilder &builder, Location loc,
                             SampleValue &lhs, SampleValue &rhs) {
  // NumPy aligns trailing dimensions, so an unbatched operand already lines
  // up with the per-sample dimensions of a batched one as long as the
  // batched one has at least its rank per sample: only batched operands of
  // lower per-sample rank need 1s inserted after their batch dimension.
  size_t rank = std::max(lhs.sampleShape().size(), rhs.sampleShape().size());
  for (SampleValue *operand : {&lhs, &rhs}) {
    ArrayRef<int64_t> sample = operand->sampleShape();
    if (!operand->batched || sample.size() == rank)
      continue;
    SmallVector<int64_t> padded(rank - sample.size(), 1);
    llvm::append_range(padded, sample);
    *operand = reshapeSample(builder, loc, *operand, padded);
  }
}

FailureOr<SampleValue> dlnc::perSampleBinary(OpBuilder &builder,
                                             Location loc, StringRef op,
                                             SampleValue lhs,
                                             SampleValue rhs) {
  alignForBroadcast(builder, loc, lhs, rhs);
  FailureOr<Value> result =
      emitBinaryOperator(builder, loc, op, lhs.value, rhs.value);
  if (failed(result))
    return failure();
  return SampleValue{*result, lhs.batched || rhs.batched};
}

FailureOr<Value> dlnc::spreadOverBatch(OpBuilder &builder, Location loc,
                                       Value value, Value carrier) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  llvm::append_range(shape, type.getShape());
  auto dims = llvm::to_vector(llvm::seq<int64_t>(1, type.getRank() + 1));
  return createChecked<BroadcastOp>(builder, loc, value,
                                    ValueRange{dimSize(builder, loc, carrier, 0)},
                                    shape, dims);
}

FailureOr<SampleValue> dlnc::perSampleMatmul(OpBuilder &builder, Location loc,
                                             SampleValue lhs, SampleValue rhs) {
  ArrayRef<int64_t> a = lhs.sampleShape(), b = rhs.sampleShape();
  Type element = tensorType(lhs.value).getElementType();
  auto mismatch = [&]() -> FailureOr<SampleValue> {
    return emitError(loc) << "'@' needs matching inner sizes: "
                          << shapeString(element, a) << " @ "
                          << shapeString(element, b),
           failure();
  };
  if (a.empty() || b.empty() || a.size() > 2 || b.size() > 2)
    return emitError(loc) << "'@' takes per-sample vectors or matrices, got "
                          << shapeString(element, a) << " @ "
                          << shapeString(element, b),
           failure();
  int64_t inner = a.back();
  if (inner != b.front())
    return mismatch();
  int64_t batch =
      lhs.batched ? tensorType(lhs.value).getDimSize(0)
                  : (rhs.batched ? tensorType(rhs.value).getDimSize(0) : 0);
  int64_t m = a.size() == 2 ? a[0] : 1, n = b.size() == 2 ? b[1] : 1;

  // Per sample the product is [m, inner] @ [inner, n]; fold the batch into
  // the free dimension of whichever side carries it.
  auto resultShape = [&](bool batched) {
    SmallVector<int64_t> shape;
    if (batched)
      shape.push_back(batch);
    if (a.size() == 2)
      shape.push_back(m);
    if (b.size() == 2)
      shape.push_back(n);
    return shape;
  };
  if (lhs.batched && rhs.batched && a.size() == 1 && b.size() == 1) {
    // vector . vector per sample: sum(a * b), which fuses with its operands.
    Value product = MulOp::create(builder, loc, lhs.value, rhs.value);
    return SampleValue{reduceSum(builder, loc, product, {1}), true};
  }
  if (lhs.batched && rhs.batched) {
    // One product per sample: [B, m, inner] @ [B, inner, n].
    Value left = reshape(builder, loc, lhs.value, {batch, m, inner},
                         batchSizeOf(builder, loc, lhs));
    Value right = reshape(builder, loc, rhs.value, {batch, inner, n},
                          batchSizeOf(builder, loc, rhs));
    FailureOr<Value> product =
        createChecked<MatmulOp>(builder, loc, left, right, false, false);
    if (failed(product))
      return failure();
    return SampleValue{reshape(builder, loc, *product, resultShape(true),
                               batchSizeOf(builder, loc, lhs)),
                       true};
  }
  if (rhs.batched) {
    // A fixed matrix times per-sample vectors: x @ W^T over the batch.
    if (b.size() != 1)
      return emitError(loc) << "'@' of a fixed tensor and per-sample matrices "
                               "is not supported yet (got "
                            << shapeString(element, a) << " @ "
                            << shapeString(element, b) << ")",
             failure();
    Value weight = reshape(builder, loc, lhs.value, {m, inner});
    FailureOr<Value> product = createChecked<MatmulOp>(
        builder, loc, rhs.value, weight, false, true); // [B, m]
    if (failed(product))
      return failure();
    return SampleValue{reshape(builder, loc, *product, resultShape(true),
                               batchSizeOf(builder, loc, rhs)),
                       true};
  }
  // lhs maybe batched, rhs fixed: rows of all samples times one matrix.
  int64_t rows = lhs.batched ? timesBatch(batch, m) : m;
  Value flat = reshape(builder, loc, lhs.value, {rows, inner},
                       rowSizes(builder, loc, lhs, m));
  Value weight = reshape(builder, loc, rhs.value, {inner, n});
  FailureOr<Value> product =
      createChecked<MatmulOp>(builder, loc, flat, weight, false, false);
  if (failed(product))
    return failure();
  return SampleValue{reshape(builder, loc, *product, resultShape(lhs.batched),
                             batchSizeOf(builder, loc, lhs)),
                     lhs.batched};
}

FailureOr<SampleValue> dlnc::perSampleOuter(OpBuilder &builder, Location loc,
                                            SampleValue a, SampleValue b) {
  Type element = tensorType(a.value).getElementType();
  if (a.sampleShape().size() != 1 || b.sampleShape().size() != 1)
    return emitError(loc) << "outer expects two vectors, got "
                          << shapeString(element, a.sampleShape()) << " and "
                          << shapeString(element, b.sampleShape()),
           failure();
  int64_t m = a.sampleShape()[0], n = b.sampleShape()[0];
  SampleValue column = reshapeSample(builder, loc, a, {m, 1});
  SampleValue row = reshapeSample(builder, loc, b, {1, n});
  FailureOr<Value> product =
      broadcastingBinary<MulOp>(builder, loc, column.value, row.value);
  if (failed(product))
    return failure();
  return SampleValue{*product, a.batched || b.batched};
}

FailureOr<SampleValue> dlnc::perSampleTranspose(OpBuilder &builder,
                                                Location loc, SampleValue x) {
  ArrayRef<int64_t> shape = x.sampleShape();
  if (shape.size() != 2)
    return emitError(loc) << "transpose expects a matrix, got "
                          << shapeString(tensorType(x.value).getElementType(),
                                         shape),
           failure();
  SmallVector<int64_t> permutation =
      x.batched ? SmallVector<int64_t>{0, 2, 1} : SmallVector<int64_t>{1, 0};
  return SampleValue{TransposeOp::create(builder, loc, x.value,
                                         builder.getDenseI64ArrayAttr(
                                             permutation))
                         .getResult(),
                     x.batched};
}

static SmallVector<int64_t> sampleAxes(const SampleValue &x) {
  return llvm::to_vector(llvm::seq<int64_t>(x.batched ? 1 : 0,
                                            tensorType(x.value).getRank()));
}

SampleValue dlnc::perSampleFlatten(OpBuilder &builder, Location loc,
                                   SampleValue x) {
  int64_t count = 1;
  for (int64_t size : x.sampleShape())
    count *= size;
  return reshapeSample(builder, loc, x, {count});
}

SampleValue dlnc::perSampleSum(OpBuilder &builder, Location loc,
                               SampleValue x) {
  SmallVector<int64_t> axes = sampleAxes(x);
  if (axes.empty())
    return x;
  return {reduceSum(builder, loc, x.value, axes), x.batched};
}

SampleValue dlnc::perSampleMean(OpBuilder &builder, Location loc,
                                SampleValue x) {
  SmallVector<int64_t> axes = sampleAxes(x);
  if (axes.empty())
    return x;
  return {reduceMean(builder, loc, x.value, axes), x.batched};
}

Value dlnc::batchMean(OpBuilder &builder, Location loc, SampleValue x,
                      Value mask) {
  if (!x.batched)
    return x.value;
  auto type = tensorType(x.value);
  // mask as [B, 1, ...] times x, summed over the batch, over sum(mask).
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape[0] = type.getDimSize(0);
  Value weights =
      type.getRank() == 1
          ? mask
          : reshape(builder, loc, mask, shape,
                    batchSizeOf(builder, loc, {mask, true}));
  FailureOr<Value> weighted =
      broadcastingBinary<MulOp>(builder, loc, x.value, weights);
  Value sum = reduceSum(builder, loc, *weighted, {0});
  Value count = reduceSum(builder, loc, mask, {0});
  FailureOr<Value> mean = broadcastingBinary<DivOp>(builder, loc, sum, count);
  return *mean;
}
