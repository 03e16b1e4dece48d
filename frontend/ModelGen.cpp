//===- ModelGen.cpp - A model block's declarations ------------------------===//
// Reads input, label, param, const, layer, update and loss declarations;
// SubModels.cpp instantiates sub-models and ModelExprs.cpp emits the
// computation.
//===----------------------------------------------------------------------===//
#include "frontend/ModelGen.h"

#include "frontend/Builtins.h"
#include "frontend/SourceLocation.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

ModelGen::ModelGen(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                   const Block &model,
                   const llvm::StringMap<const Block *> &models)
    : context(context), sourceMgr(sourceMgr), ownBuilder(&context),
      builder(ownBuilder), model(model), root(this), models(models) {}

ModelGen::ModelGen(ModelGen &parent, const Block &model, std::string prefix)
    : context(parent.context), sourceMgr(parent.sourceMgr),
      ownBuilder(&parent.context), builder(parent.builder), model(model),
      root(parent.root), models(parent.models), prefix(std::move(prefix)) {
  elementType = parent.elementType;
  numClasses = parent.numClasses;
}

Location ModelGen::loc(llvm::SMLoc where) {
  return toLocation(context, sourceMgr, where);
}

InFlightDiagnostic ModelGen::error(llvm::SMLoc where) {
  return emitError(loc(where));
}

SmallVector<Type> ModelGen::stateTypes() const {
  SmallVector<Type> types;
  for (const ParamInfo &state : states) {
    SmallVector<int64_t> shape(state.shape);
    if (state.perSlot)
      shape.insert(shape.begin(), ShapedType::kDynamic);
    types.push_back(RankedTensorType::get(shape, elementType));
  }
  return types;
}

RankedTensorType ModelGen::inputType(int64_t batch) const {
  if (inputIsClass)
    return RankedTensorType::get({batch}, IntegerType::get(&context, 32));
  SmallVector<int64_t> shape{batch};
  llvm::append_range(shape, inputShape);
  return RankedTensorType::get(shape, elementType);
}

RankedTensorType ModelGen::labelType(int64_t batch) const {
  if (labelIsClass)
    return RankedTensorType::get({batch}, IntegerType::get(&context, 32));
  SmallVector<int64_t> shape{batch};
  llvm::append_range(shape, labelShape);
  return RankedTensorType::get(shape, elementType);
}

FailureOr<Type> ModelGen::elementTypeOf(const TypeNode &type) {
  Type element = llvm::StringSwitch<Type>(type.name)
                     .Case("f32", builder.getF32Type())
                     .Case("f64", builder.getF64Type())
                     .Default(Type());
  if (!element)
    return error(type.loc) << "unknown element type '" << type.name
                           << "' (expected f32, f64 or class[N])",
           failure();
  return element;
}

FailureOr<SmallVector<int64_t>> ModelGen::staticDims(const TypeNode &type,
                                                     bool allowDynamic) {
  SmallVector<int64_t> shape;
  for (const TypeArg &arg : type.args) {
    // `?` matches any size at each call of a sub-model (docs 5.5); a name
    // is an integer parameter of the model (`f32[c_in, ?, ?]`).
    if (arg.kind == TypeArg::Kind::Dynamic && allowDynamic) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t value = arg.value;
    if (arg.kind == TypeArg::Kind::Type && arg.type &&
        arg.type->args.empty()) {
      auto bound = modelParams.find(arg.type->name);
      if (bound == modelParams.end() ||
          bound->second != std::floor(bound->second))
        return error(type.loc) << "'" << arg.type->name
                               << "' in '" << type.name
                               << "[...]' is not an integer parameter of "
                                  "model '"
                               << model.name << "'",
               failure();
      value = static_cast<int64_t>(bound->second);
    } else if (arg.kind != TypeArg::Kind::Integer) {
      return error(type.loc)
             << "expected positive static dimensions in '" << type.name
             << "[...]'"
             << (arg.kind == TypeArg::Kind::Dynamic
                     ? " ('?' is only allowed in a sub-model's input)"
                     : ""),
             failure();
    }
    if (value <= 0)
      return error(type.loc) << "expected positive static dimensions in '"
                             << type.name << "[...]'",
             failure();
    shape.push_back(value);
  }
  return shape;
}

