//===- ExpandOptimizers.cpp - dln-expand-optimizers -----------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dln {
#define GEN_PASS_DEF_EXPANDOPTIMIZERS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;
using namespace mlir::dln;

namespace {
/// param - lr * grad
struct ExpandSGDUpdate : public OpRewritePattern<SGDUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SGDUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Value step = scale(rewriter, op.getLoc(), op.getGrad(), op.getLr());
    rewriter.replaceOpWithNewOp<SubOp>(op, op.getParam(), step);
    return success();
  }
};

/// v' = momentum * v + grad; param - lr * v'
struct ExpandSGDMomentumUpdate : public OpRewritePattern<SGDMomentumUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SGDMomentumUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value momentum = splatLike(rewriter, loc, op.getVelocity().getType(),
                               op.getMomentum().convertToDouble());
    Value velocity = AddOp::create(
        rewriter, loc, MulOp::create(rewriter, loc, op.getVelocity(), momentum),
        op.getGrad());
    Value param = SubOp::create(rewriter, loc, op.getParam(),
                                scale(rewriter, loc, velocity, op.getLr()));
    rewriter.replaceOp(op, {param, velocity});
    return success();
  }
};

struct ExpandOptimizersPass
    : public dln::impl::ExpandOptimizersBase<ExpandOptimizersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandSGDUpdate, ExpandSGDMomentumUpdate>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
