//===- Passes.td - dln conversion passes -------------------*- tablegen -*-===//
#ifndef DLNC_COMPILER_CONVERSION_PASSES
#define DLNC_COMPILER_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertDLNToLinalg : Pass<"convert-dln-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower dln ops to linalg, tensor, arith and math";
  let description = [{
    Each op family (element-wise, contraction, reduction, loss) lowers to
    `linalg.generic` ops on tensors. Contractions use a loop order whose
    innermost loop walks contiguous memory, so the LLVM loop vectorizer can
    use full-width SIMD after bufferization. Float ops carry `reassoc` and
    `contract` fast-math flags so that reductions vectorize and FMAs form.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // DLNC_COMPILER_CONVERSION_PASSES
