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

def DLN_InitAttr : AttrDef<DLN_Dialect, "Init"> {
  let mnemonic = "init";
  let summary = "how the runtime initializes a parameter or state tensor";
  let description = [{
    `kind` is one of dlnrt/InitKinds.def (shared with the runtime), `args`
    its arguments in that file's order (constant: value; uniform: a, b;
    normal: mean, std), and the fans those of the layer that owns the tensor.

    ```mlir
    #dln.init<"uniform", fan_in = 2, fan_out = 1, args = [-1.0, 1.0]>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$kind, "int64_t":$fan_in,
                        "int64_t":$fan_out,
                        OptionalParameter<"::mlir::DenseF64ArrayAttr">:$args);
  let assemblyFormat = [{
    `<` $kind `,` `fan_in` `=` $fan_in `,` `fan_out` `=` $fan_out
    (`,` `args` `=` $args^)? `>`
  }];
}

def DLN_TensorSpecAttr : AttrDef<DLN_Dialect, "TensorSpec"> {
  let mnemonic = "tensor";
  let summary = "a persistent tensor of the model: name, shape, initializer";
  let description = [{
    The elements of the `dln.params` and `dln.state` module attributes.

    ```mlir
    #dln.tensor<"fc1.weight", [784, 256], #dln.init<"fan_in_uniform", fan_in = 784, fan_out = 256>>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$name,
                        ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::dln::InitAttr":$init);
  let assemblyFormat = "`<` $name `,` `[` $shape `]` `,` $init `>`";
}

#endif // DLN_ATTRS
