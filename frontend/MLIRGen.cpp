//===- MLIRGen.cpp - Lowering of a `model` block to dln functions ---------===//
// A model is emitted as three public entry points sharing one forward body:
//   eval_step(params, x, y)      -> (per-sample loss, output)
//   loss_and_grad(params, x, y)  -> (mean loss, d params)
//   train_step(params, x, y, lr) -> (updated params, mean loss)
// plus the private scalar `loss` that dln.value_and_grad
// differentiates. Every op's type is inferred as it is built, so shape errors
// are reported at their .dln source locations here. Builtin functions and
// layer kinds come from registries (Builtins.h, Layers.h).
//===----------------------------------------------------------------------===//
#include "frontend/MLIRGen.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "frontend/Builtins.h"
#include "frontend/ConstantEval.h"
#include "frontend/Layers.h"
#include "frontend/MemoryEstimate.h"
#include "frontend/Operators.h"
#include "frontend/Optimizers.h"
#include "frontend/RecipeGen.h"
#include "frontend/SourceLocation.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopedHashTable.h"
#include "llvm/ADT/StringMap.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

namespace {
using Block = dlnc::Block;
using Module = dlnc::Module;

/// A trainable tensor and how the runtime initializes it.
struct ParamInfo {
  std::string name;
  SmallVector<int64_t> shape;
  InitAttr init;
};

/// A layer instance: applying it reuses its parameters (weight sharing).
struct LayerInfo {
  const LayerKind *kind;
  SmallVector<unsigned> paramIndices;
};

class ModelGen {
public:
  ModelGen(MLIRContext &context, llvm::SourceMgr &sourceMgr, const Block &model,
           int64_t batch)
      : context(context), sourceMgr(sourceMgr), builder(&context), model(model),
        batch(batch) {}

  /// Fills `module` with the model's functions and metadata attributes.
  LogicalResult generate(ModuleOp module);

private:
  Location loc(llvm::SMLoc where) {
    return toLocation(context, sourceMgr, where);
  }

  InFlightDiagnostic error(llvm::SMLoc where) { return emitError(loc(where)); }

  LogicalResult declare(const Stmt &stmt);
  LogicalResult declareLayer(const Stmt &stmt);
  /// Builtins cannot be shadowed (docs/language.md): `layer relu = ...`
  /// would silently call the builtin.
  LogicalResult checkNotBuiltin(const Stmt &stmt);
  std::optional<InitAttr> parseInit(const Expr *expr, int64_t fanIn,
                                    int64_t fanOut);
  FailureOr<RankedTensorType> sampleType(const TypeNode &type, bool isLabel);

  /// Emits the forward body; fills `output` and `perSampleLoss`.
  LogicalResult emitForward(ValueRange params, Value x, Value y, Value &output,
                            Value &perSampleLoss);
  void emitTrainStep(ModuleOp module, func::FuncOp lossFunc,
                     ArrayRef<Type> paramTypes, ArrayRef<int64_t> wrt,
                     Location lossLoc);
  FailureOr<Value> emitExpr(const Expr &expr);
  FailureOr<Value> emitCall(const CallExpr &call);
  FailureOr<Value> emitBinary(const BinaryExpr &binary);

  /// Marks argument `index` of `func` with its role in the model.
  void setRole(func::FuncOp func, unsigned index, Role role, StringRef name) {
    func.setArgAttr(index, kArgAttrName, ArgAttr::get(&context, role, name));
  }
  void setResultRole(func::FuncOp func, unsigned index, Role role,
                     StringRef name) {
    func.setResultAttr(index, kArgAttrName, ArgAttr::get(&context, role, name));
  }

  func::FuncOp createFunction(ModuleOp module, StringRef name,
                              TypeRange extraInputs, TypeRange results);
  void emitMetadata(ModuleOp module);

  MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  OpBuilder builder;
  const Block &model;
  int64_t batch;

  Type elementType;
  std::string inputName, labelName, outputName;
  RankedTensorType inputType, labelType; // batched types
  bool labelIsClass = false;
  int64_t numClasses = 0;
  SmallVector<ParamInfo> params;
  /// Persistent non-gradient tensors (optimizer state), zero-initialized.
  SmallVector<ParamInfo> state;
  llvm::StringMap<LayerInfo> layers;
  const Stmt *outputStmt = nullptr;
  const Stmt *lossStmt = nullptr;

