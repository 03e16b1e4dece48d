//===- DLNInterfaces.td - Interfaces of the dln dialect ----*- tablegen -*-===//
// Reverse-mode differentiation: each primitive op states its own adjoint
// rule. (Result types are inferred when ops are built: InferTypeOpInterface.)
//===----------------------------------------------------------------------===//
#ifndef DLN_INTERFACES
#define DLN_INTERFACES

include "mlir/IR/OpBase.td"

def DifferentiableOpInterface : OpInterface<"Differentiable"> {
  let cppNamespace = "::mlir::dln";
  let description = [{
    Reverse-mode rule: given the adjoints of the results, build the adjoints of
    the operands. A null Value marks an operand that receives no gradient.
    `dln` ops without this interface (compare, sign, one_hot, stop_gradient)
    are piecewise constant: their results carry no gradient at all. Rules are written
    with the primitive ops only, so the backward pass is ordinary dln IR.
  }];
  let methods = [
    InterfaceMethod<"Build operand adjoints from result adjoints.",
      "::llvm::SmallVector<::mlir::Value>", "buildAdjoints",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$resultAdjoints)>
  ];
}

#endif // DLN_INTERFACES
