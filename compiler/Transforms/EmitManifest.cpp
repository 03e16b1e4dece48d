//===- EmitManifest.cpp - dln-emit-manifest -------------------------------===//
// Serializes the model description the runtime reads (format: the "Model
// description" section of docs/runtime.md) as JSON: the `dln.*` module
// attributes written by the frontend, plus the entry-point table built from
// the `dln.abi` attribute of every lowered entry point.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/JSON.h"

namespace mlir::dln {
#define GEN_PASS_DEF_EMITMANIFEST
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;
namespace json = llvm::json;

namespace {
/// Sizes, with -1 for a dynamic dimension (the batch, chosen by the caller).
json::Array shapeJson(ArrayRef<int64_t> dims) {
  return json::Array(llvm::map_range(dims, [](int64_t d) {
    return json::Value(ShapedType::isDynamic(d) ? int64_t(-1) : d);
  }));
}

std::string dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF64())
    return "f64";
  if (type.isInteger(32))
    return "i32";
  if (type.isInteger(64))
    return "i64";
  return "unknown";
}

/// A #dln.csv, #dln.idx, #dln.table or #dln.split data source.
json::Object sourceJson(Attribute source) {
  if (auto table = dyn_cast<dln::TableSourceAttr>(source)) {
    json::Array rows;
    ArrayRef<double> values = table.getValues().asArrayRef();
    for (size_t i = 0; i < values.size(); i += table.getColumns())
      rows.push_back(json::Array(values.slice(i, table.getColumns())));
    return json::Object{{"kind", "table"},
                        {"columns", table.getColumns()},
                        {"label", table.getLabel()},
                        {"rows", std::move(rows)}};
  }
  if (auto split = dyn_cast<dln::SplitSourceAttr>(source))
    return json::Object{{"kind", "split"},
                        {"source", sourceJson(split.getSource())},
                        {"fraction", split.getFraction().getValueAsDouble()},
                        {"seed", split.getSeed()},
                        {"part", split.getPart()}};
  if (auto csv = dyn_cast<dln::CsvSourceAttr>(source)) {
    json::Object object{{"kind", "csv"},
                        {"path", csv.getPath().str()},
                        {"label", csv.getLabel()},
                        {"skip", csv.getSkip()},
                        {"scale", csv.getScale().getValueAsDouble()}};
    if (!csv.getLabelName().empty())
      object["label_name"] = csv.getLabelName().str();
    if (csv.getDelimiter() != ",")
      object["delimiter"] = csv.getDelimiter().str();
    return object;
  }
  auto idx = cast<dln::IdxSourceAttr>(source);
  return json::Object{{"kind", "idx"},
                      {"images", idx.getImages().str()},
                      {"labels", idx.getLabels().str()},
                      {"scale", idx.getScale().getValueAsDouble()}};
}

/// A #dln.sample (input or real label) or #dln.class_label.
json::Object sampleJson(Attribute sample) {
  if (auto label = dyn_cast<dln::ClassLabelAttr>(sample))
    return json::Object{{"name", label.getName().str()},
                        {"kind", "class"},
                        {"classes", label.getClasses()}};
  auto real = cast<dln::SampleAttr>(sample);
  return json::Object{{"name", real.getName().str()},
                      {"shape", shapeJson(real.getShape())}};
}

/// A parameter or state tensor: name, shape and initializer, whose
/// arguments get the names dlnrt/InitKinds.def gives them.
json::Object tensorJson(dln::TensorSpecAttr tensor) {
  dln::InitAttr init = tensor.getInit();
  json::Object initJson{{"kind", init.getKind().str()},
                        {"fan_in", init.getFanIn()},
                        {"fan_out", init.getFanOut()}};
  struct Kind {
    const char *spelling;
    const char *args[2];
  };
  static const Kind kinds[] = {
#define DLNRT_INIT_KIND(Enumerator, spelling, argc, arg0, arg1, usesFans)      \
  {spelling, {arg0, arg1}},
#include "dlnrt/InitKinds.def"
  };
  if (DenseF64ArrayAttr args = init.getArgs())
    for (const Kind &kind : kinds)
      if (init.getKind() == kind.spelling)
        for (auto [i, value] : llvm::enumerate(args.asArrayRef()))
          if (i < 2 && kind.args[i])
            initJson[kind.args[i]] = value;
  return json::Object{{"name", tensor.getName().str()},
                      {"shape", shapeJson(tensor.getShape())},
                      {"init", std::move(initJson)}};
}

