//===- DLNConvolutions.cpp - Convolution and pooling composites -----------===//
#include "dialects/DLN/IR/DLNConvolutions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::dln;

namespace {
RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Per-sample shapes in messages: images are always batched.
std::string sampleText(Value x) {
  return shapeText(tensorOf(x).getShape().drop_front());
}

/// x with `piece` ([.., width along `axis`, ..]) placed at `position` along
/// `axis` of a zero tensor shaped like `target`: a pad.
Value placeAlong(OpBuilder &builder, Location loc, Value piece, int64_t axis,
                 int64_t position, int64_t total) {
  RankedTensorType type = tensorOf(piece);
  SmallVector<int64_t> low(type.getRank(), 0), high(type.getRank(), 0),
      interior(type.getRank(), 0);
  low[axis] = position;
  high[axis] = total - position - type.getDimSize(axis);
  return PadOp::create(builder, loc, piece, low, high, interior, 0.0);
}

/// Elements [start, start + count) of `x` along `axis`.
Value sliceAlong(OpBuilder &builder, Location loc, Value x, int64_t axis,
                 int64_t start, int64_t count) {
  RankedTensorType type = tensorOf(x);
  SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
  SmallVector<int64_t> sizes(type.getShape());
  offsets[axis] = start;
  sizes[axis] = count;
  return SliceOp::create(builder, loc, x, offsets, sizes, strides);
}

/// The product of `sizes`.
int64_t product(ArrayRef<int64_t> sizes) {
  int64_t result = 1;
  for (int64_t size : sizes)
    result *= size;
  return result;
}

/// `[B, C, S...]` with n spatial dimensions, at `loc`.
LogicalResult checkImage(Location loc, StringRef what, Value x, int64_t n) {
  RankedTensorType type = tensorOf(x);
  if (type.getRank() != n + 2)
    return emitError(loc) << what << " expects per-sample images of "
                          << n + 1 << " dimensions [channels, "
                          << (n == 1 ? "length" : "height, width")
                          << "], got " << sampleText(x),
           failure();
  return success();
}

/// The (dilated) window fits the padded image along every spatial axis.
LogicalResult checkWindowFits(Location loc, StringRef what, Value x,
                              const WindowOptions &options) {
  RankedTensorType type = tensorOf(x);
  for (auto [i, k] : llvm::enumerate(options.window)) {
    int64_t size = type.getDimSize(2 + i);
    int64_t padded = size + options.padLow[i] + options.padHigh[i];
    int64_t span = options.dilations[i] * (k - 1) + 1;
    if (ShapedType::isDynamic(size) || span <= padded)
      continue;
    InFlightDiagnostic diag = emitError(loc);
    diag << what << " window of " << k;
    if (options.dilations[i] != 1)
      diag << " (dilation " << options.dilations[i] << ", spanning " << span
           << ")";
    diag << " is larger than the input's size " << size;
    if (padded != size)
      diag << " padded to " << padded;
    return diag << " along spatial axis " << i << " of " << sampleText(x),
           failure();
  }
  return success();
}
} // namespace

