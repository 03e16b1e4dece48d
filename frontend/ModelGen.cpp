//===- ModelGen.cpp - A model block's declarations and computation --------===//
#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "frontend/Builtins.h"
#include "frontend/Operators.h"
#include "frontend/SourceLocation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringSwitch.h"

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

RankedTensorType ModelGen::inputType(int64_t batch) const {
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

FailureOr<SmallVector<int64_t>> ModelGen::staticDims(const TypeNode &type) {
  SmallVector<int64_t> shape;
  for (const TypeArg &arg : type.args) {
    if (arg.kind != TypeArg::Kind::Integer || arg.value <= 0)
      return error(type.loc) << "expected positive static dimensions in '"
                             << type.name << "[...]'",
             failure();
    shape.push_back(arg.value);
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
  if (type.name == "class") {
    if (!isLabel)
      return error(type.loc) << "'class[N]' is only valid as a label type";
    if (type.args.size() != 1 || type.args[0].kind != TypeArg::Kind::Integer ||
        type.args[0].value < 2)
      return error(type.loc) << "expected 'class[N]' with N >= 2 classes";
    labelIsClass = true;
    numClasses = type.args[0].value;
    return success();
  }
  FailureOr<Type> element = elementTypeOf(type);
  if (failed(element))
    return failure();
  // The dtype comes from the inputs (docs/language.md 5.4).
  if (elementType && *element != elementType)
    return error(type.loc) << "all inputs and labels must share one dtype";
  elementType = *element;
  FailureOr<SmallVector<int64_t>> shape = staticDims(type);
  if (failed(shape))
    return failure();
  if (shape->size() != 1)
    return error(type.loc) << "only vector samples (e.g. f32[784]) are "
                              "supported by this compiler version";
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
  LayerDeclContext context{*call, reportAt, initParser, modelParams};
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
    layer.paramIndices.push_back(allParams().size());
    allParams().push_back({prefix + stmt.name() + "." + decl.suffix,
                           decl.shape, std::move(decl.init)});
  }
  layers[stmt.name()] = std::move(layer);
  return success();
}


LogicalResult ModelGen::declareParam(const Stmt &stmt) {
  FailureOr<Type> element = elementTypeOf(*stmt.type);
  FailureOr<SmallVector<int64_t>> shape = staticDims(*stmt.type);
  if (failed(element) || failed(shape))
    return failure();
  if (*element != elementType)
    return error(stmt.type->loc)
           << "param '" << stmt.name() << "' is " << stmt.type->name
           << " but the model's dtype (from its input) is " << elementType;
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
                            modelParams, bad)))
    return error(bad->getLoc())
           << "a const's value must be a number or a rectangular list of "
              "numbers (initializers and expressions over tensors are not "
              "supported yet)";
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
        diag << " (update targets are params and layer members)";
      return diag;
    }
    index = param - params.begin();
  }
  for (const UpdateRule &rule : updates)
    if (rule.paramIndex == index)
      return error(stmt.nameLoc)
             << "'" << target << "' already has an update rule on line "
             << sourceMgr.getLineAndColumn(rule.stmt->loc).first;
  updates.push_back({&stmt, index});
  return success();
}