  // Per-function state of emitForward.
  llvm::StringMap<Value> values;
  SmallVector<Value> paramValues;
};

FailureOr<RankedTensorType> ModelGen::sampleType(const TypeNode &type,
                                                 bool isLabel) {
  if (type.name == "class") {
    if (!isLabel)
      return error(type.loc) << "'class[N]' is only valid as a label type",
             failure();
    if (type.args.size() != 1 || type.args[0].kind != TypeArg::Kind::Integer ||
        type.args[0].value < 2)
      return error(type.loc) << "expected 'class[N]' with N >= 2 classes",
             failure();
    labelIsClass = true;
    numClasses = type.args[0].value;
    return RankedTensorType::get({batch}, builder.getI32Type());
  }
  Type element = llvm::StringSwitch<Type>(type.name)
                     .Case("f32", builder.getF32Type())
                     .Case("f64", builder.getF64Type())
                     .Default(Type());
  if (!element)
    return error(type.loc) << "unknown element type '" << type.name
                           << "' (expected f32, f64 or class[N])",
           failure();
  if (elementType && element != elementType)
    return error(type.loc) << "all inputs and labels must share one dtype",
           failure();
  elementType = element;
  SmallVector<int64_t> shape{batch};
  for (const TypeArg &arg : type.args) {
    if (arg.kind != TypeArg::Kind::Integer || arg.value <= 0)
      return error(type.loc) << "expected positive static dimensions in '"
                             << type.name << "[...]'",
             failure();
    shape.push_back(arg.value);
  }
  if (shape.size() != 2)
    return error(type.loc) << "only vector samples (e.g. f32[784]) are "
                              "supported by this compiler version",
           failure();
  return RankedTensorType::get(shape, element);
}

std::optional<InitAttr> ModelGen::parseInit(const Expr *expr, int64_t fanIn,
                                            int64_t fanOut) {
  if (!expr)
    return InitAttr::get(&context, "fan_in_uniform", fanIn, fanOut, {});
  StringRef kind;
  const CallExpr *call = llvm::dyn_cast<CallExpr>(expr);
  if (auto *name = llvm::dyn_cast<IdentifierExpr>(expr))
    kind = name->name;
  else if (call)
    kind = calleeName(*expr);
  struct InitKindInfo {
    const char *spelling;
    unsigned argc;
    const char *args[2];
  };
  // The runtime's list (dlnrt/InitKinds.def), so both accept the same kinds.
  static const InitKindInfo kinds[] = {
#define DLNRT_INIT_KIND(Enumerator, spelling, argc, arg0, arg1, usesFans)      \
  {spelling, argc, {arg0, arg1}},
#include "dlnrt/InitKinds.def"
  };
  const InitKindInfo *info = llvm::find_if(
      kinds, [&](const InitKindInfo &k) { return kind == k.spelling; });
  if (info == std::end(kinds)) {
    InFlightDiagnostic diag = error(expr->getLoc());
    diag << "unknown initializer" << (kind.empty() ? "" : " '") << kind
         << (kind.empty() ? "" : "'") << " (expected ";
    llvm::interleave(
        kinds,
        [&](const InitKindInfo &k) {
          diag << k.spelling;
          if (k.argc)
            diag << "(" << k.args[0] << (k.argc > 1 ? ", " : "")
                 << (k.argc > 1 ? k.args[1] : "") << ")";
        },
        [&] { diag << ", "; });
    diag << ")";
    return std::nullopt;
  }
  ArrayRef<const char *> names(info->args, info->argc);
  size_t given = call ? call->args.size() : 0;
  if (given != names.size()) {
    error(expr->getLoc()) << "initializer '" << kind << "' takes "
                          << names.size() << " argument(s), got " << given;
    return std::nullopt;
  }
  SmallVector<double> args;
  for (size_t i = 0; i < names.size(); ++i) {
    std::optional<double> value = evaluateNumber(*call->args[i].value);
    if (!value) {
      error(call->args[i].loc) << "initializer arguments must be numbers";
      return std::nullopt;
    }
    args.push_back(*value);
  }
  if (kind == "uniform" && args[0] > args[1])
    return error(expr->getLoc()) << "uniform(a, b) needs a <= b", std::nullopt;
  if (kind == "normal" && args[1] < 0)
    return error(expr->getLoc()) << "normal(mean, std) needs std >= 0",
           std::nullopt;
  return InitAttr::get(&context, kind, fanIn, fanOut,
                       args.empty() ? DenseF64ArrayAttr()
                                    : builder.getDenseF64ArrayAttr(args));
}

LogicalResult ModelGen::declareLayer(const Stmt &stmt) {
  const Expr &expr = *stmt.value;
  auto *call = llvm::dyn_cast<CallExpr>(&expr);
  StringRef kindName = calleeName(expr);
  if (!call || kindName.empty())
    return error(expr.getLoc()) << "expected a layer constructor such as "
                                   "'dense(784 -> 256)'";
  if (layers.count(stmt.name()))
    return error(stmt.nameLoc)
           << "layer '" << stmt.name() << "' is already defined";
  const LayerKind *kind = lookupLayer(kindName);
  if (!kind) {
    InFlightDiagnostic diag = error(expr.getLoc());
    diag << "unknown layer '" << kindName
         << "' (this compiler version supports: ";
    llvm::interleaveComma(allLayers(), diag,
                          [&](const LayerKind &k) { diag << k.name; });
    return diag << ")";
  }
  for (const Argument &arg : call->args) {
    if (arg.name.empty() || llvm::is_contained(kind->options, arg.name))
      continue;
    InFlightDiagnostic diag = error(arg.loc);
    diag << "unknown argument '" << arg.name << "' of " << kind->name
         << " (expected ";
    llvm::interleave(kind->options, diag, " or ");
    return diag << ")";
  }
  SmallVector<LayerParam> decls;
  // Named: the context holds function_refs, which must not outlive these.
  auto reportAt = [&](llvm::SMLoc where) { return error(where); };
  auto initParser = [&](const Expr *init, int64_t fanIn, int64_t fanOut) {
    return parseInit(init, fanIn, fanOut);
  };
  LayerDeclContext context{*call, reportAt, initParser};
  if (failed(kind->declare(context, decls)))
    return failure();
  // Training needs at least each parameter and its gradient in memory: a
  // layer past the limit is rejected here, not by a failed allocation later.
  constexpr uint64_t kMaxLayerBytes = uint64_t(16) << 30;
  // Parameter and gradient, in the model's dtype (f32 until an input says).
  uint64_t bytesPerElement = elementType && elementType.isF64() ? 16 : 8;
  uint64_t bytes = 0;
  for (const LayerParam &decl : decls) {
    uint64_t elements = 1;
    for (int64_t dim : decl.shape)
      if (__builtin_mul_overflow(elements, uint64_t(dim), &elements))
        elements = UINT64_MAX;
    uint64_t paramBytes = elements > UINT64_MAX / bytesPerElement
                              ? UINT64_MAX
                              : elements * bytesPerElement;
    bytes = bytes > UINT64_MAX - paramBytes ? UINT64_MAX : bytes + paramBytes;
  }
  if (bytes > kMaxLayerBytes)
    return error(expr.getLoc())
           << "layer '" << stmt.name() << "' needs about "
           << (bytes == UINT64_MAX
                   ? std::string("more than 2^64 bytes")
                   : std::to_string((bytes + (uint64_t(1) << 29)) >> 30))
           << (bytes == UINT64_MAX ? "" : " GiB")
           << " for its parameters and their gradients, more than "
              "the 16 GiB a layer may use";
  LayerInfo layer{kind, {}};
  for (LayerParam &decl : decls) {
    layer.paramIndices.push_back(params.size());
    params.push_back(
        {stmt.name() + "." + decl.suffix, decl.shape, std::move(decl.init)});
  }
  layers[stmt.name()] = std::move(layer);
  return success();
}

LogicalResult ModelGen::checkNotBuiltin(const Stmt &stmt) {
  if (!lookupBuiltin(stmt.name()))
    return success();
  return error(stmt.nameLoc) << "'" << stmt.name()
                             << "' is a builtin function and cannot be "
                                "redefined; choose another name";
}

LogicalResult ModelGen::declare(const Stmt &stmt) {
  if (!stmt.names.empty() && failed(checkNotBuiltin(stmt)))
    return failure();
  switch (stmt.kind) {
  case Stmt::Kind::Input: {
    if (!inputName.empty())
      return error(stmt.loc) << "only one input is supported by this compiler "
                                "version";
    auto type = sampleType(*stmt.type, /*isLabel=*/false);
    if (failed(type))
      return failure();
    inputName = stmt.name();
    inputType = *type;
    return success();
  }
  case Stmt::Kind::Label: {
    if (!labelName.empty())
      return error(stmt.loc) << "only one label is supported";
    auto type = sampleType(*stmt.type, /*isLabel=*/true);
    if (failed(type))
      return failure();
    labelName = stmt.name();
    labelType = *type;
    return success();
  }
  case Stmt::Kind::Layer:
    return declareLayer(stmt);
  case Stmt::Kind::Output:
    if (outputStmt)
      return error(stmt.loc) << "only one output is supported";
    outputStmt = &stmt;
    outputName = stmt.name();
    return success();
  case Stmt::Kind::Loss:
    if (lossStmt)
      return error(stmt.loc) << "only one loss is supported by this compiler "
                                "version";
    lossStmt = &stmt;
    return success();
  case Stmt::Kind::Let:
    if (stmt.names.size() != 1)
      return error(stmt.nameLoc) << "tuple patterns are not supported yet";
    return success();
  default:
    return error(stmt.loc) << "this statement is not supported inside a "
                              "model by this compiler version";
  }
}

FailureOr<Value> ModelGen::emitCall(const CallExpr &call) {
  StringRef name = calleeName(call);
  if (name.empty())
    return error(call.getLoc()) << "expected a function or layer name",
           failure();
  Location where = loc(call.getLoc());
  const Builtin *builtin = lookupBuiltin(name);
  auto layer = layers.find(name);
  if (!builtin && layer == layers.end())
    return error(call.getLoc()) << "unknown function or layer '" << name << "'",
           failure();

  // Positional tensor operands, then named options (builtins only).
  ArrayRef<BuiltinOption> optionSpecs =
      builtin ? builtin->options : ArrayRef<BuiltinOption>();
  SmallVector<Value> operands;
  SmallVector<double> options;
  for (const BuiltinOption &option : optionSpecs)
    options.push_back(option.defaultValue);
  for (const Argument &arg : call.args) {
    if (arg.name.empty()) {
      auto value = emitExpr(*arg.value);
      if (failed(value))
        return failure();
      operands.push_back(*value);
      continue;
    }
    auto *spec = llvm::find_if(optionSpecs, [&](const BuiltinOption &o) {
      return o.name == arg.name;
    });
    if (spec == optionSpecs.end()) {
      InFlightDiagnostic diag = error(arg.loc)
                                << "'" << name << "' has no argument named '"
                                << arg.name << "'";
      if (!optionSpecs.empty()) {
        diag << " (expected ";
        llvm::interleave(
            optionSpecs, [&](const BuiltinOption &o) { diag << o.name; },
            [&] { diag << ", "; });
        diag << ")";
      }
      return failure();
    }
    std::optional<double> value = evaluateNumber(*arg.value);
    if (!value)
      return error(arg.loc) << "argument '" << arg.name << "' of '" << name
                            << "' must be a number",
             failure();
    options[spec - optionSpecs.begin()] = *value;
  }
  unsigned arity = builtin ? builtin->arity : 1;
  if (operands.size() != arity)
    return error(call.getLoc()) << "'" << name << "' expects " << arity
                                << " argument(s), got " << operands.size(),
           failure();

  if (!builtin) {
    const LayerInfo &info = layer->second;
    SmallVector<Value> layerParams;
    for (unsigned index : info.paramIndices)
      layerParams.push_back(paramValues[index]);
    return info.kind->apply(builder, where, operands[0], layerParams);
  }
  return builtin->build(
      BuiltinCall{builder, where, operands, options, numClasses});
}

FailureOr<Value> ModelGen::emitBinary(const BinaryExpr &binary) {
  auto lhs = emitExpr(*binary.lhs);
  auto rhs = emitExpr(*binary.rhs);
  if (failed(lhs) || failed(rhs))
    return failure();
  return emitBinaryOperator(builder, loc(binary.getLoc()), binary.op, *lhs,
                            *rhs);
}

FailureOr<Value> ModelGen::emitExpr(const Expr &expr) {
  if (auto *name = llvm::dyn_cast<IdentifierExpr>(&expr)) {
    auto it = values.find(name->name);
    if (it != values.end())
      return it->second;
    if (layers.count(name->name))
      return error(expr.getLoc())
                 << "layer '" << name->name << "' must be applied, e.g. '"
                 << name->name << "(x)'",
             failure();
    return error(expr.getLoc())
               << "use of undefined name '" << name->name << "'",
           failure();
  }
  if (auto *call = llvm::dyn_cast<CallExpr>(&expr))
    return emitCall(*call);
  if (auto *binary = llvm::dyn_cast<BinaryExpr>(&expr))
    return emitBinary(*binary);
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&expr)) {
    FailureOr<Value> operand = emitExpr(*unary->operand);
    if (failed(operand))
      return failure();
    return emitUnaryOperator(builder, loc(unary->getLoc()), unary->op,
                             *operand);
  }
  // A number is a scalar of the model's dtype; broadcasting spreads it.
  if (auto *number = llvm::dyn_cast<NumberExpr>(&expr))
    return splatLike(builder, loc(number->getLoc()),
                     RankedTensorType::get({}, elementType), number->value);
  return error(expr.getLoc()) << "this expression is not supported inside a "
                                 "model by this compiler version",
         failure();
}

