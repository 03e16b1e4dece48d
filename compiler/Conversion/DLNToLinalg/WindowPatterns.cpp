//===- WindowPatterns.cpp - pad, slice, patches, unpatches to linalg ------===//
// Pad and slice become tensor.insert_slice into a filled tensor and
// tensor.extract_slice (strided, so the interior padding of a strided
// slice's gradient is the same op). Patches (im2col) is one linalg.generic
// reading the image through an affine map; unpatches (col2im) gathers, for
// every image element, the window entries that cover it, so it stays a
// reduction over the window instead of a scatter.
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
    SmallVector<int64_t> sourceDims(rank, 0);
    sourceDims[n + 1] = 0; // the batch: input dimension 0
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
    ArrayRef<int64_t> window = colsType.getShape().slice(1, n);
    ArrayRef<int64_t> counts = colsType.getShape().take_back(n);
    // Loops (b, c, s..., k...): every image element sums the window entries
    // over it. A window-shaped operand gives the k loops their ranges.
    unsigned loops = 2 + 2 * n;
    auto dim = [&](int64_t d) { return b.getAffineDimExpr(d); };
    SmallVector<AffineExpr> windowExprs, outExprs;
    for (int64_t i = 0; i < n; ++i)
      windowExprs.push_back(dim(2 + n + i));
    for (int64_t d = 0; d < 2 + n; ++d)
      outExprs.push_back(dim(d));
    Value windowShape =
        tensor::EmptyOp::create(b, window, type.getElementType());
    SmallVector<IteratorType> iterators(loops, IteratorType::parallel);
    for (int64_t i = 0; i < n; ++i)
      iterators[2 + n + i] = IteratorType::reduction;
    SmallVector<int64_t> sourceDims(type.getRank(), 0);
    sourceDims[0] = n + 1; // the batch: dimension n + 1 of the windows
    Value init = filledTensor(b, type, 0.0,
                              dynamicSizesFrom(b, type, cols, sourceDims));
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    Value result = buildGeneric(
        b, type, windowShape, {AffineMap::get(loops, 0, windowExprs,
                                              b.getContext())},
        AffineMap::get(loops, 0, outExprs, b.getContext()), iterators, init,
        [&](ImplicitLocOpBuilder &nb, ValueRange args) {
          auto index = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(nb, v);
          };
          Value zero = index(0);
          Value valid;
          // [c, k..., b, o...], o_i = (s_i - k_i * d_i) / stride_i when that
          // is a whole window position; clamped to 0 otherwise, and masked.
          SmallVector<Value> at{linalg::IndexOp::create(nb, 1)};
          SmallVector<Value> positions;
          for (int64_t i = 0; i < n; ++i) {
            Value s = linalg::IndexOp::create(nb, 2 + i);
            Value k = linalg::IndexOp::create(nb, 2 + n + i);
            at.push_back(k);
            Value offset = arith::SubIOp::create(
                nb, s, arith::MulIOp::create(nb, k, index(dilations[i])));
            Value ok = arith::CmpIOp::create(nb, arith::CmpIPredicate::sge,
                                             offset, zero);
            Value clamped = arith::MaxSIOp::create(nb, offset, zero);
            Value o = clamped;
            if (strides[i] != 1) {
              o = arith::DivUIOp::create(nb, clamped, index(strides[i]));
              Value exact = arith::CmpIOp::create(
                  nb, arith::CmpIPredicate::eq,
                  arith::RemUIOp::create(nb, clamped, index(strides[i])), zero);
              ok = arith::AndIOp::create(nb, ok, exact);
            }
            Value inRange = arith::CmpIOp::create(nb, arith::CmpIPredicate::ult,
                                                  o, index(counts[i]));
            ok = arith::AndIOp::create(nb, ok, inRange);
            positions.push_back(
                arith::SelectOp::create(nb, inRange, o, zero));
            valid = valid ? arith::AndIOp::create(nb, valid, ok).getResult()
                          : ok;
          }
          at.push_back(linalg::IndexOp::create(nb, 0));
          llvm::append_range(at, positions);
          Value entry = tensor::ExtractOp::create(nb, cols, at);
          FloatMath m{nb};
          Value picked = arith::SelectOp::create(
              nb, valid, entry, m.constant(type.getElementType(), 0.0));
          return m.add(args[1], picked);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void dln::populateWindowToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<PadLowering, SliceLowering, PatchesLowering, UnpatchesLowering>(
      patterns.getContext());
}
