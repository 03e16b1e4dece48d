//===- WindowPatterns.cpp - pad, slice, patches, unpatches to linalg ------===//
// Pad and slice become tensor.insert_slice into a filled tensor and
// tensor.extract_slice (strided, so the interior padding of a strided
// slice's gradient is the same op). Patches (im2col) is one linalg.generic
// reading the image through an affine map; unpatches (col2im) is one writing
// into the image through that map, adding up the windows that overlap.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
using utils::IteratorType;

/// The sizes of `value`, dynamic ones as tensor.dim.
SmallVector<OpFoldResult> mixedSizes(ImplicitLocOpBuilder &b, Value value) {
  return tensor::getMixedSizes(b, b.getLoc(), value);
}

SmallVector<OpFoldResult> indexAttrs(ImplicitLocOpBuilder &b,
                                     ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult {
    return b.getIndexAttr(v);
  });
}

struct PadLowering : public OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value input = adaptor.getInput();
    SmallVector<int64_t> identity =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    Value filled =
        filledTensor(b, type, op.getValue().convertToDouble(),
                     dynamicSizesFrom(b, type, input, identity));
    SmallVector<int64_t> strides;
    for (int64_t gap : op.getInterior())
      strides.push_back(gap + 1);
    rewriter.replaceOp(op, tensor::InsertSliceOp::create(
                               b, input, filled, indexAttrs(b, op.getLow()),
                               mixedSizes(b, input), indexAttrs(b, strides)));
    return success();
  }
};

struct SliceLowering : public OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> sizes = mixedSizes(b, input);
    for (auto [d, size] : llvm::enumerate(op.getSizes()))
      if (!ShapedType::isDynamic(size))
        sizes[d] = b.getIndexAttr(size);
    rewriter.replaceOp(op, tensor::ExtractSliceOp::create(
                               b, type, input, indexAttrs(b, op.getOffsets()),
                               sizes, indexAttrs(b, op.getStrides())));
    return success();
  }
};

struct PatchesLowering : public OpConversionPattern<PatchesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PatchesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t n = op.getWindow().size();
    unsigned rank = type.getRank(); // 2 + 2n: [C, K..., B, O...]
    auto dim = [&](int64_t d) { return b.getAffineDimExpr(d); };
    // input[b, c, o_i * s_i + k_i * d_i]
    SmallVector<AffineExpr> inputExprs{dim(n + 1), dim(0)};
    for (int64_t i = 0; i < n; ++i)
      inputExprs.push_back(dim(n + 2 + i) * op.getStrides()[i] +
                           dim(1 + i) * op.getDilations()[i]);
    // The batch, result dimension n + 1, is input dimension 0.
    SmallVector<int64_t> sourceDims(rank, 0);
    Value init = emptyTensor(
        b, type, dynamicSizesFrom(b, type, adaptor.getInput(), sourceDims));
    rewriter.replaceOp(
        op, buildGeneric(
                b, type, adaptor.getInput(),
                {AffineMap::get(rank, 0, inputExprs, b.getContext())},
                b.getMultiDimIdentityMap(rank),
                SmallVector<IteratorType>(rank, IteratorType::parallel), init,
                [](ImplicitLocOpBuilder &, ValueRange args) {
                  return args[0];
                }));
    return success();
  }
};

struct UnpatchesLowering : public OpConversionPattern<UnpatchesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnpatchesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    Value cols = adaptor.getInput();
    auto colsType = cast<RankedTensorType>(cols.getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t n = op.getSpatial().size();
    // Loops over the windows [C, K..., B, O...], in their layout, each
    // entry added into image[b, c, o_i * s_i + k_i * d_i]: the output map is
    // not injective, so this is a scatter-add, which the sequential loops
    // it lowers to perform in order; the innermost loop walks both the
    // windows and (at stride 1) the image contiguously, so it vectorizes.
    unsigned loops = colsType.getRank();
    auto dim = [&](int64_t d) { return b.getAffineDimExpr(d); };
    SmallVector<AffineExpr> imageExprs{dim(n + 1), dim(0)};
    for (int64_t i = 0; i < n; ++i)
      imageExprs.push_back(dim(n + 2 + i) * op.getStrides()[i] +
                           dim(1 + i) * op.getDilations()[i]);
    SmallVector<IteratorType> iterators(loops, IteratorType::parallel);
    for (int64_t i = 0; i < n; ++i)
      iterators[1 + i] = IteratorType::reduction;
    SmallVector<int64_t> sourceDims(type.getRank(), 0);
    sourceDims[0] = n + 1; // the batch: dimension n + 1 of the windows
    Value init = filledTensor(b, type, 0.0,
                              dynamicSizesFrom(b, type, cols, sourceDims));
    rewriter.replaceOp(
        op, buildGeneric(b, type, cols, {b.getMultiDimIdentityMap(loops)},
                         AffineMap::get(loops, 0, imageExprs, b.getContext()),
                         iterators, init,
                         [](ImplicitLocOpBuilder &nb, ValueRange args) {
                           return FloatMath{nb}.add(args[1], args[0]);
                         }));
    return success();
  }
};
} // namespace

void dln::populateWindowToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<PadLowering, SliceLowering, PatchesLowering, UnpatchesLowering>(
      patterns.getContext());
}