LogicalResult ModelGen::emitForward(ValueRange paramArgs, Value x, Value y,
                                    Value &output, Value &perSampleLoss) {
  values.clear();
  paramValues.assign(paramArgs.begin(), paramArgs.end());
  values[inputName] = x;
  values[labelName] = y;
  for (const Stmt &stmt : model.body) {
    if (stmt.kind != Stmt::Kind::Let && stmt.kind != Stmt::Kind::Output &&
        stmt.kind != Stmt::Kind::Loss)
      continue;
    auto value = emitExpr(*stmt.value);
    if (failed(value))
      return failure();
    if (stmt.kind == Stmt::Kind::Loss) {
      const Builtin *callee = lookupBuiltin(calleeName(*stmt.value));
      if (!callee || !callee->isLoss) {
        InFlightDiagnostic diag = error(stmt.value->getLoc());
        diag << "a loss must be a call of a loss function (";
        llvm::interleaveComma(
            llvm::make_filter_range(allBuiltins(),
                                    [](const Builtin &b) { return b.isLoss; }),
            diag, [&](const Builtin &b) { diag << b.name; });
        return diag << ")";
      }
      perSampleLoss = *value;
      continue;
    }
    if (values.count(stmt.name()))
      return error(stmt.nameLoc)
             << "'" << stmt.name() << "' is already defined";
    values[stmt.name()] = *value;
    if (stmt.kind == Stmt::Kind::Output)
      output = *value;
  }
  return success();
}