FailureOr<Value> dln::padSpatial(OpBuilder &builder, Location loc, Value x,
                                 ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                                 PaddingMode mode, double value) {
  RankedTensorType type = tensorOf(x);
  int64_t n = low.size();
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return x;
  if (mode == PaddingMode::Zeros) {
    SmallVector<int64_t> lows{0, 0}, highs{0, 0}, interior(2 + n, 0);
    llvm::append_range(lows, low);
    llvm::append_range(highs, high);
    return PadOp::create(builder, loc, x, lows, highs, interior, value)
        .getResult();
  }
  // Circular, reflect and replicate: each border element is a slice of the
  // image placed by a pad, one spatial axis after the other.
  for (int64_t i = 0; i < n; ++i) {
    int64_t axis = 2 + i, size = tensorOf(x).getDimSize(axis);
    int64_t total = low[i] + size + high[i];
    int64_t limit = mode == PaddingMode::Reflect ? size - 1 : size;
    if (mode != PaddingMode::Replicate && (low[i] > limit || high[i] > limit))
      return emitError(loc)
                 << "padding of " << std::max(low[i], high[i])
                 << " is too large for size " << size << " of "
                 << sampleText(x) << " in "
                 << (mode == PaddingMode::Circular ? "circular" : "reflect")
                 << " mode",
             failure();
    Value result = placeAlong(builder, loc, x, axis, low[i], total);
    auto add = [&](Value piece, int64_t position) {
      result = AddOp::create(builder, loc, result,
                             placeAlong(builder, loc, piece, axis, position,
                                        total));
    };
    if (mode == PaddingMode::Circular) {
      if (low[i])
        add(sliceAlong(builder, loc, x, axis, size - low[i], low[i]), 0);
      if (high[i])
        add(sliceAlong(builder, loc, x, axis, 0, high[i]), low[i] + size);
    } else {
      // Position p before the image reads element source(p).
      for (int64_t j = 1; j <= low[i]; ++j)
        add(sliceAlong(builder, loc, x, axis,
                       mode == PaddingMode::Reflect ? j : 0, 1),
            low[i] - j);
      for (int64_t j = 1; j <= high[i]; ++j)
        add(sliceAlong(builder, loc, x, axis,
                       mode == PaddingMode::Reflect ? size - 1 - j : size - 1,
                       1),
            low[i] + size - 1 + j);
    }
    x = result;
  }
  (void)type;
  return x;
}

Value dln::addChannelBias(OpBuilder &builder, Location loc, Value y,
                          Value bias) {
  if (!bias)
    return y;
  ArrayRef<int64_t> shape = tensorOf(y).getShape();
  return AddOp::create(builder, loc, y,
                       BroadcastOp::create(builder, loc, bias,
                                           dynamicSizes(builder, loc, shape, y),
                                           shape, ArrayRef<int64_t>{1}));
}

/// Up to this many groups a grouped convolution is one 2-D product per group.
constexpr int64_t kMaxSplitGroups = 8;

