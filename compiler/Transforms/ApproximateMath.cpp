//===- ApproximateMath.cpp - dln-approximate-math -------------------------===//
// Activations are exp and tanh of every element: as libm calls they
// dominated a LeNet-5 step. MLIR's polynomial approximations are plain
// arithmetic that LLVM vectorizes; they exist for f32, so f64 models (used
// for tight gradient checks) keep libm.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dln {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
struct ApproximateMathPass
    : public dln::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          return llvm::is_contained(
              {"math.exp", "math.log", "math.log1p", "math.expm1", "math.tanh"},
              name);
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