FailureOr<Value> ModelGen::emitAccuracy(const CallExpr &call) {
  Location where = loc(call.getLoc());
  if (call.args.size() != 2 || !call.args[0].name.empty() ||
      !call.args[1].name.empty())
    return error(call.getLoc()) << "accuracy expects (prediction, target)",
           failure();
  FailureOr<SampleValue> predicted = emitExpr(*call.args[0].value);
  FailureOr<SampleValue> target = emitExpr(*call.args[1].value);
  if (failed(predicted) || failed(target))
    return failure();
  auto predictedType = cast<RankedTensorType>(predicted->value.getType());
  auto targetType = cast<RankedTensorType>(target->value.getType());
  ArrayRef<int64_t> shape = predicted->sampleShape();
  if (!predicted->batched || !target->batched || shape.size() != 1)
    return error(call.args[0].loc)
               << "accuracy expects per-sample scores of one vector, got "
               << shapeString(predictedType.getElementType(), shape),
           failure();
  int64_t columns = shape[0];
  if (targetType.getElementType().isInteger(32) && columns > 1) {
    // Class targets: correct when the target's score is the largest.
    if (columns != numClasses)
      return error(call.getLoc())
                 << "accuracy: the label has " << numClasses
                 << " classes but the scores have " << columns << " columns",
             failure();
    Value oneHot = OneHotOp::create(builder, where, target->value, numClasses,
                                    cast<FloatType>(elementType));
    Value picked = reduceSum(
        builder, where, MulOp::create(builder, where, oneHot, predicted->value),
        {1});
    Value best = ReduceMaxOp::create(builder, where, predicted->value,
                                     ArrayRef<int64_t>{1});
    return CompareOp::create(builder, where, ComparePredicate::ge, picked,
                             best)
        .getResult();
  }
  Value truth = target->value;
  if (targetType.getElementType().isInteger(32))
    return error(call.getLoc()) << "accuracy of one score against a class "
                                   "label is not supported yet; use one "
                                   "logit per class",
           failure();
  if (target->sampleShape() != shape)
    return error(call.getLoc())
               << "accuracy compares " << shapeString(elementType, shape)
               << " with " << shapeString(elementType, target->sampleShape()),
           failure();
  // Binary decisions thresholded at 0.5; the fraction of equal elements.
  Value p = CompareOp::create(
      builder, where, ComparePredicate::ge, predicted->value,
      splatLike(builder, where, predictedType, 0.5));
  Value t = CompareOp::create(builder, where, ComparePredicate::ge, truth,
                              splatLike(builder, where, targetType, 0.5));
  Value equal = CompareOp::create(builder, where, ComparePredicate::eq, p, t);
  return reduceMean(builder, where, equal, {1});
}

FailureOr<Value> ModelGen::emitMetric(const Stmt &stmt) {
  auto *call = llvm::dyn_cast<CallExpr>(stmt.value.get());
  if (call && calleeName(*call) == "accuracy")
    return emitAccuracy(*call);
  FailureOr<SampleValue> value = emitExpr(*stmt.value);
  if (failed(value))
    return failure();
  if (!value->batched || !value->sampleShape().empty())
    return error(stmt.value->getLoc())
               << "a metric must be a per-sample scalar (accuracy(z, y), "
                  "mse(p, t), mean(h)), got "
               << shapeString(elementType, value->sampleShape())
               << (value->batched ? "" : " that does not depend on the input"),
           failure();
  return value->value;
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
    return declareLayer(stmt);
  }
  case Stmt::Kind::Param:
    return failure(failed(checkNewName(stmt, stmt.name())) ||
                   failed(declareParam(stmt)));
  case Stmt::Kind::Const:
    return failure(failed(checkNewName(stmt, stmt.name())) ||
                   failed(declareConst(stmt)));
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
  default:
    return error(stmt.loc) << "this statement is not supported inside a "
                              "model by this compiler version";
  }
}

LogicalResult ModelGen::declare() {
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
  if (labelName.empty() && isRoot())
    return error(model.loc)
           << "model '" << model.name << "' declares no 'label'";
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
    return stmt.kind == Stmt::Kind::Metric;
  });
  // A root model may report only metrics (several towers trained side by
  // side); a sub-model's call returns its output.
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

