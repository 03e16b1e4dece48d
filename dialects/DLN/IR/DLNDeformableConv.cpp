//===- DLNDeformableConv.cpp - Deformable convolution composite -----------===//
//
// deform_conv2d (Dai et al. 2017; v2 modulation, Zhu et al. 2019) from dln
// primitives. Each tap of each output reads its input bilinearly at the
// regular position plus its offset: the four pixels around it, read with
// dln.gather_pixels (zeros outside the image, as torchvision), weighted by
// the fractional parts of the position. Autodiff then gives torchvision's
// gradients: through the fractional parts to the offsets (x(floor + 1) -
// x(floor) along each axis, also at integer positions, where training from
// zero offsets starts), through the gathers (scatter_pixels) to the image,
// and to the mask. The samples, transposed, are im2col columns for a matrix
// product with the weights, as in an ordinary convolution.
//
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNConvolutions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;

RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// `values` as a constant of `shape` in `element`.
Value constantOf(OpBuilder &builder, Location loc, ArrayRef<int64_t> shape,
                 Type element, ArrayRef<double> values) {
  auto type = RankedTensorType::get(shape, element);
  SmallVector<Attribute> attrs;
  for (double v : values)
    attrs.push_back(builder.getFloatAttr(element, v));
  return arith::ConstantOp::create(builder, loc, type,
                                   DenseElementsAttr::get(type, attrs));
}

/// Reports a per-sample shape mismatch of `what`.
LogicalResult expectShape(Location loc, StringRef what, Value v,
                          ArrayRef<int64_t> sample) {
  ArrayRef<int64_t> shape = tensorOf(v).getShape();
  if (shape.size() == sample.size() + 1 && shape.drop_front() == sample)
    return success();
  return emitError(loc) << "deform_conv2d expects " << what
                        << " of per-sample shape " << shapeText(sample)
                        << ", got " << shapeText(shape.drop_front()),
         failure();
}
} // namespace

