//===- ModelExprs.cpp - A model's computation -----------------------------===//
// Emits expressions with per-sample semantics, the statements of a model's
// body (let, output, loss, metric) and the update rules' right-hand sides.
//===----------------------------------------------------------------------===//
#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "dialects/DLN/IR/DLNConvolutions.h"
#include "frontend/Builtins.h"
#include "frontend/Operators.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

LogicalResult ModelGen::requireReal(SampleValue value, llvm::SMLoc where,
                                    StringRef what) {
  if (value.isTuple())
    return error(where) << what << " expects a tensor, got a tuple of "
                        << value.elements.size() << " values",
           failure();
  auto type = cast<RankedTensorType>(value.value.getType());
  if (!type.getElementType().isInteger(32))
    return success();
  return error(where) << what << " expects real numbers, got a class index "
                             "(class["
                      << numClasses << "]); one_hot(c) makes it a vector",
         failure();
}

FailureOr<SampleValue> ModelGen::emitOneHot(const CallExpr &call) {
  if (call.args.size() != 1 || !call.args[0].name.empty())
    return error(call.getLoc()) << "'one_hot' expects 1 argument(s), got "
                                << call.args.size(),
           failure();
  FailureOr<SampleValue> ids = emitExpr(*call.args[0].value);
  if (failed(ids))
    return failure();
  auto type = cast<RankedTensorType>(ids->value.getType());
  if (!type.getElementType().isInteger(32) || !ids->sampleShape().empty())
    return error(call.args[0].loc)
               << "one_hot expects a class index (class[N]), got "
               << shapeString(type.getElementType(), ids->sampleShape()),
           failure();
  Value rows = OneHotOp::create(builder, loc(call.getLoc()), ids->value,
                                numClasses, cast<FloatType>(elementType));
  return SampleValue{rows, ids->batched};
}

Value ModelGen::scalar(llvm::SMLoc where, double value) {
  return splatConstant(builder, loc(where), RankedTensorType::get({}, elementType),
                   value);
}

FailureOr<SampleValue> ModelGen::emitMember(const MemberExpr &member) {
  // `enc.w` / `enc.weight`: a layer's parameter, the same for every sample
  // (tied weights).
  auto *base = dyn_cast<IdentifierExpr>(member.base.get());
  auto layer = base ? layers.find(base->name) : layers.end();
  if (layer == layers.end())
    return error(member.getLoc())
               << "'." << member.member
               << "' reads a member of a layer (enc.w, enc.b); "
               << (base ? "'" + base->name + "' is not a layer of model '" +
                              model.name + "'"
                        : std::string("the left side is not a layer name")),
           failure();
  // w, b and the cells' w_ih, w_hh, b_ih, b_hh abbreviate weight/bias.
  std::string full = member.member;
  if (full == "w" || full.rfind("w_", 0) == 0)
    full = "weight" + full.substr(1);
  else if (full == "b" || full.rfind("b_", 0) == 0)
    full = "bias" + full.substr(1);
  std::string suffix = "." + full;
  InFlightDiagnostic unknown = error(member.getLoc());
  unknown << "layer '" << base->name << "' has no member '" << member.member
          << "' (it has ";
  bool first = true;
  for (unsigned index : layer->second.paramIndices) {
    StringRef name = root->params[index].name;
    if (name.ends_with(suffix) &&
        name.drop_back(suffix.size()).ends_with(base->name)) {
      unknown.abandon();
      return SampleValue{root->paramValues[index], false};
    }
    unknown << (first ? "" : ", ") << name.rsplit('.').second;
    first = false;
  }
  unknown << ")";
  return failure();
}

