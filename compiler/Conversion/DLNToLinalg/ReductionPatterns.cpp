//===- ReductionPatterns.cpp - Reductions and softmax to linalg -----------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
using utils::IteratorType;

struct ReduceSumLowering : public OpConversionPattern<ReduceSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto type = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!inputType || !type)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    unsigned rank = inputType.getRank();
    int64_t axis = op.getAxis();
    // Natural loop order: reducing axis 0 of a row-major matrix keeps the
    // contiguous dimension innermost.
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    iterators[axis] = IteratorType::reduction;
    SmallVector<AffineExpr> kept;
    for (unsigned i = 0; i < rank; ++i)
      if (static_cast<int64_t>(i) != axis)
        kept.push_back(b.getAffineDimExpr(i));
    AffineMap outMap = AffineMap::get(rank, 0, kept, b.getContext());
    Value result = buildGeneric(b, type, adaptor.getInput(),
                                {b.getMultiDimIdentityMap(rank)}, outMap,
                                iterators, filledTensor(b, type, 0.0),
                                [](ImplicitLocOpBuilder &nb, ValueRange args) {
                                  return FloatMath{nb}.add(args[1], args[0]);
                                });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MeanLowering : public OpConversionPattern<MeanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MeanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!inputType)
      return rewriter.notifyMatchFailure(op, "needs a ranked input");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto type = cast<RankedTensorType>(op.getResult().getType());
    unsigned rank = inputType.getRank();
    double inverse = 1.0 / static_cast<double>(inputType.getNumElements());
    SmallVector<IteratorType> iterators(rank, IteratorType::reduction);
    Value result = buildGeneric(
        b, type, adaptor.getInput(), {b.getMultiDimIdentityMap(rank)},
        AffineMap::get(rank, 0, b.getContext()), iterators,
        filledTensor(b, type, 0.0),
        [inverse](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          return m.add(args[1],
                       m.mul(args[0], m.constant(args[0].getType(), inverse)));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)), along the last dimension.
struct SoftmaxLowering : public OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!type || type.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "expects a [batch, n] tensor");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value x = adaptor.getInput();
    Value rowMax = buildRowMax(b, x);
    Value rowSum = buildRowSumExp(b, x, rowMax);
    Value result = buildElementwise(
        b, type, {x, rowMax, rowSum},
        [](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          return m.div(m.exp(m.sub(args[0], args[1])), args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// dx = y * (dy - sum(dy * y)) along the last dimension.
struct SoftmaxGradLowering : public OpConversionPattern<SoftmaxGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!type || type.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "expects a [batch, n] tensor");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value y = adaptor.getValue(), dy = adaptor.getGrad();
    Value dot = buildRowReduction(
        b, type, {y, dy}, 0.0, [](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          return m.add(args[2], m.mul(args[0], args[1]));
        });
    Value result = buildElementwise(
        b, type, {y, dy, dot}, [](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          return m.mul(args[0], m.sub(args[1], args[2]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void dln::populateReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceSumLowering, MeanLowering, SoftmaxLowering,
               SoftmaxGradLowering>(patterns.getContext());
}
