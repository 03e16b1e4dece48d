//===- TileContractions.cpp - dln-tile-contractions -----------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::dln {
#define GEN_PASS_DEF_TILECONTRACTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
/// Matrix products: two inputs and at least one reduction loop.
bool isContraction(linalg::LinalgOp op) {
  return op.getNumDpsInputs() == 2 && op.getNumReductionLoops() > 0 &&
         op.hasPureTensorSemantics();
}

struct TileContractionsPass
    : public dln::impl::TileContractionsBase<TileContractionsPass> {
  using TileContractionsBase::TileContractionsBase;

  void runOnOperation() override {
    if (tileSizes.empty())
      return;
    SmallVector<linalg::LinalgOp> targets;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isContraction(op) && !op->getParentOfType<scf::ForOp>())
        targets.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : targets) {
      // Sizes beyond the op's loop count are ignored; missing ones are 0. A
      // size that does not divide its loop is dropped: the partial last tile
      // would be dynamically shaped, which the product kernel cannot take.
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      SmallVector<OpFoldResult> sizes;
      bool anyTiled = false;
      for (unsigned i = 0, e = op.getNumLoops(); i < e; ++i) {
        int64_t size = i < tileSizes.size() ? tileSizes[i] : 0;
        if (size > 0 && (ShapedType::isDynamic(ranges[i]) ||
                         ranges[i] % size != 0 || ranges[i] == size))
          size = 0;
        anyTiled |= size > 0;
        sizes.push_back(rewriter.getIndexAttr(size));
      }
      if (!anyTiled)
        continue;
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op->emitError("failed to tile contraction");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};
} // namespace