LogicalResult ModelGen::bindModelParams(const CallExpr &call,
                                        ModelGen &caller) {
  const std::vector<ParamDecl> &decls = model.params;
  SmallVector<const Expr *> bound(decls.size(), nullptr);
  size_t positional = 0;
  for (const Argument &arg : call.args) {
    size_t slot = positional;
    if (arg.name.empty()) {
      if (positional++ >= decls.size())
        return caller.error(arg.loc) << "model '" << model.name << "' takes "
                                     << decls.size() << " parameter(s)";
    } else {
      auto it = llvm::find_if(
          decls, [&](const ParamDecl &d) { return d.name == arg.name; });
      if (it == decls.end())
        return caller.error(arg.loc) << "model '" << model.name
                                     << "' has no parameter named '"
                                     << arg.name << "'";
      slot = it - decls.begin();
    }
    if (bound[slot])
      return caller.error(arg.loc) << "parameter '" << decls[slot].name
                                   << "' is given twice";
    bound[slot] = arg.value.get();
  }
  for (auto [decl, expr] : llvm::zip_equal(decls, bound)) {
    // An omitted parameter takes its default, evaluated in the model.
    const Expr *value = expr ? expr : decl.defaultValue.get();
    ModelGen &scope = expr ? caller : *this;
    if (!value)
      return caller.error(call.getLoc())
             << "model '" << model.name << "' needs its parameter '"
             << decl.name << "'";
    if (std::optional<double> number =
            evaluateNumber(*value, &scope.modelParams)) {
      modelParams[decl.name] = *number;
      continue;
    }
    if (auto *lambda = llvm::dyn_cast<LambdaExpr>(value)) {
      functionParams[decl.name] = FunctionValue{"", lambda, &scope};
      continue;
    }
    if (auto *name = llvm::dyn_cast<IdentifierExpr>(value)) {
      auto passed = scope.functionParams.find(name->name);
      if (passed != scope.functionParams.end()) {
        functionParams[decl.name] = passed->second;
        continue;
      }
      if (const Builtin *builtin = lookupBuiltin(name->name);
          builtin && builtin->arity == 1) {
        functionParams[decl.name] = FunctionValue{name->name, nullptr, &scope};
        continue;
      }
    }
    return scope.error(value->getLoc())
           << "a model parameter must be a number, a one-argument builtin "
              "(relu) or a lambda (fn(z) => ...)";
  }
  return success();
}

LogicalResult ModelGen::declareSubModel(const Stmt &stmt, const CallExpr &call,
                                        const Block &block) {
  for (ModelGen *scope = this; scope; scope = scope == root ? nullptr : root)
    if (&scope->model == &block)
      return error(call.getLoc())
             << "model '" << block.name << "' cannot contain itself";
  std::unique_ptr<ModelGen> instance(
      new ModelGen(*this, block, prefix + stmt.name() + "."));
  if (failed(instance->bindModelParams(call, *this)) ||
      failed(instance->declare()))
    return failure();
  subModels[stmt.name()] = std::move(instance);
  return success();
}

FailureOr<SampleValue>
ModelGen::emitInstance(const CallExpr &call, ArrayRef<SampleValue> inputs) {
  if (inputs.size() != 1)
    return error(call.getLoc()) << "model '" << model.name
                                << "' takes 1 input, got " << inputs.size(),
           failure();
  ArrayRef<int64_t> shape = inputs[0].sampleShape();
  if (shape != ArrayRef<int64_t>(inputShape))
    return error(call.getLoc())
               << "model '" << model.name << "' expects an input of "
               << shapeString(elementType, inputShape) << " but got "
               << shapeString(elementType, shape),
           failure();
  values.clear();
  values[inputName] = inputs[0];
  ForwardValues forward;
  if (failed(emitBody(forward)))
    return failure();
  return values.lookup(outputName);
}

