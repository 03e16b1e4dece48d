//===- DLNDialect.td - The dln dialect definition ----------*- tablegen -*-===//
#ifndef DLN_DIALECT
#define DLN_DIALECT

include "mlir/IR/OpBase.td"

def DLN_Dialect : Dialect {
  let name = "dln";
  let cppNamespace = "::mlir::dln";
  let summary = "Tensor-level neural network operations with gradient rules";
  let description = [{
    The `dln` dialect is the first IR of a compiled `.dln` model: a small set
    of rank-generic primitives on static builtin tensors, each inferring its
    result type when built and carrying its own adjoint rule, used by
    `dln-autodiff`. Layers and losses are compositions of these primitives.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class DLN_Op<string mnemonic, list<Trait> traits = []> :
    Op<DLN_Dialect, mnemonic, traits>;

#endif // DLN_DIALECT
