//===- DLNDialect.td - The dln dialect definition ----------*- tablegen -*-===//
#ifndef DLN_DIALECT
#define DLN_DIALECT

include "mlir/IR/OpBase.td"

def DLN_Dialect : Dialect {
  let name = "dln";
  let cppNamespace = "::mlir::dln";
  let summary = "Tensor-level neural network operations with gradient rules";
  let description = [{
    The `dln` dialect is the first IR of a compiled `.dln` model. Ops work on
    builtin tensors whose leading dimension is the batch. Intermediate results
    may be unranked until `dln-shape-inference` refines them. Every
    differentiable op carries its own adjoint rule, used by `dln-autodiff`.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

class DLN_Op<string mnemonic, list<Trait> traits = []> :
    Op<DLN_Dialect, mnemonic, traits>;

#endif // DLN_DIALECT
