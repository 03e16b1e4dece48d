//===- ElementwisePatterns.cpp - Element-wise dln ops to linalg -----------===//
// One template lowers every element-wise op to a linalg.generic; each op only
// names its scalar body (as IREE's StableHLOToLinalgPointwise does).
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
using ScalarBody = Value (*)(FloatMath &, ValueRange);

template <typename OpTy>
struct ElementwiseLowering : public OpConversionPattern<OpTy> {
  ElementwiseLowering(MLIRContext *context, ScalarBody body)
      : OpConversionPattern<OpTy>(context), body(body) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    ScalarBody fn = body;
    rewriter.replaceOp(
        op, buildElementwise(b, type, adaptor.getOperands(),
                             [fn](ImplicitLocOpBuilder &nb, ValueRange args) {
                               FloatMath m{nb};
                               return fn(m, args);
                             }));
    return success();
  }

  ScalarBody body;
};

/// A comparison's body for its predicate.
struct CompareLowering : public OpConversionPattern<CompareOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CompareOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    arith::CmpFPredicate predicate;
    switch (op.getPredicate()) {
    case ComparePredicate::lt:
      predicate = arith::CmpFPredicate::OLT;
      break;
    case ComparePredicate::le:
      predicate = arith::CmpFPredicate::OLE;
      break;
    case ComparePredicate::gt:
      predicate = arith::CmpFPredicate::OGT;
      break;
    case ComparePredicate::ge:
      predicate = arith::CmpFPredicate::OGE;
      break;
    case ComparePredicate::eq:
      predicate = arith::CmpFPredicate::OEQ;
      break;
    case ComparePredicate::ne:
      predicate = arith::CmpFPredicate::UNE;
      break;
    }
    auto type = cast<RankedTensorType>(op.getResult().getType());
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    rewriter.replaceOp(
        op,
        buildElementwise(b, type, adaptor.getOperands(),
                         [&](ImplicitLocOpBuilder &nb, ValueRange args) {
                           Value c = arith::CmpFOp::create(nb, predicate,
                                                           args[0], args[1]);
                           return FloatMath{nb}.fromBool(c, args[0].getType());
                         }));
    return success();
  }
};

/// stop_gradient only matters to autodiff.
struct StopGradientLowering : public OpConversionPattern<StopGradientOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(StopGradientOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

template <typename OpTy>
void addPointwise(RewritePatternSet &patterns, ScalarBody body) {
  patterns.add<ElementwiseLowering<OpTy>>(patterns.getContext(), body);
}

Value constant(FloatMath &m, Value like, double v) {
  return m.constant(like.getType(), v);
}
} // namespace

void dln::populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  addPointwise<AddOp>(
      patterns, +[](FloatMath &m, ValueRange a) { return m.add(a[0], a[1]); });
  addPointwise<SubOp>(
      patterns, +[](FloatMath &m, ValueRange a) { return m.sub(a[0], a[1]); });
  addPointwise<MulOp>(
      patterns, +[](FloatMath &m, ValueRange a) { return m.mul(a[0], a[1]); });
  addPointwise<DivOp>(
      patterns, +[](FloatMath &m, ValueRange a) { return m.div(a[0], a[1]); });
  addPointwise<MaxOp>(
      patterns, +[](FloatMath &m, ValueRange a) { return m.max(a[0], a[1]); });
  addPointwise<NegOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        return Value(arith::NegFOp::create(m.b, a[0]));
      });
  addPointwise<ExpOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        return Value(math::ExpOp::create(m.b, a[0]));
      });
  addPointwise<LogOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        return Value(math::LogOp::create(m.b, a[0]));
      });
  addPointwise<SqrtOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        return Value(math::SqrtOp::create(m.b, a[0]));
      });
  addPointwise<AbsOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        return Value(math::AbsFOp::create(m.b, a[0]));
      });
  addPointwise<TanhOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        return Value(math::TanhOp::create(m.b, a[0]));
      });
  addPointwise<FloorOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        return Value(math::FloorOp::create(m.b, a[0]));
      });
  // sign(x): 1, -1, or 0 at 0 (and NaN).
  addPointwise<SignOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        Value x = a[0], zero = constant(m, x, 0.0);
        Value pos = m.fromBool(
            arith::CmpFOp::create(m.b, arith::CmpFPredicate::OGT, x, zero),
            x.getType());
        Value neg = m.fromBool(
            arith::CmpFOp::create(m.b, arith::CmpFPredicate::OLT, x, zero),
            x.getType());
        return m.sub(pos, neg);
      });
  // 1 / (1 + exp(-x))
  addPointwise<SigmoidOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        Value x = a[0], one = constant(m, x, 1.0);
        Value e = math::ExpOp::create(m.b, arith::NegFOp::create(m.b, x));
        return m.div(one, m.add(one, e));
      });
  addPointwise<ReluOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        Value x = a[0], zero = constant(m, x, 0.0);
        Value positive =
            arith::CmpFOp::create(m.b, arith::CmpFPredicate::OGT, x, zero);
        return Value(arith::SelectOp::create(m.b, positive, x, zero));
      });
  addPointwise<SelectOp>(
      patterns, +[](FloatMath &m, ValueRange a) {
        Value c = arith::CmpFOp::create(m.b, arith::CmpFPredicate::UNE, a[0],
                                        constant(m, a[0], 0.0));
        return Value(arith::SelectOp::create(m.b, c, a[1], a[2]));
      });
  patterns.add<CompareLowering, StopGradientLowering>(context);
}