FailureOr<SampleValue>
ModelGen::emitFunctionCall(const CallExpr &call, const FunctionValue &function) {
  SmallVector<SampleValue> args;
  for (const Argument &arg : call.args) {
    if (!arg.name.empty())
      return error(arg.loc) << "a function parameter takes positional "
                               "arguments only",
             failure();
    FailureOr<SampleValue> value = emitExpr(*arg.value);
    if (failed(value))
      return failure();
    args.push_back(*value);
  }
  if (!function.lambda) {
    const Builtin *builtin = lookupBuiltin(function.builtin);
    if (args.size() != 1)
      return error(call.getLoc()) << "'" << function.builtin
                                  << "' expects 1 argument(s), got "
                                  << args.size(),
             failure();
    SmallVector<double> options;
    for (const BuiltinOption &option : builtin->options)
      options.push_back(option.defaultValue);
    Value operand = args[0].value;
    FailureOr<Value> result = builtin->build(BuiltinCall{
        builder, loc(call.getLoc()), operand, options, numClasses});
    if (failed(result))
      return failure();
    return SampleValue{*result, args[0].batched};
  }
  const LambdaExpr &lambda = *function.lambda;
  if (lambda.params.size() != args.size())
    return error(call.getLoc()) << "the function takes "
                                << lambda.params.size()
                                << " argument(s), got " << args.size(),
           failure();
  // The body sees the lambda's parameters over the scope that wrote it.
  ModelGen &scope = *function.scope;
  SmallVector<std::pair<std::string, std::optional<SampleValue>>> saved;
  for (auto [param, arg] : llvm::zip_equal(lambda.params, args)) {
    auto it = scope.values.find(param.name);
    saved.emplace_back(param.name, it == scope.values.end()
                                       ? std::nullopt
                                       : std::optional<SampleValue>(it->second));
    scope.values[param.name] = arg;
  }
  FailureOr<SampleValue> result = scope.emitExpr(*lambda.body);
  for (auto &[name, old] : saved) {
    if (old)
      scope.values[name] = *old;
    else
      scope.values.erase(name);
  }
  return result;
}

Value ModelGen::scalar(llvm::SMLoc where, double value) {
  return splatLike(builder, loc(where), RankedTensorType::get({}, elementType),
                   value);
}

FailureOr<SampleValue> ModelGen::emitIdentifier(const IdentifierExpr &name) {
  auto it = values.find(name.name);
  if (it != values.end())
    return it->second;
  auto param = explicitParams.find(name.name);
  if (param != explicitParams.end())
    return SampleValue{root->paramValues[param->second], false};
  auto constant = consts.find(name.name);
  if (constant != consts.end()) {
    auto type = RankedTensorType::get(constant->second.shape, elementType);
    SmallVector<Attribute> elements;
    for (double v : constant->second.values)
      elements.push_back(builder.getFloatAttr(elementType, v));
    return SampleValue{arith::ConstantOp::create(
                           builder, loc(name.getLoc()), type,
                           DenseElementsAttr::get(type, elements))
                           .getResult(),
                       false};
  }
  auto bound = modelParams.find(name.name);
  if (bound != modelParams.end())
    return SampleValue{scalar(name.getLoc(), bound->second), false};
  if (layers.count(name.name))
    return error(name.getLoc())
               << "layer '" << name.name << "' must be applied, e.g. '"
               << name.name << "(x)'",
           failure();
  return error(name.getLoc()) << "use of undefined name '" << name.name << "'",
         failure();
}

std::optional<FailureOr<SampleValue>>
ModelGen::emitPerSampleBuiltin(const CallExpr &call) {
  StringRef name = calleeName(call);
  unsigned arity = llvm::StringSwitch<unsigned>(name)
                       .Cases({"outer", "matmul"}, 2)
                       .Cases({"transpose", "sum", "mean"}, 1)
                       .Default(0);
  if (!arity)
    return std::nullopt;
  Location where = loc(call.getLoc());
  SmallVector<SampleValue> args;
  for (const Argument &arg : call.args) {
    if (!arg.name.empty())
      return FailureOr<SampleValue>(
          (error(arg.loc) << "'" << name << "' has no argument named '"
                          << arg.name << "'",
           failure()));
    FailureOr<SampleValue> value = emitExpr(*arg.value);
    if (failed(value))
      return FailureOr<SampleValue>(failure());
    args.push_back(*value);
  }
  if (args.size() != arity)
    return FailureOr<SampleValue>(
        (error(call.getLoc()) << "'" << name << "' expects " << arity
                              << " argument(s), got " << args.size(),
         failure()));
  if (name == "outer")
    return perSampleOuter(builder, where, args[0], args[1]);
  if (name == "matmul")
    return perSampleMatmul(builder, where, args[0], args[1]);
  if (name == "transpose")
    return perSampleTranspose(builder, where, args[0]);
  if (name == "sum")
    return FailureOr<SampleValue>(perSampleSum(builder, where, args[0]));
  return FailureOr<SampleValue>(perSampleMean(builder, where, args[0]));
}

