//===- ExpandOptimizers.cpp - dln-expand-optimizers -----------------------===//
// One pattern per optimizer update op, each writing its torch.optim formula
// (docs/language.md 14.3) with the element-wise primitives, in PyTorch's
// order of operations. Hyperparameters become splat constants; the learning
// rate and the step count are runtime scalars.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::dln {
#define GEN_PASS_DEF_EXPANDOPTIMIZERS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;
using namespace mlir::dln;

namespace {
/// Element-wise arithmetic at one location, constants in the operand's type.
/// Where two operands both build ops, they are built into named values first:
/// C++ leaves the order of argument evaluation open (GCC and clang differ),
/// and the IR must not depend on the compiler that built dlnc.
struct Arith {
  OpBuilder &b;
  Location loc;

  Value constant(Value like, double value) {
    return splatLike(b, loc, like, value);
  }
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return SqrtOp::create(b, loc, x); }
  Value exp(Value x) { return ExpOp::create(b, loc, x); }
  Value mul(Value x, double c) { return mul(x, constant(x, c)); }
  Value add(Value x, double c) { return add(x, constant(x, c)); }
  /// A rank-0 `scalar` broadcast to `like`'s shape.
  Value spread(Value scalar, Value like) {
    return spreadLike(b, loc, scalar, like);
  }
  /// `x * factor` with a rank-0 `factor` (the learning rate, say).
  Value scaled(Value x, Value factor) { return scale(b, loc, x, factor); }

  /// `grad + weight_decay * param`, PyTorch's coupled weight decay.
  Value decayed(Value grad, Value param, double weightDecay) {
    return weightDecay == 0 ? grad : add(grad, mul(param, weightDecay));
  }
  /// `c * old + (1 - c) * x`, an exponential moving average.
  Value average(Value old, Value x, double c) {
    Value fresh = mul(x, 1 - c);
    return add(mul(old, c), fresh);
  }
  /// `1 - beta^t` for the rank-0 step count t, as `1 - exp(t * log(beta))`.
  Value biasCorrection(Value step, double beta) {
    if (beta == 0)
      return constant(step, 1);
    Value power = exp(mul(step, std::log(beta)));
    return sub(constant(step, 1), power);
  }
};

/// p - lr * (g + weight_decay * p)
struct ExpandSGDUpdate : public OpRewritePattern<SGDUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SGDUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Arith a{rewriter, op.getLoc()};
    Value grad = a.decayed(op.getGrad(), op.getParam(),
                           op.getWeightDecay().convertToDouble());
    rewriter.replaceOpWithNewOp<SubOp>(op, op.getParam(),
                                       a.scaled(grad, op.getLr()));
    return success();
  }
};

/// b' = momentum * b + c * g with c = 1 - dampening, or 1 at the first step;
/// p - lr * (nesterov ? g + momentum * b' : b')
struct ExpandSGDMomentumUpdate : public OpRewritePattern<SGDMomentumUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SGDMomentumUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Arith a{rewriter, op.getLoc()};
    double momentum = op.getMomentum().convertToDouble();
    double dampening = op.getDampening().convertToDouble();
    Value grad = a.decayed(op.getGrad(), op.getParam(),
                           op.getWeightDecay().convertToDouble());
    Value damped = grad;
    if (dampening != 0) {
      // The zero buffer makes `b' = c * g` at the first step: c must be 1.
      Value step = op.getStep();
      Value first =
          CompareOp::create(rewriter, op.getLoc(), ComparePredicate::eq, step,
                            a.constant(step, 1));
      Value factor = a.add(a.mul(first, dampening), 1 - dampening);
      damped = a.scaled(grad, factor);
    }
    Value buffer = a.add(a.mul(op.getBuffer(), momentum), damped);
    Value direction =
        op.getNesterov() ? a.add(grad, a.mul(buffer, momentum)) : buffer;
    Value param = a.sub(op.getParam(), a.scaled(direction, op.getLr()));
    rewriter.replaceOp(op, {param, buffer});
    return success();
  }
};

