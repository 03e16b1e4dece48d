//===- DLNInterfaces.td - Interfaces of the dln dialect ----*- tablegen -*-===//
// Shape inference (toy-style: results start unranked and are refined) and
// reverse-mode differentiation (each op states its own adjoint rule).
//===----------------------------------------------------------------------===//
#ifndef DLN_INTERFACES
#define DLN_INTERFACES

include "mlir/IR/OpBase.td"

def ShapeInferenceOpInterface : OpInterface<"ShapeInference"> {
  let cppNamespace = "::mlir::dln";
  let description = [{
    Refines the result types of an op from the (ranked) types of its operands.
    Emits an error on the op and fails when the operand shapes are incompatible.
  }];
  let methods = [
    InterfaceMethod<"Infer and set the result shapes.", "::llvm::LogicalResult", "inferShapes">
  ];
}

def DifferentiableOpInterface : OpInterface<"Differentiable"> {
  let cppNamespace = "::mlir::dln";
  let description = [{
    Reverse-mode rule: given the adjoints of the results, build the adjoints of
    the operands. A null Value marks an operand that receives no gradient
    (integer labels, for instance).
  }];
  let methods = [
    InterfaceMethod<"Build operand adjoints from result adjoints.",
      "::llvm::SmallVector<::mlir::Value>", "buildAdjoints",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$resultAdjoints)>
  ];
}

#endif // DLN_INTERFACES