FailureOr<SampleValue> ModelGen::emitIdentifier(const IdentifierExpr &name) {
  auto it = values.find(name.name);
  if (it != values.end())
    return it->second;
  auto param = explicitParams.find(name.name);
  if (param != explicitParams.end())
    return SampleValue{root->paramValues[param->second], false};
  auto constant = consts.find(name.name);
  if (constant != consts.end() && constant->second.expr)
    return emitConstExpression(name.name, constant->second, name.getLoc());
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
  if (layers.count(name.name) || sequentials.count(name.name))
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
  if (name == "concat")
    return emitConcat(call);
  if (name == "reshape")
    return emitReshape(call);
  unsigned arity = llvm::StringSwitch<unsigned>(name)
                       .Cases({"outer", "matmul"}, 2)
                       .Cases({"transpose", "sum", "mean", "flatten"}, 1)
                       .Default(0);
  if (!arity)
    return std::nullopt;
  Location where = loc(call.getLoc());
  SmallVector<SampleValue> args;
  // `sum(x, axis = k)`, `mean(x, axis = k)`: one per-sample axis only.
  const Argument *axisArg = nullptr;
  for (const Argument &arg : call.args) {
    if (arg.name == "axis" && (name == "sum" || name == "mean")) {
      axisArg = &arg;
      continue;
    }
    if (!arg.name.empty())
      return FailureOr<SampleValue>(
          (error(arg.loc) << "'" << name << "' has no argument named '"
                          << arg.name << "'"
                          << (name == "sum" || name == "mean"
                                  ? " (expected axis)"
                                  : ""),
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
  if (axisArg) {
    SampleValue x = args[0];
    int64_t rank = x.sampleShape().size();
    std::optional<double> axis = evaluateNumber(*axisArg->value, &modelParams);
    if (!axis || *axis != std::floor(*axis) || *axis < -rank || *axis >= rank)
      return FailureOr<SampleValue>(
          (error(axisArg->value->getLoc())
               << "'axis' of " << name << " must be an integer in [" << -rank
               << ", " << rank << ") for a sample of "
               << shapeString(elementType, x.sampleShape()),
           failure()));
    int64_t dim = static_cast<int64_t>(*axis) + (*axis < 0 ? rank : 0) +
                  (x.batched ? 1 : 0);
    return FailureOr<SampleValue>(SampleValue{
        name == "sum" ? dln::reduceSum(builder, where, x.value, {dim})
                      : dln::reduceMean(builder, where, x.value, {dim}),
        x.batched});
  }
  if (name == "outer")
    return perSampleOuter(builder, where, args[0], args[1]);
  if (name == "matmul")
    return perSampleMatmul(builder, where, args[0], args[1]);
  if (name == "transpose")
    return perSampleTranspose(builder, where, args[0]);
  if (name == "sum")
    return FailureOr<SampleValue>(perSampleSum(builder, where, args[0]));
  if (name == "flatten")
    return FailureOr<SampleValue>(perSampleFlatten(builder, where, args[0]));
  return FailureOr<SampleValue>(perSampleMean(builder, where, args[0]));
}

FailureOr<SampleValue> ModelGen::emitReshape(const CallExpr &call) {
  // reshape(x, [d...]): per-sample dims, one of them -1 (inferred).
  auto *dimsList = call.args.size() == 2
                       ? dyn_cast<ListExpr>(call.args[1].value.get())
                       : nullptr;
  if (!dimsList || !call.args[0].name.empty() || !call.args[1].name.empty())
    return error(call.getLoc())
               << "expected reshape(x, [d, ...]) with the per-sample "
                  "dimensions as a list",
           failure();
  FailureOr<SampleValue> x = emitExpr(*call.args[0].value);
  if (failed(x) || failed(requireReal(*x, call.args[0].loc, "'reshape'")))
    return failure();
  int64_t count = 1;
  for (int64_t size : x->sampleShape())
    count *= size;
  SmallVector<int64_t> dims;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (const ExprPtr &element : dimsList->elements) {
    std::optional<int64_t> dim = evaluateInteger(*element, &modelParams);
    if (!dim || (*dim <= 0 && *dim != -1) || (*dim == -1 && inferred))
      return error(element->getLoc())
                 << "reshape dimensions are positive integers, with at most "
                    "one -1",
             failure();
    if (*dim == -1)
      inferred = dims.size();
    else
      known *= *dim;
    dims.push_back(*dim);
  }
  if (inferred && count % known == 0)
    dims[*inferred] = count / known;
  int64_t total = 1;
  for (int64_t dim : dims)
    total *= dim;
  if (total != count || dims.empty())
    return error(call.getLoc())
               << "cannot reshape "
               << shapeString(elementType, x->sampleShape()) << " ("
               << count << " elements) to [" << dln::shapeText(dims).substr(1)
               << " per sample",
           failure();
  return reshapeSample(builder, loc(call.getLoc()), *x, dims);
}

FailureOr<SampleValue> ModelGen::emitConcat(const CallExpr &call) {
  // concat(a, b, ..., axis = 0): per-sample axes; all parts batched alike.
  SmallVector<Value> parts;
  SmallVector<llvm::SMLoc> partLocs;
  std::optional<bool> batched;
  int64_t axis = 0;
  for (const Argument &arg : call.args) {
    if (!arg.name.empty()) {
      std::optional<int64_t> value =
          arg.name == "axis" ? evaluateInteger(*arg.value, &modelParams)
                             : std::nullopt;
      if (!value)
        return error(arg.loc) << (arg.name == "axis"
                                      ? "'axis' must be an integer"
                                      : "'concat' takes parts and 'axis'"),
               failure();
      axis = *value;
      continue;
    }
    FailureOr<SampleValue> part = emitExpr(*arg.value);
    if (failed(part))
      return failure();
    if (batched && *batched != part->batched)
      return error(arg.loc) << "concat joins per-sample values or fixed "
                               "ones, not both",
             failure();
    batched = part->batched;
    parts.push_back(part->value);
    partLocs.push_back(arg.loc);
  }
  if (parts.size() < 2)
    return error(call.getLoc()) << "concat expects at least two parts",
           failure();
  int64_t rank = cast<RankedTensorType>(parts[0].getType()).getRank() -
                 (*batched ? 1 : 0);
  if (axis < -rank || axis >= rank)
    return error(call.getLoc()) << "concat axis " << axis
                                << " is out of range for per-sample rank "
                                << rank,
           failure();
  if (axis < 0)
    axis += rank;
  // Reported per sample, as the program wrote the shapes.
  size_t skip = *batched ? 1 : 0;
  auto shapeOf = [&](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape().drop_front(skip);
  };
  for (auto [i, part] : llvm::enumerate(parts)) {
    ArrayRef<int64_t> a = shapeOf(parts.front()), b = shapeOf(part);
    bool same = a.size() == b.size();
    for (size_t d = 0; same && d < a.size(); ++d)
      same = static_cast<int64_t>(d) == axis || a[d] == b[d];
    if (!same)
      return error(partLocs[i])
                 << "concat along axis " << axis
                 << " needs the other sizes equal, got "
                 << shapeString(elementType, a) << " and "
                 << shapeString(elementType, b),
             failure();
  }
  FailureOr<Value> joined = concatenate(builder, loc(call.getLoc()), parts,
                                        axis + (*batched ? 1 : 0));
  if (failed(joined))
    return failure();
  return SampleValue{*joined, *batched};
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
  auto sequential = sequentials.find(name);
  if (sequential != sequentials.end()) {
    if (call.args.size() != 1 || !call.args[0].name.empty())
      return error(call.getLoc()) << "'" << name
                                  << "' expects 1 argument(s), got "
                                  << call.args.size(),
             failure();
    FailureOr<SampleValue> input = emitExpr(*call.args[0].value);
    if (failed(input))
      return failure();
    return applySequential(sequential->second, *input, call.getLoc());
  }
  if (name == "one_hot")
    return emitOneHot(call);
  if (isTensorConstructor(name))
    return emitTensorConstructor(call);
  if (auto energy = emitEnergyBuiltin(call))
    return *energy;
  if (name == "kl_sparsity")
    return emitKlSparsity(call);
  if (auto perSample = emitPerSampleBuiltin(call))
    return *perSample;
  if (auto random = emitRandomCall(call))
    return *random;
  if (auto sequence = emitSequenceBuiltin(call))
    return *sequence;
  Location where = loc(call.getLoc());
  const Builtin *builtin = lookupBuiltin(name);
  if (!builtin) {
    auto layer = layers.find(name);
    if (layer == layers.end())
      return error(call.getLoc())
                 << "unknown function or layer '" << name << "'",
             failure();
    return emitLayerCall(call, layer->second);
  }

  // Positional tensor operands, then named options (builtins only).
  ArrayRef<BuiltinOption> optionSpecs = builtin->options;
  SmallVector<Value> operands;
  SmallVector<bool> operandBatched;
  bool batched = false;
  SmallVector<double> options;
  for (const BuiltinOption &option : optionSpecs)
    options.push_back(option.defaultValue);
  for (const Argument &arg : call.args) {
    if (arg.name.empty()) {
      auto value = emitExpr(*arg.value);
      if (failed(value))
        return failure();
      // Losses and metrics take class targets second.
      if (operands.empty() &&
          failed(requireReal(*value, arg.loc, "'" + name.str() + "'")))
        return failure();
      operands.push_back(value->value);
      operandBatched.push_back(value->batched);
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
    if (!spec->words.empty()) {
      auto *word = dyn_cast<IdentifierExpr>(arg.value.get());
      const llvm::StringLiteral *match =
          word ? llvm::find(spec->words, word->name) : spec->words.end();
      if (match == spec->words.end()) {
        InFlightDiagnostic diag = error(arg.value->getLoc());
        diag << "argument '" << arg.name << "' of '" << name << "' is ";
        llvm::interleave(spec->words, diag, " or ");
        return failure();
      }
      options[spec - optionSpecs.begin()] = match - spec->words.begin();
      continue;
    }
    std::optional<double> value = evaluateNumber(*arg.value, &modelParams);
    if (!value)
      return error(arg.loc) << "argument '" << arg.name << "' of '" << name
                            << "' must be a number",
             failure();
    options[spec - optionSpecs.begin()] = *value;
  }
  unsigned arity = builtin->arity;
  if (operands.size() != arity)
    return error(call.getLoc()) << "'" << name << "' expects " << arity
                                << " argument(s), got " << operands.size(),
           failure();
  // Layers check this in applyLayer.
  if (builtin->needsBatch && !batched)
    return error(call.getLoc()) << "'" << name
                                << "' expects a per-sample image computed "
                                   "from the input",
           failure();

  // A constant target (`ones(1)`) is the same for every sample: a loss
  // compares it with each row.
  if (builtin->isLoss && batched) {
    Value carrier = operands[llvm::find(operandBatched, true) -
                             operandBatched.begin()];
    for (auto [operand, isBatched] : llvm::zip(operands, operandBatched)) {
      if (isBatched)
        continue;
      FailureOr<Value> spread =
          spreadOverBatch(builder, where, operand, carrier);
      if (failed(spread))
        return failure();
      operand = *spread;
    }
  }
  FailureOr<Value> result =
      builtin->build(
      BuiltinCall{builder, where, operands, options, numClasses, batched});
  if (failed(result))
    return failure();
  return SampleValue{*result, batched};
}

FailureOr<SampleValue> ModelGen::emitBinary(const BinaryExpr &binary) {
  auto lhs = emitExpr(*binary.lhs);
  auto rhs = emitExpr(*binary.rhs);
  if (failed(lhs) || failed(rhs))
    return failure();
  std::string what = "'" + binary.op + "'";
  if (failed(requireReal(*lhs, binary.lhs->getLoc(), what)) ||
      failed(requireReal(*rhs, binary.rhs->getLoc(), what)))
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
  FailureOr<SampleValue> value = emitExprOrTuple(expr);
  if (succeeded(value) && value->isTuple())
    return error(expr.getLoc())
               << "expected a tensor, got a tuple of "
               << value->elements.size() << " values",
           failure();
  return value;
}

FailureOr<SampleValue> ModelGen::emitExprOrTuple(const Expr &expr) {
  if (auto *tuple = llvm::dyn_cast<TupleExpr>(&expr)) {
    SampleValue result;
    for (const ExprPtr &element : tuple->elements) {
      FailureOr<SampleValue> value = emitExprOrTuple(*element);
      if (failed(value))
        return failure();
      result.elements.push_back(std::move(*value));
    }
    return result;
  }
  if (auto *name = llvm::dyn_cast<IdentifierExpr>(&expr))
    return emitIdentifier(*name);
  if (auto *call = llvm::dyn_cast<CallExpr>(&expr))
    return emitCall(*call);
  if (auto *member = llvm::dyn_cast<MemberExpr>(&expr))
    return emitMember(*member);
  if (auto *index = llvm::dyn_cast<IndexExpr>(&expr))
    return emitIndex(*index);
  if (auto *binary = llvm::dyn_cast<BinaryExpr>(&expr))
    return emitBinary(*binary);
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&expr)) {
    FailureOr<SampleValue> operand = emitExpr(*unary->operand);
    if (failed(operand) ||
        failed(requireReal(*operand, unary->operand->getLoc(),
                           "'" + unary->op + "'")))
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

FailureOr<SmallVector<std::pair<std::string, SampleValue>>>
ModelGen::evaluateBinding(const Stmt &stmt) {
  SmallVector<std::pair<std::string, SampleValue>> bound;
  FailureOr<SampleValue> value = emitExprOrTuple(*stmt.value);
  if (failed(value))
    return failure();
  if (stmt.names.size() <= 1) {
    bound.emplace_back(stmt.name(), *value);
    return bound;
  }
  if (!value->isTuple() || value->elements.size() != stmt.names.size())
    return error(stmt.value->getLoc())
               << "binds " << stmt.names.size()
               << " names, so the value must be a tuple of as many elements",
           failure();
  for (auto [name, element] : llvm::zip_equal(stmt.names, value->elements))
    bound.emplace_back(name, element);
  return bound;
}

FailureOr<SmallVector<std::pair<std::string, SampleValue>>>
ModelGen::defineBinding(const Stmt &stmt) {
  auto bound = evaluateBinding(stmt);
  if (failed(bound))
    return failure();
  for (auto &[name, value] : *bound)
    if (!values.try_emplace(name, value).second)
      return error(stmt.nameLoc) << "'" << name << "' is already defined",
             failure();
  return bound;
}

LogicalResult ModelGen::emitBody(ForwardValues &forward) {
  for (const Stmt &stmt : model.body) {
    bool loss = stmt.kind == Stmt::Kind::Loss && isRoot();
    if (stmt.kind == Stmt::Kind::Metric && isRoot()) {
      if (!emittingMetrics)
        continue;
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
    if (stmt.kind == Stmt::Kind::For) {
      if (failed(emitLoop(stmt)))
        return failure();
      continue;
    }
    if (stmt.kind != Stmt::Kind::Let && stmt.kind != Stmt::Kind::Output &&
        !loss)
      continue;
    // `let (a, b) = (e1, e2)` binds each element.
    if (stmt.kind == Stmt::Kind::Let && stmt.names.size() > 1) {
      if (failed(defineBinding(stmt)))
        return failure();
      continue;
    }
    // A let may name a tuple (a scan's carries); outputs and losses are
    // tensors.
    FailureOr<SampleValue> value = stmt.kind == Stmt::Kind::Let
                                       ? emitExprOrTuple(*stmt.value)
                                       : emitExpr(*stmt.value);
    if (failed(value))
      return failure();
    if (stmt.kind == Stmt::Kind::Loss) {
      const Builtin *callee = lookupBuiltin(calleeName(*stmt.value));
      bool batchLevel = calleeName(*stmt.value) == "kl_sparsity";
      // Arithmetic over loss terms (`bce(a, t) + bce(b, u)`) is a loss
      // too: a scalar per sample.
      bool perSampleScalar =
          value->batched &&
          cast<RankedTensorType>(value->value.getType()).getRank() == 1;
      if (!batchLevel && (!callee || !callee->isLoss) && !perSampleScalar) {
        InFlightDiagnostic diag = error(stmt.value->getLoc());
        diag << "a loss must be a scalar per sample: a call of a loss "
                "function (";
        llvm::interleaveComma(
            llvm::make_filter_range(allBuiltins(),
                                    [](const Builtin &b) { return b.isLoss; }),
            diag, [&](const Builtin &b) { diag << b.name; });
        diag << ", kl_sparsity) or arithmetic over such calls";
        return failure();
      }
      std::string lossName = stmt.names.empty() ? "loss" : stmt.name();
      for (const auto &[other, term] : forward.namedLosses)
        if (other == lossName)
          return error(stmt.names.empty() ? stmt.loc : stmt.nameLoc)
                     << "a loss named '" << lossName
                     << "' is already defined; name this one: loss NAME = ...",
                 failure();
      forward.namedLosses.emplace_back(lossName, value->value);
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

FailureOr<ForwardValues> ModelGen::emitForward(ValueRange paramArgs,
                                               ValueRange stateArgs, Value x,
                                               Value y, Value rng,
                                               bool training, bool withUpdates,
                                               Value mask, bool withMetrics) {
  emittingMetrics = withMetrics;
  rowMask = mask;
  batchCarrier = x;
  stateValues.assign(stateArgs.begin(), stateArgs.end());
  rngKey = rng;
  this->training = training;
  values.clear();
  paramValues.assign(paramArgs.begin(), paramArgs.end());
  values[inputName] = {x, true};
  if (y)
    values[labelName] = {y, true};
  bindSlotStates(stateArgs);
  ForwardValues forward;
  if (failed(emitBody(forward)))
    return failure();
  if (outputStmt)
    forward.output = values.lookup(outputName).value;
  for (auto [index, value] : llvm::enumerate(stateValues))
    if (value != stateArgs[index])
      forward.stateUpdates.emplace_back(index, value);
  if (!withUpdates)
    return forward;
  // Right-hand sides see the forward values, before any change (7.6).
  for (const UpdateRule &rule : updates) {
    if (rule.isState) {
      FailureOr<Value> value = emitStateUpdate(rule);
      if (failed(value))
        return failure();
      forward.stateRuleUpdates.emplace_back(rule.paramIndex, *value);
      continue;
    }
    FailureOr<Value> averaged = emitBatchMean(*rule.stmt->value, mask);
    if (failed(averaged))
      return failure();
    Value mean = *averaged;
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
