//===- ContractionPatterns.cpp - dense and matmul to linalg ---------------===//
// Each product becomes a 3-loop linalg.generic whose loop order puts a
// contiguous dimension innermost for the operand layout at hand:
//   A B     -> (m, k, n): inner n walks rows of B and C
//   A^T B   -> (k, m, n): inner n walks rows of B and C
//   A B^T   -> (m, n, k): inner k is a dot product of two rows
//   A^T B^T -> (m, n, k)
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
using utils::IteratorType;

/// `init + op(lhs) @ op(rhs)` with the loop order described above.
Value buildProduct(ImplicitLocOpBuilder &b, Value lhs, Value rhs,
                   bool transposeLhs, bool transposeRhs, Value init) {
  MLIRContext *context = b.getContext();
  auto resultType = cast<RankedTensorType>(init.getType());
  // Dimension positions of m, n, k in the loop nest.
  unsigned m, n, k;
  if (!transposeRhs)
    std::tie(m, k, n) = transposeLhs ? std::make_tuple(1u, 0u, 2u)
                                     : std::make_tuple(0u, 1u, 2u);
  else
    std::tie(m, n, k) = std::make_tuple(0u, 1u, 2u);
  auto d = [&](unsigned pos) { return getAffineDimExpr(pos, context); };
  AffineMap lhsMap =
      AffineMap::get(3, 0,
                     transposeLhs ? ArrayRef<AffineExpr>{d(k), d(m)}
                                  : ArrayRef<AffineExpr>{d(m), d(k)},
                     context);
  AffineMap rhsMap =
      AffineMap::get(3, 0,
                     transposeRhs ? ArrayRef<AffineExpr>{d(n), d(k)}
                                  : ArrayRef<AffineExpr>{d(k), d(n)},
                     context);
  AffineMap outMap = AffineMap::get(3, 0, {d(m), d(n)}, context);
  SmallVector<IteratorType> iterators(3, IteratorType::parallel);
  iterators[k] = IteratorType::reduction;
  return buildGeneric(b, resultType, {lhs, rhs}, {lhsMap, rhsMap}, outMap,
                      iterators, init,
                      [](ImplicitLocOpBuilder &nb, ValueRange args) {
                        FloatMath fm{nb};
                        return fm.add(args[2], fm.mul(args[0], args[1]));
                      });
}

struct DenseLowering : public OpConversionPattern<DenseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DenseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!type)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *context = b.getContext();
    // Start from the broadcast bias so the product accumulates onto it.
    AffineMap column =
        AffineMap::get(2, 0, {getAffineDimExpr(1, context)}, context);
    Value biased = buildGeneric(
        b, type, adaptor.getBias(), {column}, b.getMultiDimIdentityMap(2),
        {IteratorType::parallel, IteratorType::parallel}, Value(),
        [](ImplicitLocOpBuilder &, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op,
                       buildProduct(b, adaptor.getInput(), adaptor.getWeight(),
                                    false, false, biased));
    return success();
  }
};

struct MatmulLowering : public OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!type)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value zero = filledTensor(b, type, 0.0);
    rewriter.replaceOp(op, buildProduct(b, adaptor.getLhs(), adaptor.getRhs(),
                                        op.getTransposeLhs(),
                                        op.getTransposeRhs(), zero));
    return success();
  }
};
} // namespace

void dln::populateContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<DenseLowering, MatmulLowering>(patterns.getContext());
}
