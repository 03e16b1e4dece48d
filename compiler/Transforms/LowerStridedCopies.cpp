//===- LowerStridedCopies.cpp - dln-lower-strided-copies ------------------===//
// A compiled model links only libdlnrt: copies that the LLVM lowering would
// send to the runner library's memrefCopy become loop nests here.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dln {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIES
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
/// finalize-memref-to-llvm lowers a copy to llvm.memcpy only when both sides
/// have the identity layout (or are otherwise known contiguous).
bool isContiguous(MemRefType type) {
  return type.getLayout().isIdentity() ||
         memref::isStaticShapeAndContiguousRowMajor(type);
}

struct StridedCopyToLinalg : public OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    auto source = cast<MemRefType>(op.getSource().getType());
    auto target = cast<MemRefType>(op.getTarget().getType());
    if (isContiguous(source) && isContiguous(target))
      return rewriter.notifyMatchFailure(op, "a memcpy");
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

struct LowerStridedCopiesPass
    : public dln::impl::LowerStridedCopiesBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<StridedCopyToLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
