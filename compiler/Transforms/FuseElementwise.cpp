//===- FuseElementwise.cpp - dln-fuse-elementwise -------------------------===//
// Upstream linalg elementwise fusion, restricted so that a producer is only
// fused into element-wise consumers: fusing an activation into a contraction
// would recompute it once per reduction step. For the same reason a producer
// that computes is not fused into a consumer that broadcasts it (a per-channel
// scale into a per-element product), only copies and broadcasts are. Splat
// constant operands of element-wise ops are folded into their bodies, and so
// are broadcasts of constants (the splats of a dynamic shape), whatever their
// use count.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dln {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
bool isElementwiseGeneric(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return generic && generic.getNumLoops() == generic.getNumParallelLoops();
}

/// A generic that only spreads constants (a splat of a dynamic shape is a
/// broadcast of a scalar constant): free to recompute in every consumer.
bool spreadsConstants(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return generic && llvm::all_of(generic.getDpsInputs(), [](Value input) {
           return isa_and_nonnull<arith::ConstantOp>(input.getDefiningOp());
         });
}

/// A generic whose body yields its block arguments unchanged: a copy,
/// transposition or broadcast, which costs nothing to recompute.
bool onlyMovesData(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic)
    return false;
  Block &body = generic.getRegion().front();
  return llvm::all_of(body.getTerminator()->getOperands(), [&](Value v) {
    auto argument = dyn_cast<BlockArgument>(v);
    return argument && argument.getOwner() == &body;
  });
}

struct FuseElementwisePass
    : public dln::impl::FuseElementwiseBase<FuseElementwisePass> {
  using FuseElementwiseBase::FuseElementwiseBase;

  void runOnOperation() override {
    bool multiUse = fuseMultiUse;
    linalg::ControlFusionFn control = [multiUse](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      // Splat constants (the zeros of relu's adjoint, say) become scalars in
      // the consumer's body instead of tensors read from memory.
      if (isa_and_nonnull<arith::ConstantOp>(producer))
        return isElementwiseGeneric(fused->getOwner());
      if (!isElementwiseGeneric(producer) ||
          !isElementwiseGeneric(fused->getOwner()))
        return false;
      if (spreadsConstants(producer) || onlyMovesData(producer))
        return true;
      // Read through a broadcast, the producer would run once per copy.
      auto consumer = cast<linalg::GenericOp>(fused->getOwner());
      if (!consumer.getMatchingIndexingMap(fused).isPermutation())
        return false;
      return multiUse || producer->hasOneUse();
    };
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
