//===- ConvertDLNToLinalg.cpp - convert-dln-to-linalg ---------------------===//
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::dln {
#define GEN_PASS_DEF_CONVERTDLNTOLINALG
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
struct ConvertDLNToLinalgPass
    : public dln::impl::ConvertDLNToLinalgBase<ConvertDLNToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<dln::DLNDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect, func::FuncDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    // Training ops must have been expanded by earlier passes.
    target.addIllegalOp<dln::ValueAndGradOp, dln::SGDUpdateOp,
                        dln::SGDMomentumUpdateOp>();

    RewritePatternSet patterns(context);
    dln::populateElementwiseToLinalgPatterns(patterns);
    dln::populateContractionToLinalgPatterns(patterns);
    dln::populateReductionToLinalgPatterns(patterns);
    dln::populateShapeToLinalgPatterns(patterns);
    dln::populateWindowToLinalgPatterns(patterns);
    dln::populateRandomToLinalgPatterns(patterns);
    dln::populatePixelToLinalgPatterns(patterns);
    dln::populateSamplingToLinalgPatterns(patterns);
    dln::populateScanToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