FailureOr<Value> dln::convolution(OpBuilder &builder, Location loc, Value x,
                                  Value w, Value bias,
                                  const WindowOptions &options,
                                  int64_t groups) {
  int64_t n = options.window.size();
  if (failed(checkImage(loc, n == 1 ? "conv1d" : "conv2d", x, n)) ||
      failed(checkWindowFits(loc, "the convolution", x, options)))
    return failure();
  RankedTensorType xType = tensorOf(x), wType = tensorOf(w);
  int64_t channels = xType.getDimSize(1), outChannels = wType.getDimSize(0);
  int64_t groupChannels = wType.getDimSize(1);
  if (channels != groupChannels * groups)
    return emitError(loc) << "the convolution expects " << groupChannels * groups
                          << " input channels, got " << sampleText(x),
           failure();
  FailureOr<Value> padded = padSpatial(builder, loc, x, options.padLow,
                                       options.padHigh, options.mode);
  if (failed(padded))
    return failure();
  FailureOr<Value> cols =
      createChecked<PatchesOp>(builder, loc, *padded, options.window,
                               options.strides, options.dilations);
  if (failed(cols))
    return failure();
  // [C, K..., B, O...] as [G, C/G * K..., B * O...] times the weights
  // [G, O/G, C/G * K...].
  ArrayRef<int64_t> colsShape = tensorOf(*cols).getShape();
  ArrayRef<int64_t> counts = colsShape.take_back(n);
  int64_t batch = colsShape[n + 1];
  int64_t rows = groupChannels * product(options.window);
  int64_t columns = ShapedType::isDynamic(batch) ? ShapedType::kDynamic
                                                 : batch * product(counts);
  Value product;
  if (groups == 1) {
    Value colsMatrix = reshapeInferred(builder, loc, *cols, {rows, columns});
    Value wMatrix = ReshapeOp::create(builder, loc, w,
                                      ArrayRef<int64_t>{outChannels, rows});
    product = MatmulOp::create(builder, loc, wMatrix, colsMatrix);
  } else if (groups > kMaxSplitGroups) {
    // Depthwise and other many-group convolutions: one batched product.
    Value colsMatrix =
        reshapeInferred(builder, loc, *cols, {groups, rows, columns});
    Value wMatrix = ReshapeOp::create(
        builder, loc, w,
        ArrayRef<int64_t>{groups, outChannels / groups, rows});
    product = MatmulOp::create(builder, loc, wMatrix, colsMatrix);
  } else {
    // One 2-D product per group, joined along the output channels: the
    // 2-D product kernel runs over twice as fast as a batched product (with
    // few groups; the joins cost a pass over the result per group).
    Value colsGrouped =
        reshapeInferred(builder, loc, *cols, {groups, rows, columns});
    Value wGrouped = ReshapeOp::create(
        builder, loc, w,
        ArrayRef<int64_t>{groups, outChannels / groups, rows});
    SmallVector<Value> parts;
    for (int64_t g = 0; g < groups; ++g) {
      Value colsPart = reshapeInferred(
          builder, loc, sliceAlong(builder, loc, colsGrouped, 0, g, 1),
          {rows, columns});
      Value wPart = ReshapeOp::create(
          builder, loc, sliceAlong(builder, loc, wGrouped, 0, g, 1),
          ArrayRef<int64_t>{outChannels / groups, rows});
      parts.push_back(MatmulOp::create(builder, loc, wPart, colsPart));
    }
    FailureOr<Value> joined = concatenate(builder, loc, parts, 0);
    if (failed(joined))
      return failure();
    product = *joined;
  }
  // [O, B, O...] to [B, O, O...].
  SmallVector<int64_t> outShape{outChannels, batch};
  llvm::append_range(outShape, counts);
  Value y = reshapeInferred(builder, loc, product, outShape);
  SmallVector<int64_t> permutation{1, 0};
  for (int64_t i = 0; i < n; ++i)
    permutation.push_back(2 + i);
  y = TransposeOp::create(builder, loc, y, permutation);
  return addChannelBias(builder, loc, y, bias);
}