/// {"kind": "adam", "lr": 0.001, "betas": [0.9, 0.999], ...}: every
/// hyperparameter, for `info`; the runtime itself uses only lr.
static json::Object optimizerJson(dln::OptimizerAttr optimizer) {
  json::Object object{{"kind", optimizer.getKind().str()},
                      {"lr", optimizer.getLr().getValueAsDouble()}};
  for (NamedAttribute option : optimizer.getOptions()) {
    json::Value value = nullptr;
    if (auto number = dyn_cast<FloatAttr>(option.getValue()))
      value = number.getValueAsDouble();
    else if (auto flag = dyn_cast<BoolAttr>(option.getValue()))
      value = flag.getValue();
    else if (auto array = dyn_cast<DenseF64ArrayAttr>(option.getValue()))
      value = json::Array(array.asArrayRef());
    object[option.getName().strref()] = std::move(value);
  }
  return object;
}

/// {"kind": "warmup", "epochs": 5, "start": 0.333, "then": {...}}: the
/// runtime computes each epoch's learning rate from it.
static json::Object scheduleJson(dln::ScheduleAttr schedule) {
  json::Object object{{"kind", schedule.getKind().str()}};
  for (NamedAttribute option : schedule.getOptions()) {
    json::Value value = nullptr;
    if (auto number = dyn_cast<FloatAttr>(option.getValue()))
      value = number.getValueAsDouble();
    else if (auto epochs = dyn_cast<DenseI64ArrayAttr>(option.getValue()))
      value = json::Array(epochs.asArrayRef());
    object[option.getName().strref()] = std::move(value);
  }
  if (auto then = dyn_cast_or_null<dln::ScheduleAttr>(schedule.getThen()))
    object["then"] = scheduleJson(then);
  return object;
}

/// [{"lr_name": "lr.1", "optimizer": {...}, "params": [...]}, ...]: one
/// entry per optimizer of a train block with several.
static FailureOr<json::Array> groupsJson(ModuleOp module, ArrayAttr groups) {
  json::Array list;
  for (Attribute attr : groups) {
    auto group = dyn_cast<DictionaryAttr>(attr);
    auto lr = group ? group.getAs<StringAttr>("lr") : StringAttr();
    auto optimizer =
        group ? group.getAs<dln::OptimizerAttr>("optimizer") : nullptr;
    auto params = group ? group.getAs<ArrayAttr>("params") : ArrayAttr();
    if (!lr || !optimizer || !params)
      return module.emitError("optimizer groups need lr, optimizer and "
                              "params"),
             failure();
    json::Array names;
    for (auto name : params.getAsRange<StringAttr>())
      names.push_back(name.getValue().str());
    list.push_back(json::Object{{"lr_name", lr.getValue().str()},
                                {"optimizer", optimizerJson(optimizer)},
                                {"params", std::move(names)}});
  }
  return list;
}