/// PyTorch's Adam (coupled weight decay) and AdamW (`decoupled`).
struct ExpandAdamUpdate : public OpRewritePattern<AdamUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Arith a{rewriter, op.getLoc()};
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    double weightDecay = op.getWeightDecay().convertToDouble();
    Value param = op.getParam(), grad = op.getGrad(), lr = op.getLr();
    Value step = op.getStep();
    if (op.getDecoupled()) {
      if (weightDecay != 0) { // p *= 1 - lr * weight_decay
        Value decay = a.mul(lr, weightDecay);
        param = a.scaled(param, a.sub(a.constant(lr, 1), decay));
      }
    } else {
      grad = a.decayed(grad, param, weightDecay);
    }
    Value expAvg = a.average(op.getExpAvg(), grad, beta1);
    Value expAvgSq = a.average(op.getExpAvgSq(), a.mul(grad, grad), beta2);
    // step_size = lr / (1 - beta1^t);
    // denom = sqrt(v) / sqrt(1 - beta2^t) + eps
    Value stepSize = a.div(lr, a.biasCorrection(step, beta1));
    Value correction2 = a.sqrt(a.biasCorrection(step, beta2));
    Value spreadCorrection2 = a.spread(correction2, param);
    Value denom = a.add(a.div(a.sqrt(expAvgSq), spreadCorrection2),
                        op.getEps().convertToDouble());
    Value newParam = a.sub(param, a.scaled(a.div(expAvg, denom), stepSize));
    rewriter.replaceOp(op, {newParam, expAvg, expAvgSq});
    return success();
  }
};

/// v' = alpha * v + (1 - alpha) * g^2; the step is g / (sqrt(v') + eps).
template <typename OpTy>
Value rmspropDirection(Arith &a, OpTy op, Value &squareAvg) {
  Value grad = a.decayed(op.getGrad(), op.getParam(),
                         op.getWeightDecay().convertToDouble());
  squareAvg = a.average(op.getSquareAvg(), a.mul(grad, grad),
                        op.getAlpha().convertToDouble());
  return a.div(grad, a.add(a.sqrt(squareAvg), op.getEps().convertToDouble()));
}

/// p - lr * g / (sqrt(v') + eps)
struct ExpandRMSpropUpdate : public OpRewritePattern<RMSpropUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RMSpropUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Arith a{rewriter, op.getLoc()};
    Value squareAvg;
    Value direction = rmspropDirection(a, op, squareAvg);
    Value param = a.sub(op.getParam(), a.scaled(direction, op.getLr()));
    rewriter.replaceOp(op, {param, squareAvg});
    return success();
  }
};

/// b' = momentum * b + g / (sqrt(v') + eps); p - lr * b'
struct ExpandRMSpropMomentumUpdate
    : public OpRewritePattern<RMSpropMomentumUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RMSpropMomentumUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Arith a{rewriter, op.getLoc()};
    Value squareAvg;
    Value direction = rmspropDirection(a, op, squareAvg);
    Value buffer = a.add(
        a.mul(op.getBuffer(), op.getMomentum().convertToDouble()), direction);
    Value param = a.sub(op.getParam(), a.scaled(buffer, op.getLr()));
    rewriter.replaceOp(op, {param, squareAvg, buffer});
    return success();
  }
};

/// s' = s + g^2; p - lr * g / (sqrt(s') + eps)
struct ExpandAdagradUpdate : public OpRewritePattern<AdagradUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdagradUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Arith a{rewriter, op.getLoc()};
    Value grad = a.decayed(op.getGrad(), op.getParam(),
                           op.getWeightDecay().convertToDouble());
    Value sum = a.add(op.getSum(), a.mul(grad, grad));
    Value direction =
        a.div(grad, a.add(a.sqrt(sum), op.getEps().convertToDouble()));
    Value param = a.sub(op.getParam(), a.scaled(direction, op.getLr()));
    rewriter.replaceOp(op, {param, sum});
    return success();
  }
};

struct ExpandOptimizersPass
    : public dln::impl::ExpandOptimizersBase<ExpandOptimizersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandSGDUpdate, ExpandSGDMomentumUpdate, ExpandAdamUpdate,
                 ExpandRMSpropUpdate, ExpandRMSpropMomentumUpdate,
                 ExpandAdagradUpdate>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
