//===- UnshareInitTensors.cpp - dln-unshare-init-tensors ------------------===//
// CSE merges identical `tensor.empty` ops and the `linalg.fill`s of them, so
// in a deep model one empty tensor of each shape becomes the `outs` of
// hundreds of ops. One-shot bufferization's analysis grows with the size of
// such alias sets (a 200-layer MLP spent 45 s there). Giving every
// destination its own copy of its empty or filled init restores small alias
// sets; it adds no work, since each use needed its own buffer anyway.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dln {
#define GEN_PASS_DEF_UNSHAREINITTENSORS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
/// A destination worth cloning: an empty tensor, or a fill of one.
bool isFreshInit(Operation *op) {
  if (isa_and_nonnull<tensor::EmptyOp>(op))
    return true;
  auto fill = dyn_cast_or_null<linalg::FillOp>(op);
  return fill && fill.getOutputs().front().getDefiningOp<tensor::EmptyOp>();
}

/// Gives each shared fresh init of a destination-style op a private copy.
struct UnshareInit
    : public OpInterfaceRewritePattern<DestinationStyleOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(DestinationStyleOpInterface op,
                                PatternRewriter &rewriter) const override {
    bool changed = false;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      Operation *producer = init.get().getDefiningOp();
      if (!isFreshInit(producer) || init.get().hasOneUse())
        continue;
      rewriter.setInsertionPoint(op);
      Operation *copy = rewriter.clone(*producer);
      if (auto fill = dyn_cast<linalg::FillOp>(copy)) {
        Operation *empty = rewriter.clone(
            *fill.getOutputs().front().getDefiningOp());
        rewriter.modifyOpInPlace(fill, [&] {
          fill.getOutputsMutable()[0].set(empty->getResult(0));
        });
        rewriter.moveOpBefore(empty, fill);
      }
      rewriter.modifyOpInPlace(op,
                               [&] { init.set(copy->getResult(0)); });
      changed = true;
    }
    return success(changed);
  }
};

struct UnshareInitTensorsPass
    : public dln::impl::UnshareInitTensorsBase<UnshareInitTensorsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<UnshareInit>(&getContext());
    // Only the clones are new: no folding, no CSE-like dedupe of them.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.enableConstantCSE(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      signalPassFailure();
  }
};
} // namespace