LogicalResult ModelGen::checkNewName(const Stmt &stmt, StringRef name) {
  if (lookupBuiltin(name))
    return error(stmt.nameLoc) << "'" << name
                               << "' is a builtin function and cannot be "
                                  "redefined; choose another name";
  auto [it, inserted] = declaredNames.try_emplace(name, stmt.nameLoc);
  if (inserted)
    return success();
  return error(stmt.nameLoc)
         << "'" << name << "' is already defined on line "
         << sourceMgr.getLineAndColumn(it->second).first;
}

LogicalResult ModelGen::declareSample(const Stmt &stmt) {
  bool isLabel = stmt.kind == Stmt::Kind::Label;
  std::string &name = isLabel ? labelName : inputName;
  if (!name.empty())
    return error(stmt.loc) << "only one " << (isLabel ? "label" : "input")
                           << " is supported by this compiler version";
  const TypeNode &type = *stmt.type;
  name = stmt.name();
  // Fields bind in declaration order, whatever the keyword (7.1).
  if (isLabel && inputName.empty())
    labelFirst = true;
  if (type.name == "class") {
    if (!isRoot())
      return error(type.loc) << "a sub-model's input cannot be 'class[N]': "
                                "pass it one_hot(c)";
    if (type.args.size() != 1 || type.args[0].kind != TypeArg::Kind::Integer ||
        type.args[0].value < 2)
      return error(type.loc) << "expected 'class[N]' with N >= 2 classes";
    int64_t classes = type.args[0].value;
    if (numClasses && numClasses != classes)
      return error(type.loc) << "the input and the label are class[" << classes
                             << "] and class[" << numClasses
                             << "]: one class count per model is supported "
                                "by this compiler version";
    (isLabel ? labelIsClass : inputIsClass) = true;
    numClasses = classes;
    return success();
  }
  FailureOr<Type> element = elementTypeOf(type);
  if (failed(element))
    return failure();
  // The dtype comes from the inputs (docs/language.md 5.4).
  if (elementType && *element != elementType)
    return error(type.loc) << "all inputs and labels must share one dtype";
  elementType = *element;
  FailureOr<SmallVector<int64_t>> shape =
      staticDims(type, /*allowDynamic=*/!isRoot() && !isLabel);
  if (failed(shape))
    return failure();
  if (shape->empty())
    return error(type.loc) << "a sample is a vector or a tensor (f32[784], "
                              "f32[1, 28, 28]), not a scalar";
  (isLabel ? labelShape : inputShape) = *shape;
  return success();
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
  if (kind == "bernoulli" && !(args[0] >= 0 && args[0] <= 1))
    return error(expr->getLoc()) << "bernoulli(p) needs 0 <= p <= 1",
           std::nullopt;
  return InitAttr::get(&context, kind, fanIn, fanOut,
                       args.empty() ? DenseF64ArrayAttr()
                                    : builder.getDenseF64ArrayAttr(args));
}

LogicalResult ModelGen::declareLayer(StringRef layerName, const Expr &expr) {
  auto *call = llvm::dyn_cast<CallExpr>(&expr);
  StringRef kindName = calleeName(expr);
  if (!call || kindName.empty())
    return error(expr.getLoc()) << "expected a layer constructor such as "
                                   "'dense(784 -> 256)'";
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
  LayerConfig config;
  // Named: the context holds function_refs, which must not outlive these.
  auto reportAt = [&](llvm::SMLoc where) { return error(where); };
  auto initParser = [&](const Expr *init, int64_t fanIn, int64_t fanOut) {
    return parseInit(init, fanIn, fanOut);
  };
  LayerDeclContext context{*call, reportAt, initParser, modelParams,
                           this->context};
  if (failed(kind->declare(context, decls, config)))
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
           << "layer '" << layerName << "' needs about "
           << (bytes == UINT64_MAX
                   ? std::string("more than 2^64 bytes")
                   : std::to_string((bytes + (uint64_t(1) << 29)) >> 30))
           << (bytes == UINT64_MAX ? "" : " GiB")
           << " for its parameters and their gradients, more than "
              "the 16 GiB a layer may use";
  LayerInfo layer{kind, {}, std::move(config), {}};
  for (LayerParam &decl : decls) {
    std::string name = prefix + layerName.str() + "." + decl.suffix;
    SmallVector<ParamInfo> &list = decl.isState ? root->states : allParams();
    (decl.isState ? layer.stateIndices : layer.paramIndices)
        .push_back(list.size());
    list.push_back({name, decl.shape, std::move(decl.init)});
  }
  layers[layerName] = std::move(layer);
  return success();
}

