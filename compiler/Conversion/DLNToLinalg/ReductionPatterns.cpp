//===- ReductionPatterns.cpp - dln reductions to linalg -------------------===//
// A reduction is a linalg.generic over the input's loops with the reduced
// axes as reduction iterators, in the input's natural loop order (the
// contiguous dimension stays innermost), accumulating into a filled result.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::dln;

namespace {
using utils::IteratorType;

template <typename OpTy>
struct ReductionLowering : public OpConversionPattern<OpTy> {
  using Combine = Value (*)(FloatMath &, Value element, Value accumulator);
  ReductionLowering(MLIRContext *context, double identity, Combine combine)
      : OpConversionPattern<OpTy>(context), identity(identity),
        combine(combine) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    unsigned rank = inputType.getRank();
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    SmallVector<AffineExpr> kept;
    SmallVector<int64_t> keptDims;
    for (unsigned d = 0; d < rank; ++d) {
      if (llvm::is_contained(op.getAxes(), d)) {
        iterators[d] = IteratorType::reduction;
      } else {
        kept.push_back(b.getAffineDimExpr(d));
        keptDims.push_back(d);
      }
    }
    AffineMap outMap = AffineMap::get(rank, 0, kept, b.getContext());
    Combine fn = combine;
    rewriter.replaceOp(
        op, buildGeneric(b, type, adaptor.getInput(),
                         {b.getMultiDimIdentityMap(rank)}, outMap, iterators,
                         filledTensor(b, type, identity,
                                      dynamicSizesFrom(b, type,
                                                       adaptor.getInput(),
                                                       keptDims)),
                         [fn](ImplicitLocOpBuilder &nb, ValueRange args) {
                           FloatMath m{nb};
                           return fn(m, args[0], args[1]);
                         }));
    return success();
  }

  double identity;
  Combine combine;
};
} // namespace

void dln::populateReductionToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ReductionLowering<ReduceSumOp>>(
      context, 0.0,
      +[](FloatMath &m, Value x, Value acc) { return m.add(acc, x); });
  patterns.add<ReductionLowering<ReduceMaxOp>>(
      context, -std::numeric_limits<double>::infinity(),
      +[](FloatMath &m, Value x, Value acc) { return m.max(acc, x); });
}