func::FuncOp ModelGen::createFunction(ModuleOp module, StringRef name,
                                      TypeRange extraInputs,
                                      TypeRange results) {
  SmallVector<Type> inputs;
  for (const ParamInfo &param : params)
    inputs.push_back(RankedTensorType::get(param.shape, elementType));
  inputs.push_back(inputType);
  inputs.push_back(labelType);
  llvm::append_range(inputs, extraInputs);
  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, loc(model.loc), name,
                                   builder.getFunctionType(inputs, results));
  for (auto [index, param] : llvm::enumerate(params))
    setRole(func, index, Role::param, param.name);
  setRole(func, params.size(), Role::input, inputName);
  setRole(func, params.size() + 1, Role::label, labelName);
  builder.setInsertionPointToStart(func.addEntryBlock());
  return func;
}

void ModelGen::emitMetadata(ModuleOp module) {
  auto specs = [&](ArrayRef<ParamInfo> tensors) {
    SmallVector<Attribute> attrs;
    for (const ParamInfo &tensor : tensors)
      attrs.push_back(TensorSpecAttr::get(&context, tensor.name, tensor.shape,
                                          tensor.init));
    return builder.getArrayAttr(attrs);
  };
  module->setAttr("dln.params", specs(params));
  module->setAttr("dln.state", specs(state));
  module->setAttr(
      "dln.input",
      SampleAttr::get(&context, inputName, inputType.getShape().drop_front()));
  module->setAttr(
      "dln.label",
      labelIsClass
          ? Attribute(ClassLabelAttr::get(&context, labelName, numClasses))
          : Attribute(SampleAttr::get(&context, labelName,
                                      labelType.getShape().drop_front())));
  module->setAttr("dln.dtype", TypeAttr::get(elementType));
  module->setAttr("dln.output_name", builder.getStringAttr(outputName));
}

