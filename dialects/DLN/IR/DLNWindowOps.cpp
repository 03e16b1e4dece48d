//===- DLNWindowOps.cpp - Shape rules of pad, slice, patches, unpatches ---===//
// The ops convolutions and pooling are built from: padding (also between
// elements), strided slices, and sliding windows (im2col) with their adjoint.
// A dynamic dimension is the batch: never padded, sliced whole, carried
// through windows.
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
LogicalResult fail(std::optional<Location> loc, const Twine &message) {
  return emitOptionalError(loc, message);
}

RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// One entry per dimension of `what`.
LogicalResult checkRank(std::optional<Location> loc, StringRef op,
                        StringRef what, ArrayRef<int64_t> values,
                        int64_t rank) {
  if (static_cast<int64_t>(values.size()) != rank)
    return fail(loc, op + " needs one " + what + " per dimension: " +
                         Twine(rank) + ", got " + shapeText(values));
  return success();
}

/// The spatial output size of a window: (S - d * (K - 1) - 1) / s + 1, or
/// 0 when the dilated window does not fit.
int64_t windowCount(int64_t size, int64_t window, int64_t stride,
                    int64_t dilation) {
  int64_t span = dilation * (window - 1) + 1;
  return size < span ? 0 : (size - span) / stride + 1;
}

/// Windows, strides and dilations: one per spatial dimension, positive.
LogicalResult checkWindows(std::optional<Location> loc, StringRef op,
                           ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations) {
  if (window.empty())
    return fail(loc, op + " needs at least one spatial dimension");
  if (failed(checkRank(loc, op, "stride", strides, window.size())) ||
      failed(checkRank(loc, op, "dilation", dilations, window.size())))
    return failure();
  for (ArrayRef<int64_t> list : {window, strides, dilations})
    if (llvm::any_of(list, [](int64_t v) { return v < 1; }))
      return fail(loc, op + " windows, strides and dilations must be "
                            "positive, got " +
                            shapeText(window) + ", " + shapeText(strides) +
                            ", " + shapeText(dilations));
  return success();
}
} // namespace

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh(),
                    interior = adaptor.getInterior();
  int64_t rank = input.getRank();
  if (failed(checkRank(loc, "pad", "low size", low, rank)) ||
      failed(checkRank(loc, "pad", "high size", high, rank)) ||
      failed(checkRank(loc, "pad", "interior size", interior, rank)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (low[d] < 0 || high[d] < 0 || interior[d] < 0)
      return fail(loc, "pad sizes must not be negative: low " +
                           shapeText(low) + ", high " + shapeText(high) +
                           ", interior " + shapeText(interior));
    int64_t size = input.getDimSize(d);
    if (ShapedType::isDynamic(size)) {
      if (low[d] || high[d] || interior[d])
        return fail(loc, "pad cannot pad dynamic dimension " + Twine(d));
      shape.push_back(size);
      continue;
    }
    shape.push_back(low[d] + size + (size - 1) * interior[d] + high[d]);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes(),
                    strides = adaptor.getStrides();
  int64_t rank = input.getRank();
  if (failed(checkRank(loc, "slice", "offset", offsets, rank)) ||
      failed(checkRank(loc, "slice", "size", sizes, rank)) ||
      failed(checkRank(loc, "slice", "stride", strides, rank)))
    return failure();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = input.getDimSize(d);
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(sizes[d])) {
      if (!ShapedType::isDynamic(size) || !ShapedType::isDynamic(sizes[d]) ||
          offsets[d] != 0 || strides[d] != 1)
        return fail(loc, "slice takes dynamic dimension " + Twine(d) +
                             " whole (offset 0, size ?, stride 1)");
      continue;
    }
    if (offsets[d] < 0 || sizes[d] < 1 || strides[d] < 1 ||
        offsets[d] + (sizes[d] - 1) * strides[d] >= size)
      return fail(loc, "slice offsets " + shapeText(offsets) + ", sizes " +
                           shapeText(sizes) + ", strides " +
                           shapeText(strides) + " do not fit in " +
                           shapeText(input.getShape()));
  }
  inferred.push_back(RankedTensorType::get(sizes, input.getElementType()));
  return success();
}

LogicalResult PatchesOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> window = adaptor.getWindow();
  if (failed(checkWindows(loc, "patches", window, adaptor.getStrides(),
                          adaptor.getDilations())))
    return failure();
  int64_t n = window.size();
  if (input.getRank() != n + 2)
    return fail(loc, "patches of a " + Twine(n) +
                         "-d window need an input [batch, channels, " +
                         Twine(n) + " spatial sizes], got " +
                         shapeText(input.getShape()));
  // [C, K..., B, O...]
  SmallVector<int64_t> shape{input.getDimSize(1)};
  llvm::append_range(shape, window);
  shape.push_back(input.getDimSize(0));
  for (int64_t i = 0; i < n; ++i) {
    int64_t size = input.getDimSize(2 + i);
    if (ShapedType::isDynamic(size))
      return fail(loc, "patches need static spatial sizes");
    int64_t count = windowCount(size, window[i], adaptor.getStrides()[i],
                                adaptor.getDilations()[i]);
    if (count < 1)
      return fail(loc, "a window of " + Twine(window[i]) + " (dilation " +
                           Twine(adaptor.getDilations()[i]) +
                           ") does not fit in size " + Twine(size) +
                           " of " + shapeText(input.getShape()));
    shape.push_back(count);
  }
  if (ShapedType::isDynamic(shape.front()))
    return fail(loc, "patches need a static channel count");
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult UnpatchesOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> spatial = adaptor.getSpatial();
  int64_t n = spatial.size();
  if (input.getRank() != 2 * n + 2)
    return fail(loc, "unpatches of " + Twine(n) +
                         " spatial sizes need windows [channels, " + Twine(n) +
                         " window sizes, batch, " + Twine(n) +
                         " window counts], got " + shapeText(input.getShape()));
  ArrayRef<int64_t> window = input.getShape().slice(1, n);
  if (failed(checkWindows(loc, "unpatches", window, adaptor.getStrides(),
                          adaptor.getDilations())))
    return failure();
  for (int64_t i = 0; i < n; ++i) {
    int64_t count = windowCount(spatial[i], window[i], adaptor.getStrides()[i],
                                adaptor.getDilations()[i]);
    if (count != input.getDimSize(n + 2 + i))
      return fail(loc, "unpatches into " + shapeText(spatial) + " expects " +
                           Twine(count) + " windows along dimension " +
                           Twine(i) + ", got " + shapeText(input.getShape()));
  }
  SmallVector<int64_t> shape{input.getDimSize(n + 1), input.getDimSize(0)};
  llvm::append_range(shape, spatial);
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}
