//===- DLNAttrs.td - Attributes of the dln dialect ---------*- tablegen -*-===//
// How an entry point's arguments and results relate to the model: the
// compiled object's entry-point table is generated from these.
//===----------------------------------------------------------------------===//
#ifndef DLN_ATTRS
#define DLN_ATTRS

include "dialects/DLN/IR/DLNDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def DLN_Role : I32EnumAttr<"Role", "what an entry-point argument holds", [
    I32EnumAttrCase<"param", 0>, I32EnumAttrCase<"state", 1>,
    I32EnumAttrCase<"optimizer_state", 2>, I32EnumAttrCase<"rng", 3>,
    I32EnumAttrCase<"input", 4>, I32EnumAttrCase<"label", 5>,
    I32EnumAttrCase<"output", 6>, I32EnumAttrCase<"loss", 7>,
    I32EnumAttrCase<"grad", 8>, I32EnumAttrCase<"hyper", 9>]> {
  let cppNamespace = "::mlir::dln";
  let genSpecializedAttr = 0;
}

def DLN_RoleAttr : EnumAttr<DLN_Dialect, DLN_Role, "role">;

def DLN_ArgAttr : AttrDef<DLN_Dialect, "Arg"> {
  let mnemonic = "arg";
  let summary = "the role and name of an entry-point argument or result";
  let description = [{
    ```mlir
    func.func @train_step(%w: tensor<4x3xf32> {dln.arg = #dln.arg<param, "fc1.weight">}, ...)
    ```
    Names refer to the model's params, state, inputs, labels, outputs and
    losses; `grad` names the param it is the gradient of.
  }];
  let parameters = (ins "::mlir::dln::Role":$role, StringRefParameter<>:$name);
  let assemblyFormat = "`<` $role `,` $name `>`";
}

#endif // DLN_ATTRS