/// Step blocks (docs 14.4): `"steps": [{"name", "entry_point", "every",
/// "optimizer_groups"}, ...]` and `"step_order": [names]` into `train`.
static LogicalResult stepsJson(ModuleOp module, ArrayAttr steps,
                               ArrayAttr order, json::Object &train) {
  if (!steps)
    return success();
  json::Array list;
  for (Attribute attr : steps) {
    auto step = dyn_cast<DictionaryAttr>(attr);
    auto name = step ? step.getAs<StringAttr>("name") : StringAttr();
    auto entry = step ? step.getAs<StringAttr>("entry_point") : StringAttr();
    auto every = step ? step.getAs<IntegerAttr>("every") : IntegerAttr();
    auto groups = step ? step.getAs<ArrayAttr>("groups") : ArrayAttr();
    if (!name || !entry || !every || !groups)
      return module.emitError("steps need name, entry_point, every and "
                              "groups");
    FailureOr<json::Array> groupList = groupsJson(module, groups);
    if (failed(groupList))
      return failure();
    list.push_back(json::Object{{"name", name.getValue().str()},
                                {"entry_point", entry.getValue().str()},
                                {"every", every.getInt()},
                                {"optimizer_groups", std::move(*groupList)}});
  }
  train["steps"] = std::move(list);
  json::Array names;
  for (auto name : order.getAsRange<StringAttr>())
    names.push_back(name.getValue().str());
  train["step_order"] = std::move(names);
  return success();
}

class ManifestWriter {
public:
  explicit ManifestWriter(ModuleOp module) : module(module) {}