void ModelGen::emitTrainStep(ModuleOp module, func::FuncOp lossFunc,
                             ArrayRef<Type> paramTypes, ArrayRef<int64_t> wrt,
                             Location lossLoc) {
  // train_step(params, x, y, [state], lr) -> (params, [state], loss): the
  // updated parameters and optimizer state are written back in place. The
  // state is each parameter's slots in turn (fc.weight.exp_avg,
  // fc.weight.exp_avg_sq, fc.bias.exp_avg, ...), then the step count.
  auto optimizer = module->getAttrOfType<OptimizerAttr>("dln.optimizer");
  SmallVector<StringRef> slots = optimizerSlots(optimizer);
  bool counted = usesStepCount(optimizer);
  unsigned numParams = params.size();
  Type scalar = RankedTensorType::get({}, elementType);
  SmallVector<ParamInfo> stateSpecs;
  SmallVector<Type> stateTypes;
  auto zeros = InitAttr::get(&context, "zeros", 0, 0, {});
  for (auto [param, type] : llvm::zip_equal(params, paramTypes))
    for (StringRef slot : slots) {
      stateSpecs.push_back(
          {(Twine(param.name) + "." + slot).str(), param.shape, zeros});
      stateTypes.push_back(type);
    }
  if (counted) {
    stateSpecs.push_back({kStepCountName.str(), {}, zeros});
    stateTypes.push_back(scalar);
  }
  SmallVector<Type> extraInputs(stateTypes);
  extraInputs.push_back(scalar);
  SmallVector<Type> stepTypes(paramTypes);
  llvm::append_range(stepTypes, stateTypes);
  stepTypes.push_back(scalar);
  func::FuncOp stepFunc =
      createFunction(module, "train_step", extraInputs, stepTypes);
  auto args = stepFunc.getArguments();
  unsigned dataArgs = numParams + 2;
  Value lr = args.back();
  auto stepGrad = ValueAndGradOp::create(builder, lossLoc, scalar, paramTypes,
                                         lossFunc.getSymName(),
                                         args.take_front(dataArgs), wrt);
  ValueRange stateArgs = args.slice(dataArgs, stateTypes.size());
  Value step;
  if (counted)
    step = AddOp::create(builder, lossLoc, stateArgs.back(),
                         splatLike(builder, lossLoc, scalar, 1.0));
  SmallVector<Value> newParams, newState;
  for (unsigned i = 0; i < numParams; ++i) {
    SmallVector<Value> updated = buildOptimizerUpdate(
        builder, lossLoc, optimizer, args[i], stepGrad.getGradients()[i],
        stateArgs.slice(i * slots.size(), slots.size()), step, lr);
    newParams.push_back(updated.front());
    llvm::append_range(newState, llvm::drop_begin(updated));
  }
  if (counted)
    newState.push_back(step);
  SmallVector<Value> results(newParams);
  llvm::append_range(results, newState);
  results.push_back(stepGrad.getValue());
  func::ReturnOp::create(builder, lossLoc, results);

  for (unsigned i = 0; i < numParams; ++i) {
    stepFunc.setResultAttr(i, "dln.aliases_arg", builder.getI64IntegerAttr(i));
    setResultRole(stepFunc, i, Role::param, params[i].name);
  }
  for (auto [i, spec] : llvm::enumerate(stateSpecs)) {
    setRole(stepFunc, dataArgs + i, Role::optimizer_state, spec.name);
    stepFunc.setResultAttr(numParams + i, "dln.aliases_arg",
                           builder.getI64IntegerAttr(dataArgs + i));
    setResultRole(stepFunc, numParams + i, Role::optimizer_state, spec.name);
  }
  setRole(stepFunc, args.size() - 1, Role::hyper, "lr");
  setResultRole(stepFunc, results.size() - 1, Role::loss, "loss");
  llvm::append_range(state, stateSpecs);
}

