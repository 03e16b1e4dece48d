//===- DLNPixelOps.cpp - Shape rules of gather_pixels, scatter_pixels -----===//
// Data-dependent reads and writes of single pixels, for sampling images at
// computed positions (deformable convolution). Coordinates are [B, N]
// floats; a dynamic dimension is the batch.
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

/// Sizes agree, or one of them is dynamic.
bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// `rows` and `cols` are [B, N] alike, with B compatible with `batch`.
LogicalResult checkCoordinates(std::optional<Location> loc, StringRef op,
                               Value rows, Value cols, int64_t batch) {
  ArrayRef<int64_t> r = tensorOf(rows).getShape(),
                    c = tensorOf(cols).getShape();
  if (r.size() != 2 || r != c)
    return fail(loc, op +
                         " needs rows and cols of one shape [batch, points], "
                         "got " +
                         shapeText(r) + " and " + shapeText(c));
  if (!compatible(r[0], batch))
    return fail(loc, op + ": coordinates for a batch of " + Twine(r[0]) +
                         ", images for " + Twine(batch));
  return success();
}
} // namespace

LogicalResult
GatherPixelsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  RankedTensorType image = tensorOf(adaptor.getImage());
  if (image.getRank() != 4)
    return fail(loc, "gather_pixels needs images [batch, channels, height, "
                     "width], got " +
                         shapeText(image.getShape()));
  if (failed(checkCoordinates(loc, "gather_pixels", adaptor.getRows(),
                              adaptor.getCols(), image.getDimSize(0))))
    return failure();
  int64_t points = tensorOf(adaptor.getRows()).getDimSize(1);
  inferred.push_back(
      RankedTensorType::get({image.getDimSize(0), points, image.getDimSize(1)},
                            image.getElementType()));
  return success();
}

LogicalResult
ScatterPixelsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  RankedTensorType values = tensorOf(adaptor.getValues());
  ArrayRef<int64_t> size = adaptor.getSize();
  if (values.getRank() != 3)
    return fail(loc, "scatter_pixels needs values [batch, points, channels], "
                     "got " +
                         shapeText(values.getShape()));
  if (size.size() != 2 || size[0] < 1 || size[1] < 1)
    return fail(loc, "scatter_pixels needs a positive size [height, width], "
                     "got " +
                         shapeText(size));
  if (failed(checkCoordinates(loc, "scatter_pixels", adaptor.getRows(),
                              adaptor.getCols(), values.getDimSize(0))))
    return failure();
  if (!compatible(tensorOf(adaptor.getRows()).getDimSize(1),
                  values.getDimSize(1)))
    return fail(loc, "scatter_pixels needs one coordinate per value: " +
                         shapeText(values.getShape()) + " values, " +
                         shapeText(tensorOf(adaptor.getRows()).getShape()) +
                         " coordinates");
  inferred.push_back(RankedTensorType::get(
      {values.getDimSize(0), values.getDimSize(2), size[0], size[1]},
      values.getElementType()));
  return success();
}
