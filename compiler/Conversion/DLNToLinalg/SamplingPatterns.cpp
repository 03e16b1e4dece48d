//===- SamplingPatterns.cpp - dln.gibbs_sweep to a loop over the units ----===//
// A sequential sweep cannot be one parallel generic: unit i sees the units
// before it already resampled. It becomes an scf.for over the units whose
// carried value is the [B, N] state; each iteration computes the units'
// activations for every row (a [B, N] x [N] reduction against row i of the
// weights), draws unit i and writes it back as column i.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
struct GibbsSweepLowering : public OpConversionPattern<GibbsSweepOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GibbsSweepOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto stateType = cast<RankedTensorType>(op.getResult().getType());
    Type element = stateType.getElementType();
    int64_t units = stateType.getDimSize(1);
    Value state = adaptor.getState();
    Value rows = tensor::DimOp::create(b, state, 0);
    auto columnType = RankedTensorType::get({ShapedType::kDynamic}, element);
    auto rowType = RankedTensorType::get({units}, element);
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    Value count = arith::ConstantIndexOp::create(b, units);
    auto loop = scf::ForOp::create(
        b, zero, count, one, ValueRange{state},
        [&](OpBuilder &nested, Location loc, Value unit, ValueRange carried) {
          ImplicitLocOpBuilder lb(loc, nested);
          Value s = carried.front();
          // Row `unit` of the weights and column `unit` of the uniforms
          // and of the state, as rank-reduced slices.
          SmallVector<OpFoldResult> unitRow{unit, lb.getIndexAttr(0)};
          SmallVector<OpFoldResult> unitColumn{lb.getIndexAttr(0), unit};
          SmallVector<OpFoldResult> ones{lb.getIndexAttr(1),
                                         lb.getIndexAttr(1)};
          Value weights = tensor::ExtractSliceOp::create(
              lb, rowType, adaptor.getWeights(), unitRow,
              SmallVector<OpFoldResult>{lb.getIndexAttr(1),
                                        lb.getIndexAttr(units)},
              ones);
          SmallVector<OpFoldResult> columnSizes{rows, lb.getIndexAttr(1)};
          Value uniform = tensor::ExtractSliceOp::create(
              lb, columnType, adaptor.getUniform(), unitColumn, columnSizes,
              ones);
          Value current = tensor::ExtractSliceOp::create(
              lb, columnType, s, unitColumn, columnSizes, ones);
          Value bias = tensor::ExtractOp::create(lb, adaptor.getBias(), unit);
          Value clamp = tensor::ExtractOp::create(lb, adaptor.getClamp(), unit);
          // activation[r] = bias + sum_j s[r, j] * weights[j]
          MLIRContext *ctx = lb.getContext();
          AffineExpr r = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx);
          Value init = linalg::FillOp::create(
                           lb, bias, emptyTensor(lb, columnType, {rows}))
                           .getResult(0);
          Value activation = buildGeneric(
              lb, columnType, {s, weights},
              {AffineMap::get(2, 0, {r, j}, ctx),
               AffineMap::get(2, 0, {j}, ctx)},
              AffineMap::get(2, 0, {r}, ctx),
              {utils::IteratorType::parallel, utils::IteratorType::reduction},
              init, [&](ImplicitLocOpBuilder &gb, ValueRange args) -> Value {
                FloatMath f{gb};
                return f.add(args[2], f.mul(args[0], args[1]));
              });
          Value drawn = buildElementwise(
              lb, columnType, {activation, uniform, current},
              [&](ImplicitLocOpBuilder &gb, ValueRange args) -> Value {
                FloatMath f{gb};
                Value oneF = f.constant(element, 1.0);
                Value p = f.div(oneF, f.add(oneF, math::ExpOp::create(
                                                      gb, f.sub(f.constant(
                                                                    element, 0.0),
                                                                args[0]))));
                Value bit = f.fromBool(
                    arith::CmpFOp::create(gb, arith::CmpFPredicate::OLT,
                                          args[1], p),
                    element);
                Value clamped = arith::CmpFOp::create(
                    gb, arith::CmpFPredicate::UNE, clamp,
                    f.constant(element, 0.0));
                return arith::SelectOp::create(gb, clamped, args[2], bit);
              });
          Value updated = tensor::InsertSliceOp::create(
              lb, drawn, s, unitColumn, columnSizes, ones);
          scf::YieldOp::create(lb, updated);
        });
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};
} // namespace

void dln::populateSamplingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<GibbsSweepLowering>(patterns.getContext());
}