LogicalResult ModelGen::generate(ModuleOp module) {
  for (const Stmt &stmt : model.body)
    if (failed(declare(stmt)))
      return failure();
  if (inputName.empty())
    return error(model.loc)
           << "model '" << model.name << "' declares no 'input'";
  if (labelName.empty())
    return error(model.loc)
           << "model '" << model.name << "' declares no 'label'";
  if (!outputStmt)
    return error(model.loc)
           << "model '" << model.name << "' declares no 'output'";
  if (!lossStmt)
    return error(model.loc)
           << "model '" << model.name << "' declares no 'loss'";
  if (params.empty())
    return error(model.loc)
           << "model '" << model.name << "' has no trainable parameters";

  Type scalar = RankedTensorType::get({}, elementType);
  SmallVector<Type> paramTypes;
  for (const ParamInfo &param : params)
    paramTypes.push_back(RankedTensorType::get(param.shape, elementType));
  unsigned numParams = params.size();

  // The scalar loss that autodiff differentiates.
  func::FuncOp lossFunc = createFunction(module, "loss", {}, {scalar});
  lossFunc.setPrivate();
  Value output, perSample;
  auto args = lossFunc.getArguments();
  if (failed(emitForward(args.take_front(numParams), args[numParams],
                         args[numParams + 1], output, perSample)))
    return failure();
  Location lossLoc = loc(lossStmt->loc);
  Value mean = meanAll(builder, lossLoc, perSample);
  func::ReturnOp::create(builder, lossLoc, mean);
  if (failed(checkTrainStepMemory(lossFunc, batch)))
    return failure();

  // Per-sample losses and outputs for evaluation; the runtime computes metrics.
  func::FuncOp evalFunc = createFunction(module, "eval_step", {}, {});
  args = evalFunc.getArguments();
  if (failed(emitForward(args.take_front(numParams), args[numParams],
                         args[numParams + 1], output, perSample)))
    return failure();
  func::ReturnOp::create(builder, lossLoc, ValueRange{perSample, output});
  evalFunc.setType(builder.getFunctionType(
      evalFunc.getArgumentTypes(),
      TypeRange{perSample.getType(), output.getType()}));
  setResultRole(evalFunc, 0, Role::loss, "loss");
  setResultRole(evalFunc, 1, Role::output, outputName);

  // Analytic gradients, for gradient checking and custom training loops.
  SmallVector<int64_t> wrt = llvm::to_vector(llvm::seq<int64_t>(0, numParams));
  SmallVector<Type> lossAndGradTypes{scalar};
  llvm::append_range(lossAndGradTypes, paramTypes);
  func::FuncOp gradFunc =
      createFunction(module, "loss_and_grad", {}, lossAndGradTypes);
  auto grad = ValueAndGradOp::create(builder, lossLoc, scalar, paramTypes,
                                     lossFunc.getSymName(),
                                     gradFunc.getArguments(), wrt);
  func::ReturnOp::create(builder, lossLoc, grad->getResults());
  setResultRole(gradFunc, 0, Role::loss, "loss");
  for (auto [i, param] : llvm::enumerate(params))
    setResultRole(gradFunc, i + 1, Role::grad, param.name);

  emitTrainStep(module, lossFunc, paramTypes, wrt, lossLoc);
  emitMetadata(module);
  return success();
}
} // namespace

OwningOpRef<ModuleOp> dlnc::mlirGen(MLIRContext &context,
                                    llvm::SourceMgr &sourceMgr,
                                    const dlnc::Module &ast) {
  context.loadDialect<mlir::dln::DLNDialect>();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());

  const dlnc::Block *model = nullptr;
  for (const dlnc::Block &block : ast.blocks) {
    if (block.keyword != "model")
      continue;
    if (model) {
      emitError(toLocation(context, sourceMgr, block.loc))
          << "only one top-level model per file is supported";
      return nullptr;
    }
    model = &block;
  }
  if (!model) {
    emitError(FileLineColLoc::get(
        &context,
        sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
            ->getBufferIdentifier(),
        1, 1))
        << "no 'model' block in this file";
    return nullptr;
  }
  module->setSymName(model->name);

  FailureOr<int64_t> batch = generateRecipe(context, sourceMgr, ast, *module);
  if (failed(batch))
    return nullptr;
  if (failed(ModelGen(context, sourceMgr, *model, *batch).generate(*module)))
    return nullptr;
  return module;
}