FailureOr<Value> dln::convolutionTranspose(OpBuilder &builder, Location loc,
                                           Value x, Value w, Value bias,
                                           const WindowOptions &options,
                                           ArrayRef<int64_t> outputPadding,
                                           int64_t groups) {
  int64_t n = options.window.size();
  if (failed(checkImage(loc, n == 1 ? "conv_transpose1d" : "conv_transpose2d",
                        x, n)))
    return failure();
  RankedTensorType xType = tensorOf(x), wType = tensorOf(w);
  int64_t channels = xType.getDimSize(1);
  if (channels != wType.getDimSize(0))
    return emitError(loc) << "the transposed convolution expects "
                          << wType.getDimSize(0) << " input channels, got "
                          << sampleText(x),
           failure();
  int64_t groupOut = wType.getDimSize(1), outChannels = groupOut * groups;
  int64_t groupIn = channels / groups, window = product(options.window);
  ArrayRef<int64_t> spatial = xType.getShape().drop_front(2);
  int64_t batch = xType.getDimSize(0);
  int64_t columns = ShapedType::isDynamic(batch) ? ShapedType::kDynamic
                                                 : batch * product(spatial);
  // x as [G, I/G, B * S...]: channels first.
  SmallVector<int64_t> permutation{1, 0};
  for (int64_t i = 0; i < n; ++i)
    permutation.push_back(2 + i);
  Value channelsFirst = TransposeOp::create(builder, loc, x, permutation);
  // Windows [O, K..., B, S...] = wT x: each input position spreads its
  // values over a window of the output.
  Value cols;
  if (groups == 1) {
    Value xMatrix =
        reshapeInferred(builder, loc, channelsFirst, {channels, columns});
    Value wMatrix = ReshapeOp::create(
        builder, loc, w, ArrayRef<int64_t>{channels, outChannels * window});
    cols = MatmulOp::create(builder, loc, wMatrix, xMatrix,
                            /*transposeLhs=*/true, /*transposeRhs=*/false);
  } else {
    Value xMatrix = reshapeInferred(builder, loc, channelsFirst,
                                    {groups, groupIn, columns});
    Value wMatrix = ReshapeOp::create(
        builder, loc, w,
        ArrayRef<int64_t>{groups, groupIn, groupOut * window});
    cols = MatmulOp::create(builder, loc, wMatrix, xMatrix,
                            /*transposeLhs=*/true, /*transposeRhs=*/false);
  }
  SmallVector<int64_t> colsShape{outChannels};
  llvm::append_range(colsShape, options.window);
  colsShape.push_back(batch);
  llvm::append_range(colsShape, spatial);
  cols = reshapeInferred(builder, loc, cols, colsShape);
  SmallVector<int64_t> full;
  for (int64_t i = 0; i < n; ++i) {
    if (outputPadding[i] >= options.strides[i])
      return emitError(loc) << "output_padding " << outputPadding[i]
                            << " must be smaller than the stride "
                            << options.strides[i],
             failure();
    full.push_back((spatial[i] - 1) * options.strides[i] +
                   options.dilations[i] * (options.window[i] - 1) + 1 +
                   outputPadding[i]);
    if (full.back() - options.padLow[i] - options.padHigh[i] < 1)
      return emitError(loc) << "padding " << options.padLow[i]
                            << " leaves no output of " << sampleText(x),
             failure();
  }
  FailureOr<Value> image = createChecked<UnpatchesOp>(
      builder, loc, cols, full, options.strides, options.dilations);
  if (failed(image))
    return failure();
  // Padding crops the full image.
  Value y = *image;
  if (llvm::any_of(options.padLow, [](int64_t p) { return p; }) ||
      llvm::any_of(options.padHigh, [](int64_t p) { return p; })) {
    ArrayRef<int64_t> shape = tensorOf(y).getShape();
    SmallVector<int64_t> offsets{0, 0}, sizes{shape[0], shape[1]},
        strides(n + 2, 1);
    for (int64_t i = 0; i < n; ++i) {
      offsets.push_back(options.padLow[i]);
      sizes.push_back(full[i] - options.padLow[i] - options.padHigh[i]);
    }
    y = SliceOp::create(builder, loc, y, offsets, sizes, strides);
  }
  return addChannelBias(builder, loc, y, bias);
}

FailureOr<Value> dln::concatenate(OpBuilder &builder, Location loc,
                                  ArrayRef<Value> parts, int64_t axis) {
  RankedTensorType first = tensorOf(parts.front());
  if (axis < 0 || axis >= first.getRank())
    return emitError(loc) << "concat axis " << axis << " is out of range",
           failure();
  int64_t total = 0;
  for (Value part : parts) {
    RankedTensorType type = tensorOf(part);
    bool same = type.getRank() == first.getRank() &&
                type.getElementType() == first.getElementType();
    for (int64_t d = 0; same && d < type.getRank(); ++d)
      same = d == axis || type.getDimSize(d) == first.getDimSize(d);
    if (!same || ShapedType::isDynamic(type.getDimSize(axis)))
      return emitError(loc) << "concat along axis " << axis
                            << " needs equal other sizes, got "
                            << shapeText(first.getShape()) << " and "
                            << shapeText(type.getShape()),
             failure();
    total += type.getDimSize(axis);
  }
  Value sum;
  int64_t offset = 0;
  for (Value part : parts) {
    Value placed = placeAlong(builder, loc, part, axis, offset, total);
    offset += tensorOf(part).getDimSize(axis);
    sum = sum ? AddOp::create(builder, loc, sum, placed).getResult() : placed;
  }
  return sum;
}