FailureOr<Value> dln::deformableConvolution(OpBuilder &builder, Location loc,
                                            Value x, Value offsets, Value mask,
                                            Value w, Value bias,
                                            const WindowOptions &options,
                                            int64_t groups,
                                            int64_t offsetGroups) {
  RankedTensorType xType = tensorOf(x), wType = tensorOf(w);
  if (xType.getRank() != 4)
    return emitError(loc) << "deform_conv2d expects per-sample images of 3 "
                             "dimensions [channels, height, width], got "
                          << shapeText(xType.getShape().drop_front()),
           failure();
  int64_t channels = xType.getDimSize(1), height = xType.getDimSize(2),
          width = xType.getDimSize(3);
  int64_t outChannels = wType.getDimSize(0), groupIn = wType.getDimSize(1);
  if (channels != groupIn * groups)
    return emitError(loc) << "deform_conv2d expects " << groupIn * groups
                          << " input channels, got "
                          << shapeText(xType.getShape().drop_front()),
           failure();
  if (channels % offsetGroups)
    return emitError(loc) << "offset_groups = " << offsetGroups
                          << " must divide the " << channels
                          << " input channels",
           failure();
  int64_t kh = options.window[0], kw = options.window[1];
  int64_t outH = (height + options.padLow[0] + options.padHigh[0] -
                  options.dilations[0] * (kh - 1) - 1) /
                     options.strides[0] +
                 1;
  int64_t outW = (width + options.padLow[1] + options.padHigh[1] -
                  options.dilations[1] * (kw - 1) - 1) /
                     options.strides[1] +
                 1;
  if (outH <= 0 || outW <= 0)
    return emitError(loc) << "deform_conv2d window of " << kh << "x" << kw
                          << " is larger than the padded input "
                          << shapeText(xType.getShape().drop_front()),
           failure();
  int64_t taps = kh * kw, og = offsetGroups;
  // The batch is usually `?`; products with it are too.
  int64_t batch = xType.getDimSize(0);
  auto times = [](int64_t a, int64_t b) {
    return ShapedType::isDynamic(a) ? kDyn : a * b;
  };
  if (failed(expectShape(loc, "offsets", offsets, {2 * og * taps, outH, outW})))
    return failure();
  if (mask && failed(expectShape(loc, "a mask", mask, {og * taps, outH, outW})))
    return failure();

  // Sampling rows and columns: the regular grid plus the offsets (dy, dx),
  // [B, og, taps, H', W'].
  Type element = xType.getElementType();
  SmallVector<double> rows, columns;
  for (int64_t ky = 0; ky < kh; ++ky)
    for (int64_t kx = 0; kx < kw; ++kx)
      for (int64_t oy = 0; oy < outH; ++oy)
        for (int64_t ox = 0; ox < outW; ++ox) {
          rows.push_back(double(oy * options.strides[0] - options.padLow[0] +
                                ky * options.dilations[0]));
          columns.push_back(double(ox * options.strides[1] - options.padLow[1] +
                                   kx * options.dilations[1]));
        }
  Value pairs =
      reshapeInferred(builder, loc, offsets, {batch, og, taps, 2, outH, outW});
  auto component = [&](int64_t index, ArrayRef<double> grid) {
    SmallVector<int64_t> sizes{batch, og, taps, 1, outH, outW};
    SmallVector<int64_t> starts{0, 0, 0, index, 0, 0}, strides(6, 1);
    Value part = SliceOp::create(builder, loc, pairs, starts, sizes, strides);
    part = reshapeInferred(builder, loc, part, {batch, og, taps, outH, outW});
    return *broadcastingBinary<AddOp>(
        builder, loc, part,
        constantOf(builder, loc, {taps, outH, outW}, element, grid));
  };
  Value rowPositions = component(0, rows);
  Value columnPositions = component(1, columns);
  // Bilinear sampling: the four pixels around each point, each read by
  // gather_pixels (zero outside the image) and weighted by the fractional
  // parts; the weights carry the offsets' gradient.
  int64_t points = taps * outH * outW, sampleBatch = times(batch, og);
  auto flat = [&](Value v) {
    return reshapeInferred(builder, loc, v, {sampleBatch, points});
  };
  Value rowLow = FloorOp::create(builder, loc, rowPositions);
  Value columnLow = FloorOp::create(builder, loc, columnPositions);
  Value rowFrac =
      flat(SubOp::create(builder, loc, rowPositions, rowLow).getResult());
  Value columnFrac =
      flat(SubOp::create(builder, loc, columnPositions, columnLow).getResult());
  Value one = splatLike(builder, loc, rowFrac, 1.0);
  Value rowTop = flat(rowLow), columnLeft = flat(columnLow);
  Value rowBottom = AddOp::create(builder, loc, rowTop, one);
  Value columnRight = AddOp::create(builder, loc, columnLeft, one);
  Value rowTopWeight = SubOp::create(builder, loc, one, rowFrac);
  Value columnLeftWeight = SubOp::create(builder, loc, one, columnFrac);
  // v2 modulation scales each sample: fold it into the row weights.
  if (mask) {
    Value modulation = flat(mask);
    rowTopWeight = MulOp::create(builder, loc, rowTopWeight, modulation);
    rowFrac = MulOp::create(builder, loc, rowFrac, modulation);
  }
  Value image = reshapeInferred(builder, loc, x,
                                {sampleBatch, channels / og, height, width});
  Value samples;
  auto addCorner = [&](Value row, Value column, Value rowWeight,
                       Value columnWeight) {
    Value pixels = GatherPixelsOp::create(builder, loc, image, row, column);
    Value weight = reshapeInferred(
        builder, loc, MulOp::create(builder, loc, rowWeight, columnWeight),
        {sampleBatch, points, 1});
    Value weighted = *broadcastingBinary<MulOp>(builder, loc, pixels, weight);
    samples =
        samples ? AddOp::create(builder, loc, samples, weighted) : weighted;
  };
  addCorner(rowTop, columnLeft, rowTopWeight, columnLeftWeight);
  addCorner(rowTop, columnRight, rowTopWeight, columnFrac);
  addCorner(rowBottom, columnLeft, rowFrac, columnLeftWeight);
  addCorner(rowBottom, columnRight, rowFrac, columnFrac);
  // samples [B * og, (taps, H', W'), C / og] as im2col columns
  // [(C, taps), B * H' * W'], grouped below for the weights
  // [G, O/G, C/G * taps].
  Value cols = reshapeInferred(builder, loc, samples,
                               {batch, og, taps, outH * outW, channels / og});
  cols =
      TransposeOp::create(builder, loc, cols, ArrayRef<int64_t>{1, 4, 2, 0, 3});
  int64_t rowsPerGroup = groupIn * taps;
  Value product;
  if (groups == 1) {
    Value colsMatrix = reshapeInferred(
        builder, loc, cols, {rowsPerGroup, times(batch, outH * outW)});
    Value wMatrix = ReshapeOp::create(
        builder, loc, w, ArrayRef<int64_t>{outChannels, rowsPerGroup});
    product = MatmulOp::create(builder, loc, wMatrix, colsMatrix);
  } else {
    Value colsMatrix = reshapeInferred(
        builder, loc, cols, {groups, rowsPerGroup, times(batch, outH * outW)});
    Value wMatrix = ReshapeOp::create(
        builder, loc, w,
        ArrayRef<int64_t>{groups, outChannels / groups, rowsPerGroup});
    product = MatmulOp::create(builder, loc, wMatrix, colsMatrix);
  }
  Value y =
      reshapeInferred(builder, loc, product, {outChannels, batch, outH, outW});
  y = TransposeOp::create(builder, loc, y, ArrayRef<int64_t>{1, 0, 2, 3});
  return addChannelBias(builder, loc, y, bias);
}
