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
    I32EnumAttrCase<"grad", 8>, I32EnumAttrCase<"hyper", 9>,
    I32EnumAttrCase<"metric", 10>, I32EnumAttrCase<"mask", 11>]> {
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

def DLN_SampleAttr : AttrDef<DLN_Dialect, "Sample"> {
  let mnemonic = "sample";
  let summary = "a model input or real-valued label: name and per-sample shape";
  let description = [{
    ```mlir
    dln.input = #dln.sample<"x", [784]>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$name,
                        ArrayRefParameter<"int64_t">:$shape);
  let assemblyFormat = "`<` $name `,` `[` $shape `]` `>`";
}

def DLN_ClassLabelAttr : AttrDef<DLN_Dialect, "ClassLabel"> {
  let mnemonic = "class_label";
  let summary = "a class-index label: name and class count";
  let description = [{
    ```mlir
    dln.label = #dln.class_label<"y", 10>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$name, "int64_t":$classes);
  let assemblyFormat = "`<` $name `,` $classes `>`";
}

def DLN_OptimizerAttr : AttrDef<DLN_Dialect, "Optimizer"> {
  let mnemonic = "optimizer";
  let summary = "the optimizer of a train block: kind, learning rate, options";
  let description = [{
    `kind` is a torch.optim name (`sgd`, `adam`, `adamw`, `rmsprop`,
    `adagrad`); `options` holds every other hyperparameter, defaults
    included, as f64 numbers, booleans (`nesterov`) or f64 arrays (`betas`).

    ```mlir
    dln.optimizer = #dln.optimizer<"adam", lr = 1.000000e-03 : f64, {betas = array<f64: 9.000000e-01, 9.990000e-01>, eps = 1.000000e-08 : f64, weight_decay = 0.000000e+00 : f64}>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$kind, "::mlir::FloatAttr":$lr,
                        "::mlir::DictionaryAttr":$options);
  let assemblyFormat = "`<` $kind `,` `lr` `=` $lr `,` $options `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// A numeric option, or `fallback` when absent.
    double getNumber(::llvm::StringRef name, double fallback = 0) const;
    /// A boolean option, false when absent.
    bool getFlag(::llvm::StringRef name) const;
    /// Element `index` of an array option, or `fallback`.
    double getArrayElement(::llvm::StringRef name, unsigned index,
                           double fallback) const;
  }];
}

def DLN_ScheduleAttr : AttrDef<DLN_Dialect, "Schedule"> {
  let mnemonic = "schedule";
  let summary = "a learning-rate schedule, stepped once per epoch";
  let description = [{
    `kind` is `step` (step_size, gamma), `multistep` (milestones, gamma),
    `exponential` (gamma), `cosine` (min_lr, epochs: 0 means the rest of the
    run) or `warmup` (epochs, start, and the schedule `then` that follows).
    The runtime computes each epoch's learning rate (docs/runtime.md).

    ```mlir
    #dln.schedule<"multistep", {gamma = 1.000000e-01 : f64, milestones = array<i64: 30, 80>}>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$kind,
                        "::mlir::DictionaryAttr":$options,
                        OptionalParameter<"::mlir::Attribute">:$then);
  let assemblyFormat = "`<` $kind `,` $options (`,` `then` `=` $then^)? `>`";
}

def DLN_CsvSourceAttr : AttrDef<DLN_Dialect, "CsvSource"> {
  let mnemonic = "csv";
  let summary = "a CSV data source: one sample per line, one label column";
  let description = [{
    `label` is the label column (negative counts from the end), unless
    `label_name` names it in the file's header line; `skip` the number of
    lines skipped before the header, `scale` multiplies every feature, and
    `delimiter` separates the cells.

    ```mlir
    #dln.csv<"train.csv", label = -1, skip = 1, scale = 1.000000e+00 : f64>
    #dln.csv<"flowers.csv", label = -1, skip = 0, scale = 1.000000e+00 : f64, label_name = "species", delimiter = ";">
    ```
  }];
  let parameters = (ins StringRefParameter<>:$path, "int64_t":$label,
                        "int64_t":$skip, "::mlir::FloatAttr":$scale,
                        StringRefParameter<"label column name", "\"\"">:$label_name,
                        StringRefParameter<"cell separator", "\",\"">:$delimiter);
  let assemblyFormat = [{
    `<` $path `,` `label` `=` $label `,` `skip` `=` $skip `,` `scale` `=` $scale
        (`,` `label_name` `=` $label_name^)? (`,` `delimiter` `=` $delimiter^)? `>`
  }];
}

def DLN_IdxSourceAttr : AttrDef<DLN_Dialect, "IdxSource"> {
  let mnemonic = "idx";
  let summary = "an IDX data source (images and labels files, gzip or not)";
  let description = [{
    ```mlir
    #dln.idx<"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", scale = 3.9215686274509803E-3 : f64>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$images,
                        StringRefParameter<>:$labels, "::mlir::FloatAttr":$scale);
  let assemblyFormat = "`<` $images `,` $labels `,` `scale` `=` $scale `>`";
}

def DLN_TableSourceAttr : AttrDef<DLN_Dialect, "TableSource"> {
  let mnemonic = "table";
  let summary = "inline numeric rows (`table`, `truth_table`)";
  let description = [{
    `values` holds the rows one after another, `columns` numbers each;
    `label` is the label column as for CSV. `truth_table(2, fn(a, b) => a
    and b)` is evaluated by the compiler into such a table.

    ```mlir
    #dln.table<columns = 3, label = -1, array<f64: 0., 0., 0., 0., 1., 0., 1., 0., 0., 1., 1., 1.>>
    ```
  }];
  let parameters = (ins "int64_t":$columns, "int64_t":$label,
                        "::mlir::DenseF64ArrayAttr":$values);
  let assemblyFormat = [{
    `<` `columns` `=` $columns `,` `label` `=` $label `,` $values `>`
  }];
  let genVerifyDecl = 1;
}

def DLN_SplitSourceAttr : AttrDef<DLN_Dialect, "SplitSource"> {
  let mnemonic = "split";
  let summary = "one part of a seeded shuffle of another source";
  let description = [{
    The samples of `source` are shuffled with `seed`; part 0 is the first
    `floor(fraction * n)` of them, part 1 the rest (docs/runtime.md gives
    the shuffle).

    ```mlir
    #dln.split<#dln.csv<...>, fraction = 8.000000e-01 : f64, seed = 1, part = 0>
    ```
  }];
  let parameters = (ins "::mlir::Attribute":$source, "::mlir::FloatAttr":$fraction,
                        "int64_t":$seed, "int64_t":$part);
  let assemblyFormat = [{
    `<` $source `,` `fraction` `=` $fraction `,` `seed` `=` $seed `,` `part` `=` $part `>`
  }];
}

def DLN_TransformAttr : AttrDef<DLN_Dialect, "Transform"> {
  let mnemonic = "transform";
  let summary = "a deterministic preprocessing step of the features";
  let description = [{
    `standardize` (no arguments), `scale` (factor), `normalize` (mean,
    std) or `binarize` (threshold); the runtime applies them in order.

    ```mlir
    #dln.transform<"normalize", array<f64: 5.000000e-01, 2.500000e-01>>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$kind,
                        "::mlir::DenseF64ArrayAttr":$args);
  let assemblyFormat = "`<` $kind `,` $args `>`";
}

def DLN_DataAttr : AttrDef<DLN_Dialect, "Data"> {
  let mnemonic = "data";
  let summary = "where a model's data lives: directory, sources, transforms";
  let description = [{
    Sources are `#dln.csv`, `#dln.idx`, `#dln.table` or `#dln.split`; a
    model meant for embedding has none. `transforms` lists
    `#dln.transform`s of the features, `target_transforms` those of the
    target (`one_hot`), `augments` the random augmentations of training
    samples (`random_crop` [size h, size w, padding, mode 0 zeros / 1
    circular / 2 reflect], `random_flip` [horizontal, vertical, p],
    `noise` [std]).

    ```mlir
    dln.data = #dln.data<"/data", train = #dln.csv<...>, test = #dln.csv<...>, transforms = [#dln.transform<"standardize", array<f64>>]>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$dir,
                        OptionalParameter<"::mlir::Attribute">:$train,
                        OptionalParameter<"::mlir::Attribute">:$test,
                        OptionalParameter<"::mlir::ArrayAttr">:$transforms,
                        OptionalParameter<"::mlir::ArrayAttr">:$target_transforms,
                        OptionalParameter<"::mlir::ArrayAttr">:$augments);
  let assemblyFormat = [{
    `<` $dir (`,` `train` `=` $train^)? (`,` `test` `=` $test^)?
        (`,` `transforms` `=` $transforms^)?
        (`,` `target_transforms` `=` $target_transforms^)?
        (`,` `augments` `=` $augments^)? `>`
  }];
}

def DLN_TrainConfigAttr : AttrDef<DLN_Dialect, "TrainConfig"> {
  let mnemonic = "train_config";
  let summary = "one named train block and the entry points compiled for it";
  let description = [{
    A file with named `train` blocks gets one set of entry points per block,
    compiled for its batch size: `train_step`, `eval_step` and
    `loss_and_grad` for the first (the default), `train_step.NAME` and so
    on for the others. `state` lists the block's optimizer state; `groups`,
    present with several optimizers, holds one dictionary per optimizer:
    `{lr = "lr.1", optimizer = #dln.optimizer<...>, params = [...]}`.
    `steps`, present with `step` blocks, holds one dictionary per step
    (`{name, entry_point = "train_step.step.NAME", every, groups}`) and
    `step_order` the step names each iteration runs, in order.

    ```mlir
    #dln.train_config<"full_batch", batch = 120, epochs = 500, seed = 1, log_every = 0, batch_all = true, drop_last = false, regularized = false, suffix = ".full_batch", optimizer = #dln.optimizer<...>, state = []>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$name, "int64_t":$batch,
                        "int64_t":$epochs, "int64_t":$seed, "int64_t":$logEvery,
                        "bool":$batchAll, "bool":$dropLast, "bool":$regularized,
                        StringRefParameter<>:$suffix,
                        OptionalParameter<"::mlir::dln::OptimizerAttr">:$optimizer,
                        "::mlir::ArrayAttr":$state,
                        OptionalParameter<"::mlir::dln::ScheduleAttr">:$schedule,
                        OptionalParameter<"::mlir::ArrayAttr">:$groups,
                        OptionalParameter<"::mlir::ArrayAttr">:$steps,
                        OptionalParameter<"::mlir::ArrayAttr">:$stepOrder);
  let assemblyFormat = [{
    `<` $name `,` `batch` `=` $batch `,` `epochs` `=` $epochs `,` `seed` `=` $seed
        `,` `log_every` `=` $logEvery `,` `batch_all` `=` $batchAll
        `,` `drop_last` `=` $dropLast `,` `regularized` `=` $regularized
        `,` `suffix` `=` $suffix (`,` `optimizer` `=` $optimizer^)?
        `,` `state` `=` $state (`,` `schedule` `=` $schedule^)?
        (`,` `groups` `=` $groups^)? (`,` `steps` `=` $steps^)?
        (`,` `step_order` `=` $stepOrder^)? `>`
  }];
}

#endif // DLN_ATTRS