  FailureOr<std::string> write() {
    auto dtype = module->getAttrOfType<TypeAttr>("dln.dtype");
    auto optimizer = module->getAttrOfType<dln::OptimizerAttr>("dln.optimizer");
    // A model with only an eval block has no training settings.
    bool trained = optimizer || module->hasAttr("dln.trained");
    auto params = module->getAttrOfType<ArrayAttr>("dln.params");
    Attribute input = module->getAttr("dln.input");
    Attribute label = module->getAttr("dln.label");
    auto data = module->getAttrOfType<dln::DataAttr>("dln.data");
    // A model without a label (an autoencoder) has none.
    if (!dtype || !params || !input || !data ||
        !isa<dln::SampleAttr, dln::ClassLabelAttr>(input) ||
        (label && !isa<dln::SampleAttr, dln::ClassLabelAttr>(label)))
      return module.emitError("missing dln.* model attributes: not a dlnc "
                              "model"),
             failure();
    json::Object root{{"format", "dlnc-model"},
                      {"version", 3},
                      {"model", module.getSymName().value_or("model").str()},
                      {"dtype", dtypeName(dtype.getValue())}};
    json::Object train;
    // Models trained only by update rules have no optimizer.
    if (optimizer)
      train["optimizer"] = optimizerJson(optimizer);
    if (auto schedule =
            module->getAttrOfType<dln::ScheduleAttr>("dln.lr_schedule"))
      train["lr_schedule"] = scheduleJson(schedule);
    if (auto groups = module->getAttrOfType<ArrayAttr>("dln.optimizer_groups")) {
      FailureOr<json::Array> list = groupsJson(module, groups);
      if (failed(list))
        return failure();
      train["optimizer_groups"] = std::move(*list);
    }
    if (failed(stepsJson(module,
                         module->getAttrOfType<ArrayAttr>("dln.steps"),
                         module->getAttrOfType<ArrayAttr>("dln.step_order"),
                         train)))
      return failure();
    for (StringRef key : {"batch", "epochs", "seed", "log_every"}) {
      if (key != "batch" && !trained)
        continue;
      auto attr = module->getAttrOfType<IntegerAttr>(("dln." + key).str());
      if (!attr)
        return module.emitError() << "missing dln." << key, failure();
      (key == "batch" ? root : train)[key] = attr.getInt();
    }
    // Full-batch training was compiled for one data-set size.
    if (module->hasAttr("dln.batch_all"))
      train["batch_covers_dataset"] = true;
    if (module->hasAttr("dln.drop_last"))
      train["drop_last"] = true;
    if (module->hasAttr("dln.regularized"))
      train["regularized"] = true;
    if (trained)
      root["train"] = std::move(train);
    if (auto configs = module->getAttrOfType<ArrayAttr>("dln.configs")) {
      json::Array list;
      for (Attribute attr : configs) {
        auto config = dyn_cast<dln::TrainConfigAttr>(attr);
        if (!config)
          return module.emitError("dln.configs must hold #dln.train_config"),
                 failure();
        json::Object object{{"name", config.getName().str()},
                            {"batch", config.getBatch()},
                            {"epochs", config.getEpochs()},
                            {"seed", config.getSeed()},
                            {"log_every", config.getLogEvery()},
                            {"batch_covers_dataset", config.getBatchAll()},
                            {"drop_last", config.getDropLast()},
                            {"regularized", config.getRegularized()}};
        if (dln::OptimizerAttr configOptimizer = config.getOptimizer())
          object["optimizer"] = optimizerJson(configOptimizer);
        if (dln::ScheduleAttr schedule = config.getSchedule())
          object["lr_schedule"] = scheduleJson(schedule);
        if (ArrayAttr groups = config.getGroups()) {
          FailureOr<json::Array> list = groupsJson(module, groups);
          if (failed(list))
            return failure();
          object["optimizer_groups"] = std::move(*list);
        }
        if (failed(stepsJson(module, config.getSteps(),
                             config.getStepOrder(), object)))
          return failure();
        json::Array stateList;
        for (Attribute tensor : config.getState()) {
          auto spec = dyn_cast<dln::TensorSpecAttr>(tensor);
          if (!spec)
            return module.emitError("a train config's state must hold "
                                    "#dln.tensor specs"),
                   failure();
          stateList.push_back(tensorJson(spec));
        }
        object["state"] = std::move(stateList);
        json::Object names;
        for (StringRef entry : {"train_step", "eval_step", "loss_and_grad"}) {
          std::string name = (entry + config.getSuffix()).str();
          if (module.lookupSymbol(name))
            names[entry] = name;
        }
        object["entry_points"] = std::move(names);
        list.push_back(std::move(object));
      }
      root["configs"] = std::move(list);
    }

    auto state = module->getAttrOfType<ArrayAttr>("dln.state");
    auto allSpecs = [](ArrayAttr list) {
      return !list || llvm::all_of(list, llvm::IsaPred<dln::TensorSpecAttr>);
    };
    if (!allSpecs(params) || !allSpecs(state))
      return module.emitError("dln.params and dln.state must hold "
                              "#dln.tensor specs"),
             failure();
    json::Array paramList, stateList;
    for (auto param : params.getAsRange<dln::TensorSpecAttr>())
      paramList.push_back(tensorJson(param));
    if (state)
      for (auto tensor : state.getAsRange<dln::TensorSpecAttr>())
        stateList.push_back(tensorJson(tensor));
    root["params"] = std::move(paramList);
    root["state"] = std::move(stateList);
    root["inputs"] = json::Array{sampleJson(input)};
    json::Array labels;
    if (label) {
      json::Object labelJson = sampleJson(label);
      if (isa<dln::SampleAttr>(label))
        labelJson["kind"] = "real";
      labels.push_back(std::move(labelJson));
    }
    root["labels"] = std::move(labels);
    // Fields bind in declaration order: a label declared first takes field
    // 0 (a generator's image) and the input field 1 (its class).
    if (module->hasAttr("dln.label_first"))
      root["label_first"] = true;

    // Predict, encode and decode blocks: their own input and output (docs
    // 16.1).
    json::Array predicts;
    llvm::StringSet<> predictEntryPoints;
    if (auto list = module->getAttrOfType<ArrayAttr>("dln.predicts")) {
      for (auto predict : list.getAsRange<DictionaryAttr>()) {
        auto entry = predict.getAs<StringAttr>("entry_point");
        auto output = predict.getAs<dln::SampleAttr>("output");
        Attribute input = predict.get("input");
        auto count = predict.getAs<IntegerAttr>("n");
        auto kind = predict.getAs<StringAttr>("kind");
        if (!entry || !output || !kind || !predict.getAs<StringAttr>("name") ||
            !(count ||
              isa_and_nonnull<dln::SampleAttr, dln::ClassLabelAttr>(input)))
          return module.emitError("malformed dln.predicts entry"), failure();
        predictEntryPoints.insert(entry.getValue());
        json::Object block{
            {"kind", kind.getValue().str()},
            {"name", predict.getAs<StringAttr>("name").getValue().str()},
            {"entry_point", entry.getValue().str()},
            {"output", sampleJson(output)}};
        if (count) {
          // A sample block: no input, n rows by default.
          block["n"] = count.getInt();
        } else {
          json::Object inputJson = sampleJson(input);
          if (isa<dln::SampleAttr>(input))
            inputJson["kind"] = "real";
          block["input"] = std::move(inputJson);
        }
        predicts.push_back(std::move(block));
      }
      root["predicts"] = std::move(predicts);
    }

    json::Array entryPoints;
    std::optional<json::Object> output;
    json::Array metrics;
    llvm::StringSet<> metricNames;
    for (auto func : module.getOps<func::FuncOp>()) {
      auto abi = func->getAttrOfType<ArrayAttr>("dln.abi");
      if (!abi)
        continue;
      bool isPredict = predictEntryPoints.contains(func.getSymName());
      json::Array args;
      for (auto [desc, type] : llvm::zip_equal(abi.getAsRange<DictionaryAttr>(),
                                               func.getArgumentTypes())) {
        auto role = desc.getAs<dln::ArgAttr>("arg");
        auto memref = cast<MemRefType>(type);
        json::Object arg{
            {"role", dln::stringifyRole(role.getRole()).str()},
            {"name", role.getName().str()},
            {"dtype", dtypeName(memref.getElementType())},
            {"shape", shapeJson(memref.getShape())},
            {"access", desc.getAs<StringAttr>("access").getValue().str()}};
        // A per-slot state (`state` in a model) leads with the batch.
        bool slotState = role.getRole() == dln::Role::state &&
                         memref.getRank() > 0 && memref.isDynamicDim(0);
        if (isBatched(role.getRole()) || slotState ||
            (role.getRole() == dln::Role::loss && memref.getRank() == 1))
          arg["batch_dim"] = 0;
        if (role.getRole() == dln::Role::metric &&
            metricNames.insert(role.getName()).second)
          metrics.push_back(json::Object{
              {"name", role.getName().str()},
              {"kind", metricKind(role.getName())}});
        if (role.getRole() == dln::Role::output && !output && !isPredict)
          output = json::Object{
              {"name", role.getName().str()},
              {"shape", shapeJson(memref.getShape().drop_front())}};
        args.push_back(std::move(arg));
      }
      entryPoints.push_back(json::Object{{"name", func.getSymName().str()},
                                         {"args", std::move(args)}});
    }
    // A model that only reports metrics or losses, or learns by update
    // rules alone, has no output.
    auto lossNames = module->getAttrOfType<ArrayAttr>("dln.losses");
    if (!output && metrics.empty() && (!lossNames || lossNames.empty()) &&
        !module.lookupSymbol("train_step"))
      return module.emitError("no entry point has an output; run "
                              "dln-lower-entry-points first"),
             failure();
    root["outputs"] = output ? json::Array{std::move(*output)} : json::Array();
    if (!metrics.empty())
      root["metrics"] = std::move(metrics);
    json::Array losses;
    if (lossNames) {
      for (auto name : lossNames.getAsRange<StringAttr>())
        losses.push_back(json::Object{{"name", name.getValue().str()}});
    } else {
      losses.push_back(json::Object{{"name", "loss"}});
    }
    root["losses"] = std::move(losses);
    json::Object dataJson{{"dir", data.getDir().str()}};
    if (Attribute train = data.getTrain())
      dataJson["train"] = sourceJson(train);
    if (Attribute test = data.getTest())
      dataJson["test"] = sourceJson(test);
    if (ArrayAttr transforms = data.getTransforms()) {
      json::Array list;
      for (Attribute attr : transforms) {
        auto transform = dyn_cast<dln::TransformAttr>(attr);
        if (!transform)
          return module.emitError("dln.data transforms must hold "
                                  "#dln.transform"),
                 failure();
        json::Object object{{"kind", transform.getKind().str()}};
        // The argument names of each kind, in order (docs/runtime.md).
        SmallVector<StringRef, 2> names =
            llvm::StringSwitch<SmallVector<StringRef, 2>>(transform.getKind())
                .Case("scale", {"factor"})
                .Case("normalize", {"mean", "std"})
                .Case("binarize", {"threshold"})
                .Default({});
        ArrayRef<double> args = transform.getArgs().asArrayRef();
        if (args.size() != names.size())
          return module.emitError() << "transform '" << transform.getKind()
                                    << "' needs " << names.size()
                                    << " argument(s)",
                 failure();
        for (auto [name, value] : llvm::zip_equal(names, args))
          object[name] = value;
        list.push_back(std::move(object));
      }
      dataJson["transforms"] = std::move(list);
    }
    if (ArrayAttr augments = data.getAugments()) {
      json::Array list;
      for (auto augment : augments.getAsRange<dln::TransformAttr>()) {
        StringRef kind = augment.getKind();
        ArrayRef<double> args = augment.getArgs().asArrayRef();
        size_t expected = llvm::StringSwitch<size_t>(kind)
                              .Case("random_crop", 4)
                              .Case("random_flip", 3)
                              .Case("noise", 1)
                              .Default(0);
        if (expected == 0 || args.size() != expected)
          return module.emitError() << "malformed augmentation '" << kind
                                    << "'",
                 failure();
        json::Object object{{"kind", kind.str()}};
        if (kind == "random_crop") {
          object["size"] = json::Array{static_cast<int64_t>(args[0]),
                                       static_cast<int64_t>(args[1])};
          object["padding"] = static_cast<int64_t>(args[2]);
          static const char *const modes[] = {"zeros", "circular", "reflect"};
          object["padding_mode"] = modes[static_cast<int>(args[3]) % 3];
        } else if (kind == "random_flip") {
          object["horizontal"] = args[0] != 0;
          object["vertical"] = args[1] != 0;
          object["p"] = args[2];
        } else {
          object["std"] = args[0];
        }
        list.push_back(std::move(object));
      }
      dataJson["augment"] = std::move(list);
    }
    if (ArrayAttr targets = data.getTargetTransforms()) {
      json::Array list;
      for (auto transform : targets.getAsRange<dln::TransformAttr>())
        list.push_back(json::Object{{"kind", transform.getKind().str()}});
      dataJson["target_transforms"] = std::move(list);
    }
    root["data"] = std::move(dataJson);
    root["entry_points"] = std::move(entryPoints);

    std::string text;
    llvm::raw_string_ostream os(text);
    os << json::Value(std::move(root));
    return text;
  }

private:
  /// Inputs, labels and outputs carry the batch as dimension 0; so do the
  /// per-sample losses of eval_step (checked above: a rank-0 loss is the
  /// batch mean).
  static bool isBatched(dln::Role role) {
    return role == dln::Role::input || role == dln::Role::label ||
           role == dln::Role::output || role == dln::Role::metric ||
           role == dln::Role::mask;
  }

  /// "accuracy" or "mean", as the frontend recorded it.
  std::string metricKind(StringRef name) {
    auto kinds = module->getAttrOfType<DictionaryAttr>("dln.metric_kinds");
    auto kind = kinds ? kinds.getAs<StringAttr>(name) : StringAttr();
    return kind ? kind.getValue().str() : "mean";
  }

  ModuleOp module;
};

struct EmitManifestPass : public dln::impl::EmitManifestBase<EmitManifestPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::string> manifest = ManifestWriter(module).write();
    if (failed(manifest))
      return signalPassFailure();
    manifest->push_back('\0');
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), manifest->size());
    std::string name =
        ("dln_" + module.getSymName().value_or("model") + "_manifest").str();
    LLVM::GlobalOp::create(builder, module.getLoc(), type, /*isConstant=*/true,
                           LLVM::Linkage::External, name,
                           builder.getStringAttr(*manifest));
  }
};
} // namespace