FailureOr<Value> dln::pool(OpBuilder &builder, Location loc, Value x,
                           PoolKind kind, const WindowOptions &windowOptions,
                           bool countIncludePad, ArrayRef<int64_t> overhang) {
  int64_t n = windowOptions.window.size();
  StringRef name = kind == PoolKind::Max ? "max pooling" : "average pooling";
  if (failed(checkImage(loc, name, x, n)) ||
      failed(checkWindowFits(loc, "the pooling", x, windowOptions)))
    return failure();
  // The windows run over the image padded by the padding plus the overhang.
  WindowOptions options = windowOptions;
  bool overhangs = llvm::any_of(overhang, [](int64_t e) { return e; });
  for (auto [high, extra] : llvm::zip(options.padHigh, overhang))
    high += extra;
  double fill =
      kind == PoolKind::Max ? -std::numeric_limits<double>::infinity() : 0.0;
  FailureOr<Value> padded =
      padSpatial(builder, loc, x, options.padLow, options.padHigh,
                 PaddingMode::Zeros, fill);
  if (failed(padded))
    return failure();
  FailureOr<Value> cols =
      createChecked<PatchesOp>(builder, loc, *padded, options.window,
                               options.strides, options.dilations);
  if (failed(cols))
    return failure();
  SmallVector<int64_t> windowAxes =
      llvm::to_vector(llvm::seq<int64_t>(1, n + 1));
  // [C, B, O...]
  Value reduced = kind == PoolKind::Max
                      ? ReduceMaxOp::create(builder, loc, *cols, windowAxes)
                            .getResult()
                      : reduceSum(builder, loc, *cols, windowAxes);
  if (kind == PoolKind::Average) {
    bool padding = llvm::any_of(options.padLow, [](int64_t p) { return p; }) ||
                   llvm::any_of(options.padHigh, [](int64_t p) { return p; });
    Value divisor;
    if (!padding || (countIncludePad && !overhangs)) {
      divisor = splatLike(builder, loc, reduced, product(options.window));
    } else {
      // The counted elements of each window: the windows of an image of
      // ones padded with ones (counted padding) or zeros, then zeros for
      // the overhang; a constant the compiler folds.
      SmallVector<int64_t> onesShape{1, 1};
      llvm::append_range(onesShape, tensorOf(x).getShape().drop_front(2));
      Value ones = splatConstant(
          builder, loc,
          RankedTensorType::get(onesShape, tensorOf(x).getElementType()), 1.0);
      Value paddedOnes = *padSpatial(
          builder, loc, ones, windowOptions.padLow, windowOptions.padHigh,
          PaddingMode::Zeros, countIncludePad ? 1.0 : 0.0);
      SmallVector<int64_t> none(n, 0), extra(n, 0);
      llvm::copy(overhang, extra.begin());
      paddedOnes = *padSpatial(builder, loc, paddedOnes, none, extra,
                               PaddingMode::Zeros);
      Value counts = reduceSum(
          builder, loc,
          PatchesOp::create(builder, loc, paddedOnes, options.window,
                            options.strides, options.dilations),
          windowAxes); // [1, 1, O...]
      SmallVector<int64_t> countShape(tensorOf(counts).getShape());
      countShape.erase(countShape.begin()); // [1, O...]
      Value perChannel = ReshapeOp::create(builder, loc, counts, countShape);
      FailureOr<Value> spread = broadcastTo(
          builder, loc, perChannel, tensorOf(reduced).getShape(), {reduced});
      if (failed(spread))
        return failure();
      divisor = *spread;
    }
    reduced = DivOp::create(builder, loc, reduced, divisor);
  }
  SmallVector<int64_t> permutation{1, 0};
  for (int64_t i = 0; i < n; ++i)
    permutation.push_back(2 + i);
  return TransposeOp::create(builder, loc, reduced, permutation).getResult();
}

FailureOr<Value> dln::globalPool(OpBuilder &builder, Location loc, Value x,
                                 PoolKind kind) {
  RankedTensorType type = tensorOf(x);
  if (type.getRank() < 3)
    return emitError(loc) << "global pooling expects per-sample images "
                             "[channels, spatial...], got "
                          << sampleText(x),
           failure();
  SmallVector<int64_t> spatial =
      llvm::to_vector(llvm::seq<int64_t>(2, type.getRank()));
  if (kind == PoolKind::Max)
    return ReduceMaxOp::create(builder, loc, x, spatial).getResult();
  return reduceMean(builder, loc, x, spatial);
}

