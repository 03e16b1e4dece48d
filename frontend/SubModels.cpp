//===- SubModels.cpp - Model instances and function parameters -----------===//
// `layer down1 = double_conv(1, 16)` and `tower(relu)`: binding a model's
// block parameters (numbers, builtins, lambdas) and emitting an instance's
// computation where it is called (docs/language.md 7.7).
//===----------------------------------------------------------------------===//
#include "frontend/ModelGen.h"

#include "frontend/Builtins.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

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
  // `?` matches any size: each call specializes the body for its input.
  bool matches = shape.size() == inputShape.size() &&
                 llvm::all_of(llvm::zip(shape, inputShape), [](auto pair) {
                   auto [got, declared] = pair;
                   return ShapedType::isDynamic(declared) || got == declared;
                 });
  if (!matches)
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
    FailureOr<SampleValue> value = emitExprOrTuple(*arg.value);
    if (failed(value))
      return failure();
    args.push_back(*value);
  }
  return applyFunction(function, args, call.getLoc());
}

FailureOr<SampleValue>
ModelGen::applyFunction(const FunctionValue &function,
                        ArrayRef<SampleValue> args, llvm::SMLoc where) {
  if (function.helper)
    return function.scope->applyHelper(*function.helper, args, where);
  if (!function.lambda) {
    const Builtin *builtin = lookupBuiltin(function.builtin);
    if (args.size() != 1)
      return error(where) << "'" << function.builtin
                                  << "' expects 1 argument(s), got "
                                  << args.size(),
             failure();
    if (args[0].isTuple())
      return error(where) << "'" << function.builtin
                          << "' expects a tensor, got a tuple of "
                          << args[0].elements.size() << " values",
             failure();
    SmallVector<double> options;
    for (const BuiltinOption &option : builtin->options)
      options.push_back(option.defaultValue);
    Value operand = args[0].value;
    FailureOr<Value> result = builtin->build(
        BuiltinCall{builder, loc(where), operand, options, numClasses,
                    args[0].batched});
    if (failed(result))
      return failure();
    return SampleValue{*result, args[0].batched};
  }
  const LambdaExpr &lambda = *function.lambda;
  if (lambda.params.size() != args.size())
    return error(where) << "the function takes "
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
  FailureOr<SampleValue> result = scope.emitExprOrTuple(*lambda.body);
  for (auto &[name, old] : saved) {
    if (old)
      scope.values[name] = *old;
    else
      scope.values.erase(name);
  }
  return result;
}