LogicalResult ModelGen::declareSequential(StringRef layerName,
                                          const CallExpr &call) {
  if (call.args.empty())
    return error(call.getLoc()) << "sequential expects at least one element",
           failure();
  SmallVector<SequentialStage> stages;
  for (auto [index, arg] : llvm::enumerate(call.args)) {
    if (!arg.name.empty())
      return error(arg.loc) << "sequential takes its elements positionally",
             failure();
    const Expr &element = *arg.value;
    SequentialStage stage;
    if (auto *lambda = llvm::dyn_cast<LambdaExpr>(&element)) {
      if (lambda->params.size() != 1)
        return error(element.getLoc())
                   << "a function in sequential takes one argument, not "
                   << lambda->params.size(),
               failure();
      stage.function = FunctionValue{"", lambda, this};
    } else if (auto *word = llvm::dyn_cast<IdentifierExpr>(&element)) {
      // A layer declared earlier (shared, not copied), or a one-argument
      // builtin such as relu.
      const Builtin *builtin = lookupBuiltin(word->name);
      if (layers.count(word->name) || sequentials.count(word->name))
        stage.layer = word->name;
      else if (builtin && builtin->arity == 1)
        stage.function = FunctionValue{word->name, nullptr, this};
      else
        return error(element.getLoc())
                   << "'" << word->name
                   << "' is neither a layer nor a one-argument function",
               failure();
    } else if (isa<CallExpr>(element) && calleeName(element) == "sequential") {
      // Nested: named "<layer>.<i>.<j>...", as PyTorch's nn.Sequential.
      stage.layer = (layerName + "." + Twine(index)).str();
      if (failed(declareSequential(stage.layer, cast<CallExpr>(element))))
        return failure();
    } else if (isa<CallExpr>(element) && lookupLayer(calleeName(element))) {
      // Instantiated here, its parameters named "<layer>.<i>.weight".
      stage.layer = (layerName + "." + Twine(index)).str();
      if (failed(declareLayer(stage.layer, element)))
        return failure();
    } else {
      return error(element.getLoc())
                 << "expected a layer constructor, a layer, a one-argument "
                    "function or a lambda 'fn(t) => ...' in sequential",
             failure();
    }
    stages.push_back(std::move(stage));
  }
  sequentials[layerName] = std::move(stages);
  return success();
}


FailureOr<SmallVector<int64_t>> ModelGen::declaredShape(const Stmt &stmt,
                                                        StringRef what) {
  FailureOr<Type> element = elementTypeOf(*stmt.type);
  FailureOr<SmallVector<int64_t>> shape = staticDims(*stmt.type);
  if (failed(element) || failed(shape))
    return failure();
  if (*element != elementType)
    return error(stmt.type->loc)
               << what << " '" << stmt.name() << "' is " << stmt.type->name
               << " but the model's dtype (from its input) is " << elementType,
           failure();
  return shape;
}

LogicalResult ModelGen::declareParam(const Stmt &stmt) {
  FailureOr<SmallVector<int64_t>> shape = declaredShape(stmt, "param");
  if (failed(shape))
    return failure();
  // Fans as PyTorch computes them for a [out, in] matrix.
  int64_t fanIn = shape->empty() ? 1 : shape->back();
  int64_t fanOut = shape->empty() ? 1 : shape->front();
  InitAttr init = InitAttr::get(&context, "zeros", fanIn, fanOut, {});
  if (stmt.value) {
    std::optional<InitAttr> parsed = parseInit(stmt.value.get(), fanIn, fanOut);
    if (!parsed)
      return failure();
    init = *parsed;
  }
  explicitParams[stmt.name()] = allParams().size();
  allParams().push_back({prefix + stmt.name(), *shape, init});
  return success();
}

/// Flattens a rectangular list literal; fails on ragged lists.
static LogicalResult flattenLiteral(const Expr &expr, unsigned depth,
                                    SmallVectorImpl<int64_t> &shape,
                                    SmallVectorImpl<double> &values,
                                    const ConstantBindings &bindings,
                                    const Expr *&bad) {
  auto *list = llvm::dyn_cast<ListExpr>(&expr);
  if (!list) {
    std::optional<double> value = evaluateNumber(expr, &bindings);
    if (!value || depth != shape.size()) {
      bad = &expr;
      return failure();
    }
    values.push_back(*value);
    return success();
  }
  if (depth == shape.size())
    shape.push_back(list->elements.size());
  if (depth >= shape.size() || shape[depth] != int64_t(list->elements.size()) ||
      list->elements.empty()) {
    bad = &expr;
    return failure();
  }
  for (const ExprPtr &element : list->elements)
    if (failed(flattenLiteral(*element, depth + 1, shape, values, bindings,
                              bad)))
      return failure();
  return success();
}