/// The [in, out] matrix M of 1-d resampling, out = x @ M along the axis:
/// column o holds the weights of output position o (PyTorch's
/// area_pixel_compute_source_index and nearest_idx with a scale factor).
static Value resamplingMatrix(OpBuilder &builder, Location loc, Type element,
                              int64_t in, int64_t out, double scale,
                              bool linear, bool alignCorners) {
  std::vector<double> weights(static_cast<size_t>(in * out), 0.0);
  auto add = [&](int64_t source, int64_t o, double w) {
    weights[static_cast<size_t>(source * out + o)] += w;
  };
  for (int64_t o = 0; o < out; ++o) {
    if (!linear) {
      add(std::min<int64_t>(static_cast<int64_t>(std::floor(o / scale)),
                            in - 1),
          o, 1.0);
      continue;
    }
    double source = alignCorners
                        ? (out > 1 ? o * double(in - 1) / double(out - 1) : 0)
                        : std::max((o + 0.5) / scale - 0.5, 0.0);
    int64_t low = std::min<int64_t>(static_cast<int64_t>(source), in - 1);
    int64_t high = std::min<int64_t>(low + 1, in - 1);
    double lambda = source - static_cast<double>(low);
    add(low, o, 1.0 - lambda);
    add(high, o, lambda);
  }
  auto type = RankedTensorType::get({in, out}, element);
  SmallVector<Attribute> values;
  for (double w : weights)
    values.push_back(builder.getFloatAttr(element, w));
  return arith::ConstantOp::create(builder, loc, type,
                                   DenseElementsAttr::get(type, values));
}

FailureOr<Value> dln::upsample(OpBuilder &builder, Location loc, Value x,
                               double scale, bool linear, bool alignCorners) {
  RankedTensorType type = tensorOf(x);
  int64_t rank = type.getRank();
  if (rank != 3 && rank != 4)
    return emitError(loc) << "upsample expects per-sample images [channels, "
                             "length] or [channels, height, width], got "
                          << sampleText(x),
           failure();
  if (!(scale > 0) || !std::isfinite(scale))
    return emitError(loc) << "upsample scale must be a positive number",
           failure();
  for (int64_t axis = 2; axis < rank; ++axis) {
    RankedTensorType current = tensorOf(x);
    int64_t in = current.getDimSize(axis);
    int64_t out = static_cast<int64_t>(std::floor(in * scale));
    if (out < 1)
      return emitError(loc) << "upsample by " << scale << " leaves no "
                            << "element of size " << in << " in "
                            << sampleText(x),
             failure();
    // Bring the axis last, multiply, put it back.
    SmallVector<int64_t> permutation;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        permutation.push_back(d);
    permutation.push_back(axis);
    Value moved = axis == rank - 1
                      ? x
                      : TransposeOp::create(builder, loc, x, permutation)
                            .getResult();
    SmallVector<int64_t> movedShape(tensorOf(moved).getShape());
    int64_t rowCount = ShapedType::kDynamic;
    if (tensorOf(moved).hasStaticShape())
      rowCount = tensorOf(moved).getNumElements() / in;
    Value rows = reshapeInferred(builder, loc, moved, {rowCount, in});
    Value product = MatmulOp::create(
        builder, loc, rows,
        resamplingMatrix(builder, loc, current.getElementType(), in, out,
                         scale, linear, alignCorners));
    movedShape.back() = out;
    Value result = reshapeInferred(builder, loc, product, movedShape);
    if (axis != rank - 1) {
      SmallVector<int64_t> inverse(rank);
      for (int64_t d = 0; d < rank; ++d)
        inverse[permutation[d]] = d;
      result = TransposeOp::create(builder, loc, result, inverse);
    }
    x = result;
  }
  return x;
}
