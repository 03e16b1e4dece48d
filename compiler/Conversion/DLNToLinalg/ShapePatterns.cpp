//===- ShapePatterns.cpp - broadcast, transpose, reshape, one_hot ---------===//
// Broadcast, transpose and one_hot become linalg.generic ops (not the named
// linalg.broadcast/transpose) so that element-wise fusion can fold them into
// their consumers; reshape becomes tensor collapse/expand, which is free
// after bufferization.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
using utils::IteratorType;

SmallVector<IteratorType> parallel(unsigned rank) {
  return SmallVector<IteratorType>(rank, IteratorType::parallel);
}

/// `result[i...] = input[inputExprs(i...)]`: a copy through an affine map,
/// which broadcast and transpose both are. `dynamicSizes` are the result's.
Value copyThroughMap(ImplicitLocOpBuilder &b, RankedTensorType type,
                     Value input, ArrayRef<AffineExpr> inputExprs,
                     ValueRange dynamicSizes) {
  unsigned rank = type.getRank();
  AffineMap inputMap = AffineMap::get(rank, 0, inputExprs, b.getContext());
  return buildGeneric(
      b, type, input, {inputMap}, b.getMultiDimIdentityMap(rank),
      parallel(rank), emptyTensor(b, type, dynamicSizes),
      [](ImplicitLocOpBuilder &, ValueRange args) { return args[0]; });
}

struct BroadcastLowering : public OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    SmallVector<AffineExpr> dims;
    for (int64_t d : op.getDims())
      dims.push_back(b.getAffineDimExpr(d));
    rewriter.replaceOp(op, copyThroughMap(b, type, adaptor.getInput(), dims,
                                          adaptor.getDynamicSizes()));
    return success();
  }
};

struct TransposeLowering : public OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    // result[i...] = input[j...] with j[permutation[r]] = i[r].
    SmallVector<AffineExpr> inputExprs(type.getRank());
    for (auto [r, p] : llvm::enumerate(op.getPermutation()))
      inputExprs[p] = b.getAffineDimExpr(r);
    rewriter.replaceOp(
        op, copyThroughMap(b, type, adaptor.getInput(), inputExprs,
                           dynamicSizesFrom(b, type, adaptor.getInput(),
                                            op.getPermutation())));
    return success();
  }
};

struct ReverseLowering : public OpConversionPattern<ReverseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReverseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    // result[i] = input[n - 1 - i] along each reversed (static) axis.
    SmallVector<AffineExpr> inputExprs;
    for (int64_t dim = 0; dim < type.getRank(); ++dim)
      inputExprs.push_back(b.getAffineDimExpr(dim));
    for (int64_t axis : op.getAxes())
      inputExprs[axis] = b.getAffineConstantExpr(type.getDimSize(axis) - 1) -
                         b.getAffineDimExpr(axis);
    SmallVector<int64_t> sameDims;
    for (int64_t dim = 0; dim < type.getRank(); ++dim)
      sameDims.push_back(dim);
    rewriter.replaceOp(
        op, copyThroughMap(b, type, adaptor.getInput(), inputExprs,
                           dynamicSizesFrom(b, type, adaptor.getInput(),
                                            sameDims)));
    return success();
  }
};

struct ReshapeLowering : public OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    // Through the flat vector: collapse everything, then expand; both are
    // metadata-only on contiguous buffers.
    auto flatType = RankedTensorType::get(
        {inputType.hasStaticShape() ? inputType.getNumElements()
                                    : ShapedType::kDynamic},
        type.getElementType());
    auto all = [](int64_t rank) {
      ReassociationIndices group;
      for (int64_t d = 0; d < rank; ++d)
        group.push_back(d);
      return rank == 0 ? SmallVector<ReassociationIndices>{}
                       : SmallVector<ReassociationIndices>{group};
    };
    Value flat = adaptor.getInput();
    if (inputType.getRank() != 1)
      flat =
          inputType.getRank() == 0
              ? Value(tensor::ExpandShapeOp::create(b, flatType, flat, all(0)))
              : Value(tensor::CollapseShapeOp::create(
                    b, flat, all(inputType.getRank())));
    Value result = flat;
    if (type.getRank() == 0) {
      result = tensor::CollapseShapeOp::create(b, type, flat, all(0));
    } else if (type.getRank() != 1) {
      SmallVector<OpFoldResult> outputShape =
          getMixedValues(type.getShape(), adaptor.getDynamicSizes(), b);
      result = tensor::ExpandShapeOp::create(b, type, flat, all(type.getRank()),
                                             outputShape);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct OneHotLowering : public OpConversionPattern<OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    unsigned rank = type.getRank();
    SmallVector<AffineExpr> labelExprs;
    for (unsigned d = 0; d + 1 < rank; ++d)
      labelExprs.push_back(b.getAffineDimExpr(d));
    AffineMap labelMap = AffineMap::get(rank, 0, labelExprs, b.getContext());
    SmallVector<int64_t> labelDims =
        llvm::to_vector(llvm::seq<int64_t>(0, rank));
    rewriter.replaceOp(
        op, buildGeneric(
                b, type, adaptor.getLabels(), {labelMap},
                b.getMultiDimIdentityMap(rank), parallel(rank),
                emptyTensor(b, type,
                            dynamicSizesFrom(b, type, adaptor.getLabels(),
                                             labelDims)),
                [&](ImplicitLocOpBuilder &nb, ValueRange args) {
                  Value label = arith::IndexCastOp::create(
                      nb, nb.getIndexType(), args[0]);
                  Value klass = linalg::IndexOp::create(nb, rank - 1);
                  Value hit = arith::CmpIOp::create(
                      nb, arith::CmpIPredicate::eq, label, klass);
                  return FloatMath{nb}.fromBool(hit, type.getElementType());
                }));
    return success();
  }
};
} // namespace

void dln::populateShapeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BroadcastLowering, TransposeLowering, ReverseLowering,
               ReshapeLowering,
               OneHotLowering>(patterns.getContext());
}