LogicalResult ModelGen::declareConst(const Stmt &stmt) {
  FailureOr<Type> element = elementTypeOf(*stmt.type);
  FailureOr<SmallVector<int64_t>> shape = staticDims(*stmt.type);
  if (failed(element) || failed(shape))
    return failure();
  if (!stmt.value)
    return error(stmt.loc) << "const '" << stmt.name()
                           << "' needs a value: const " << stmt.name()
                           << ": ... = [...]";
  ConstInfo info;
  const Expr *bad = nullptr;
  if (failed(flattenLiteral(*stmt.value, 0, info.shape, info.values,
                            modelParams, bad))) {
    // Not a literal: an expression over constants (`1.0 - eye(96)`), checked
    // where it is used. Initializer calls would be drawn per step instead.
    if (llvm::isa<ListExpr>(stmt.value.get()) ||
        llvm::is_contained({"uniform", "normal", "bernoulli"},
                           calleeName(*stmt.value)))
      return error(bad->getLoc())
             << "a const's value must be a number, a rectangular list of "
                "numbers or an expression over constants (random "
                "initializers are not supported for consts)";
    info.shape = *shape;
    info.expr = stmt.value.get();
    consts[stmt.name()] = std::move(info);
    return success();
  }
  if (info.shape != *shape) {
    // A scalar literal fills a tensor.
    if (!info.shape.empty())
      return error(stmt.value->getLoc())
             << "const '" << stmt.name() << "' is declared "
             << shapeString(*element, *shape) << " but its value is "
             << shapeString(*element, info.shape);
    int64_t count = 1;
    for (int64_t d : *shape)
      count *= d;
    info.values.assign(count, info.values.front());
    info.shape = *shape;
  }
  consts[stmt.name()] = std::move(info);
  return success();
}

LogicalResult ModelGen::declareUpdate(const Stmt &stmt) {
  std::string target = llvm::join(stmt.names, ".");
  // `fc.w` and `fc.b` name the members `fc.weight` and `fc.bias`.
  if (stmt.names.size() == 2 && (stmt.names[1] == "w" || stmt.names[1] == "b"))
    target = stmt.names[0] + (stmt.names[1] == "w" ? ".weight" : ".bias");
  auto state = explicitStates.find(target);
  if (state != explicitStates.end()) {
    for (const UpdateRule &rule : updates)
      if (rule.isState && rule.paramIndex == state->second)
        return error(stmt.nameLoc)
               << "'" << target << "' already has an update rule on line "
               << sourceMgr.getLineAndColumn(rule.stmt->loc).first;
    updates.push_back({&stmt, state->second, /*isState=*/true});
    return success();
  }
  auto it = explicitParams.find(target);
  unsigned index = 0;
  if (it != explicitParams.end()) {
    index = it->second;
  } else {
    auto *param = llvm::find_if(
        params, [&](const ParamInfo &p) { return p.name == target; });
    if (param == params.end()) {
      InFlightDiagnostic diag = error(stmt.nameLoc);
      diag << "'" << target << "' is not a param";
      if (consts.count(target))
        diag << ": it is a const, which never changes";
      else if (layers.count(target))
        diag << ": update a layer's members (" << target << ".weight, "
             << target << ".bias)";
      else
        diag << " (update targets are params, states and layer members)";
      return diag;
    }
    index = param - params.begin();
  }
  for (const UpdateRule &rule : updates)
    if (!rule.isState && rule.paramIndex == index)
      return error(stmt.nameLoc)
             << "'" << target << "' already has an update rule on line "
             << sourceMgr.getLineAndColumn(rule.stmt->loc).first;
  updates.push_back({&stmt, index});
  return success();
}