FailureOr<SampleValue> ModelGen::emitCall(const CallExpr &call) {
  StringRef name = calleeName(call);
  if (name.empty())
    return error(call.getLoc()) << "expected a function or layer name",
           failure();
  auto function = functionParams.find(name);
  if (function != functionParams.end())
    return emitFunctionCall(call, function->second);
  auto instance = subModels.find(name);
  if (instance != subModels.end()) {
    SmallVector<SampleValue> inputs;
    for (const Argument &arg : call.args) {
      if (!arg.name.empty())
        return error(arg.loc) << "a model's inputs are positional", failure();
      FailureOr<SampleValue> value = emitExpr(*arg.value);
      if (failed(value))
        return failure();
      inputs.push_back(*value);
    }
    return instance->second->emitInstance(call, inputs);
  }
  if (auto perSample = emitPerSampleBuiltin(call))
    return *perSample;
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
  bool batched = false;
  SmallVector<double> options;
  for (const BuiltinOption &option : optionSpecs)
    options.push_back(option.defaultValue);
  for (const Argument &arg : call.args) {
    if (arg.name.empty()) {
      auto value = emitExpr(*arg.value);
      if (failed(value))
        return failure();
      operands.push_back(value->value);
      batched |= value->batched;
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
    std::optional<double> value = evaluateNumber(*arg.value, &modelParams);
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

  FailureOr<Value> result;
  if (!builtin) {
    const LayerInfo &info = layer->second;
    SmallVector<Value> layerParams;
    for (unsigned index : info.paramIndices)
      layerParams.push_back(root->paramValues[index]);
    result = info.kind->apply(builder, where, operands[0], layerParams);
  } else {
    result = builtin->build(
        BuiltinCall{builder, where, operands, options, numClasses});
  }
  if (failed(result))
    return failure();
  return SampleValue{*result, batched};
}

FailureOr<SampleValue> ModelGen::emitBinary(const BinaryExpr &binary) {
  auto lhs = emitExpr(*binary.lhs);
  auto rhs = emitExpr(*binary.rhs);
  if (failed(lhs) || failed(rhs))
    return failure();
  Location where = loc(binary.getLoc());
  if (binary.op == "@")
    return perSampleMatmul(builder, where, *lhs, *rhs);
  alignForBroadcast(builder, where, *lhs, *rhs);
  FailureOr<Value> result =
      emitBinaryOperator(builder, where, binary.op, lhs->value, rhs->value);
  if (failed(result))
    return failure();
  return SampleValue{*result, lhs->batched || rhs->batched};
}

FailureOr<SampleValue> ModelGen::emitExpr(const Expr &expr) {
  if (auto *name = llvm::dyn_cast<IdentifierExpr>(&expr))
    return emitIdentifier(*name);
  if (auto *call = llvm::dyn_cast<CallExpr>(&expr))
    return emitCall(*call);
  if (auto *binary = llvm::dyn_cast<BinaryExpr>(&expr))
    return emitBinary(*binary);
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&expr)) {
    FailureOr<SampleValue> operand = emitExpr(*unary->operand);
    if (failed(operand))
      return failure();
    FailureOr<Value> result = emitUnaryOperator(builder, loc(unary->getLoc()),
                                                unary->op, operand->value);
    if (failed(result))
      return failure();
    return SampleValue{*result, operand->batched};
  }
  // A number is a scalar of the model's dtype; broadcasting spreads it.
  if (auto *number = llvm::dyn_cast<NumberExpr>(&expr))
    return SampleValue{scalar(number->getLoc(), number->value), false};
  return error(expr.getLoc()) << "this expression is not supported inside a "
                                 "model by this compiler version",
         failure();
}

