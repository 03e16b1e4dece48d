//===- ContractionPatterns.cpp - dln.matmul to linalg ---------------------===//
// 2-D products become linalg.matmul, with indexing maps expressing the
// transposed operands, so upstream tiling and the contraction interface
// apply; batched products become linalg.batch_matmul when untransposed and
// an equivalent linalg.generic otherwise. Leading batch dimensions beyond one
// are folded into the generic's parallel loops.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
using utils::IteratorType;

/// Maps of `C[batch..., m, n] += op(A) op(B)` over loops (batch..., m, n, k).
SmallVector<AffineMap> productMaps(MLIRContext *context, unsigned batch,
                                   bool transposeLhs, bool transposeRhs) {
  unsigned loops = batch + 3;
  auto d = [&](unsigned pos) { return getAffineDimExpr(pos, context); };
  AffineExpr m = d(batch), n = d(batch + 1), k = d(batch + 2);
  SmallVector<AffineExpr> lhs, rhs, out;
  for (unsigned i = 0; i < batch; ++i) {
    lhs.push_back(d(i));
    rhs.push_back(d(i));
    out.push_back(d(i));
  }
  lhs.append(transposeLhs ? SmallVector<AffineExpr>{k, m}
                          : SmallVector<AffineExpr>{m, k});
  rhs.append(transposeRhs ? SmallVector<AffineExpr>{n, k}
                          : SmallVector<AffineExpr>{k, n});
  out.append({m, n});
  return {AffineMap::get(loops, 0, lhs, context),
          AffineMap::get(loops, 0, rhs, context),
          AffineMap::get(loops, 0, out, context)};
}

struct MatmulLowering : public OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    bool tl = op.getTransposeLhs(), tr = op.getTransposeRhs();
    unsigned batch = type.getRank() - 2;
    // Batch dimensions and m from the left operand, n from the right.
    SmallVector<Value> sizes;
    for (unsigned d = 0; d < batch + 2; ++d) {
      if (!type.isDynamicDim(d))
        continue;
      if (d < batch)
        sizes.push_back(tensor::DimOp::create(b, lhs, d));
      else if (d == batch)
        sizes.push_back(tensor::DimOp::create(b, lhs, batch + (tl ? 1 : 0)));
      else
        sizes.push_back(tensor::DimOp::create(b, rhs, batch + (tr ? 0 : 1)));
    }
    Value init = filledTensor(b, type, 0.0, sizes);
    SmallVector<AffineMap> maps = productMaps(b.getContext(), batch, tl, tr);
    Value result;
    if (batch == 0) {
      SmallVector<Attribute> mapAttrs;
      for (AffineMap map : maps)
        mapAttrs.push_back(AffineMapAttr::get(map));
      result = linalg::MatmulOp::create(
                   b, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init},
                   {b.getNamedAttr("indexing_maps", b.getArrayAttr(mapAttrs))})
                   .getResult(0);
    } else if (batch == 1 && !tl && !tr) {
      result = linalg::BatchMatmulOp::create(
                   b, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init})
                   .getResult(0);
    } else {
      SmallVector<IteratorType> iterators(batch + 3, IteratorType::parallel);
      iterators.back() = IteratorType::reduction;
      result = buildGeneric(b, type, {lhs, rhs}, {maps[0], maps[1]}, maps[2],
                            iterators, init,
                            [](ImplicitLocOpBuilder &nb, ValueRange args) {
                              FloatMath fm{nb};
                              return fm.add(args[2], fm.mul(args[0], args[1]));
                            });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void dln::populateContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering>(patterns.getContext());
}