LogicalResult ModelGen::declareStatement(const Stmt &stmt) {
  switch (stmt.kind) {
  case Stmt::Kind::Input:
  case Stmt::Kind::Label:
    return success(); // read first, by declare()
  case Stmt::Kind::Layer: {
    if (failed(checkNewName(stmt, stmt.name())))
      return failure();
    auto *call = llvm::dyn_cast<CallExpr>(stmt.value.get());
    auto block = models.find(calleeName(*stmt.value));
    if (call && block != models.end())
      return declareSubModel(stmt, *call, *block->second);
    if (call && calleeName(*call) == "sequential")
      return declareSequential(stmt.name(), *call);
    return declareLayer(stmt.name(), *stmt.value);
  }
  case Stmt::Kind::Param:
    return failure(failed(checkNewName(stmt, stmt.name())) ||
                   failed(declareParam(stmt)));
  case Stmt::Kind::Const:
    return failure(failed(checkNewName(stmt, stmt.name())) ||
                   failed(declareConst(stmt)));
  case Stmt::Kind::State:
    return failure(failed(checkNewName(stmt, stmt.name())) ||
                   failed(declareState(stmt)));
  case Stmt::Kind::Output:
    if (outputStmt)
      return error(stmt.loc) << "only one output is supported";
    outputStmt = &stmt;
    outputName = stmt.name();
    return success();
  case Stmt::Kind::Loss:
    lossStmts.push_back(&stmt);
    return success();
  case Stmt::Kind::Let:
  case Stmt::Kind::Metric:
  case Stmt::Kind::Update:
    return success(); // after all declarations
  case Stmt::Kind::For:
    return failure(failed(loopBounds(stmt)) ||
                   failed(checkLoopBody(stmt.body)));
  case Stmt::Kind::Nested:
    if (stmt.block->keyword == "fn")
      return declareHelper(stmt);
    if (stmt.block->keyword == "predict" || stmt.block->keyword == "encode" ||
        stmt.block->keyword == "decode" || stmt.block->keyword == "sample")
      return declarePredict(stmt);
    return error(stmt.loc) << "'" << stmt.block->keyword
                           << "' blocks are not supported by this compiler "
                              "version";
  default:
    return error(stmt.loc) << "this statement is not supported inside a "
                              "model by this compiler version";
  }
}

LogicalResult ModelGen::declare() {
  if (isRoot())
    drawsRandomNumbers = modelsDrawRandomNumbers(models);
  // Block parameters of the root model take their defaults (4.2); those of
  // an instance are bound by bindModelParams.
  for (const ParamDecl &param :
       isRoot() ? ArrayRef<ParamDecl>(model.params) : ArrayRef<ParamDecl>()) {
    std::optional<double> value =
        param.defaultValue ? evaluateNumber(*param.defaultValue) : std::nullopt;
    if (!value)
      return error(param.loc)
             << "parameter '" << param.name
             << "' of the root model needs a numeric default, e.g. ("
             << param.name << " = 0.1)";
    modelParams[param.name] = *value;
  }
  // Inputs first: they fix the dtype every other declaration uses. A
  // sub-model's labels are not inputs of its calls (7.7).
  for (const Stmt &stmt : model.body) {
    bool sample = stmt.kind == Stmt::Kind::Input ||
                  (stmt.kind == Stmt::Kind::Label && isRoot());
    if (sample &&
        (failed(checkNewName(stmt, stmt.name())) || failed(declareSample(stmt))))
      return failure();
  }
  if (inputName.empty())
    return error(model.loc)
           << "model '" << model.name << "' declares no 'input'";
  if (!elementType)
    elementType = builder.getF32Type();
  for (const Stmt &stmt : model.body) {
    // Losses, metrics and update rules of a sub-model apply only when it is
    // the root model (7.7).
    if (!isRoot() &&
        (stmt.kind == Stmt::Kind::Loss || stmt.kind == Stmt::Kind::Metric ||
         stmt.kind == Stmt::Kind::Update || stmt.kind == Stmt::Kind::Label))
      continue;
    if (failed(declareStatement(stmt)))
      return failure();
  }
  bool measured = llvm::any_of(model.body, [](const Stmt &stmt) {
    return stmt.kind == Stmt::Kind::Metric || stmt.kind == Stmt::Kind::Loss ||
           stmt.kind == Stmt::Kind::Update;
  });
  // A root model may report only metrics (several towers trained side by
  // side), losses (a GAN, whose outputs come from sample blocks) or learn
  // by update rules alone (a Boltzmann machine); a sub-model's call returns
  // its output.
  if (!outputStmt && (!isRoot() || !measured))
    return error(model.loc)
           << "model '" << model.name << "' declares no 'output'";
  if (!isRoot())
    return success();
  for (const Stmt &stmt : model.body) {
    if (stmt.kind == Stmt::Kind::Update && failed(declareUpdate(stmt)))
      return failure();
  }
  return success();
}