LogicalResult ModelGen::emitBody(ForwardValues &forward) {
  for (const Stmt &stmt : model.body) {
    bool loss = stmt.kind == Stmt::Kind::Loss && isRoot();
    if (stmt.kind == Stmt::Kind::Metric && isRoot()) {
      // Unnamed metrics are named after their function (13.3).
      std::string name =
          stmt.names.empty() ? calleeName(*stmt.value).str() : stmt.name();
      if (name.empty())
        return error(stmt.loc) << "name this metric: metric NAME = ...";
      for (const auto &[other, value] : forward.metrics)
        if (other == name)
          return error(stmt.names.empty() ? stmt.value->getLoc() : stmt.nameLoc)
                 << "a metric named '" << name
                 << "' is already defined; name this one: metric NAME = ...";
      FailureOr<Value> value = emitMetric(stmt);
      if (failed(value))
        return failure();
      forward.metrics.emplace_back(name, *value);
      continue;
    }
    if (stmt.kind != Stmt::Kind::Let && stmt.kind != Stmt::Kind::Output &&
        !loss)
      continue;
    // `let (a, b) = (e1, e2)` binds each element.
    auto *tuple = llvm::dyn_cast<TupleExpr>(stmt.value.get());
    if (stmt.kind == Stmt::Kind::Let && stmt.names.size() > 1) {
      if (!tuple || tuple->elements.size() != stmt.names.size())
        return error(stmt.value->getLoc())
                   << "binds " << stmt.names.size()
                   << " names, so the value must be a tuple of as many "
                      "elements",
               failure();
      for (auto [name, element] : llvm::zip_equal(stmt.names, tuple->elements)) {
        FailureOr<SampleValue> value = emitExpr(*element);
        if (failed(value))
          return failure();
        if (!values.try_emplace(name, *value).second)
          return error(stmt.nameLoc) << "'" << name << "' is already defined",
                 failure();
      }
      continue;
    }
    FailureOr<SampleValue> value = emitExpr(*stmt.value);
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
        return diag << ")", failure();
      }
      // Several losses are summed into the objective (13.1).
      forward.perSampleLoss =
          forward.perSampleLoss
              ? AddOp::create(builder, loc(stmt.loc), forward.perSampleLoss,
                              value->value)
                    .getResult()
              : value->value;
      continue;
    }
    if (stmt.kind == Stmt::Kind::Output && !value->batched)
      return error(stmt.value->getLoc())
                 << "output '" << stmt.name()
                 << "' does not depend on the input",
             failure();
    if (!values.try_emplace(stmt.name(), *value).second)
      return error(stmt.nameLoc)
                 << "'" << stmt.name() << "' is already defined",
             failure();
    if (stmt.kind == Stmt::Kind::Output)
      forward.output = value->value;
  }
  return success();
}

FailureOr<ForwardValues> ModelGen::emitForward(ValueRange paramArgs, Value x,
                                               Value y, bool withUpdates,
                                               Value mask) {
  values.clear();
  paramValues.assign(paramArgs.begin(), paramArgs.end());
  values[inputName] = {x, true};
  values[labelName] = {y, true};
  ForwardValues forward;
  if (failed(emitBody(forward)))
    return failure();
  if (outputStmt)
    forward.output = values.lookup(outputName).value;
  if (!withUpdates)
    return forward;
  // Right-hand sides see the forward values, before any change (7.6).
  for (const UpdateRule &rule : updates) {
    FailureOr<SampleValue> value = emitExpr(*rule.stmt->value);
    if (failed(value))
      return failure();
    Value mean = batchMean(builder, loc(rule.stmt->loc), *value, mask);
    const ParamInfo &param = params[rule.paramIndex];
    auto type = cast<RankedTensorType>(mean.getType());
    if (type.getShape() != ArrayRef<int64_t>(param.shape)) {
      FailureOr<Value> broadcast =
          type.getRank() == 0
              ? broadcastTo(builder, loc(rule.stmt->loc), mean, param.shape)
              : FailureOr<Value>(failure());
      if (failed(broadcast))
        return error(rule.stmt->value->getLoc())
                   << "update of '" << param.name << "' ("
                   << shapeString(elementType, param.shape)
                   << ") computes a value of "
                   << shapeString(elementType, type.getShape()),
               failure();
      mean = *broadcast;
    }
    forward.updates.emplace_back(rule.paramIndex, mean);
  }
  return forward;
}
