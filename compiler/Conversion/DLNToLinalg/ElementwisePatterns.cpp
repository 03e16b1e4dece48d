//===- ElementwisePatterns.cpp - Element-wise dln ops to linalg -----------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// Lowers a same-shape element-wise op through a scalar body function.
template <typename OpTy>
struct ElementwiseLowering : public OpConversionPattern<OpTy> {
  using Body = Value (*)(FloatMath &, ValueRange);
  ElementwiseLowering(MLIRContext *context, Body body)
      : OpConversionPattern<OpTy>(context), body(body) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!type)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Body fn = body;
    Value result =
        buildElementwise(b, type, adaptor.getOperands(),
                         [fn](ImplicitLocOpBuilder &nb, ValueRange args) {
                           FloatMath m{nb};
                           return fn(m, args);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }

  Body body;
};

Value one(FloatMath &m, Value like) { return m.constant(like.getType(), 1.0); }
} // namespace

void dln::populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ElementwiseLowering<AddOp>>(
      context, +[](FloatMath &m, ValueRange a) { return m.add(a[0], a[1]); });
  patterns.add<ElementwiseLowering<SubOp>>(
      context, +[](FloatMath &m, ValueRange a) { return m.sub(a[0], a[1]); });
  patterns.add<ElementwiseLowering<MulOp>>(
      context, +[](FloatMath &m, ValueRange a) { return m.mul(a[0], a[1]); });
  patterns.add<ElementwiseLowering<ScaleOp>>(
      context, +[](FloatMath &m, ValueRange a) { return m.mul(a[0], a[1]); });
  patterns.add<ElementwiseLowering<BroadcastOp>>(
      context, +[](FloatMath &m, ValueRange a) { return a[0]; });
  // sigmoid(x) = 1 / (1 + exp(-x))
  patterns.add<ElementwiseLowering<SigmoidOp>>(
      context, +[](FloatMath &m, ValueRange a) {
        Value x = a[0];
        Value negX = m.sub(m.constant(x.getType(), 0.0), x);
        return m.div(one(m, x), m.add(one(m, x), m.exp(negX)));
      });
  patterns.add<ElementwiseLowering<TanhOp>>(
      context, +[](FloatMath &m, ValueRange a) {
        return Value(math::TanhOp::create(m.b, a[0]));
      });
  patterns.add<ElementwiseLowering<ReluOp>>(
      context, +[](FloatMath &m, ValueRange a) {
        Value x = a[0];
        return Value(arith::SelectOp::create(m.b, m.isPositive(x), x,
                                             m.constant(x.getType(), 0.0)));
      });
  // dy * y * (1 - y)
  patterns.add<ElementwiseLowering<SigmoidGradOp>>(
      context, +[](FloatMath &m, ValueRange a) {
        Value y = a[0], dy = a[1];
        return m.mul(dy, m.mul(y, m.sub(one(m, y), y)));
      });
  // dy * (1 - y^2)
  patterns.add<ElementwiseLowering<TanhGradOp>>(
      context, +[](FloatMath &m, ValueRange a) {
        Value y = a[0], dy = a[1];
        return m.mul(dy, m.sub(one(m, y), m.mul(y, y)));
      });
  // x > 0 ? dy : 0
  patterns.add<ElementwiseLowering<ReluGradOp>>(
      context, +[](FloatMath &m, ValueRange a) {
        Value x = a[0], dy = a[1];
        return Value(arith::SelectOp::create(m.b, m.isPositive(x), dy,
                                             m.constant(dy.getType(), 0.0)));
      });
}
