//===- Helpers.cpp - `fn` helper functions nested in a model -------------===//
// docs/language.md 7.8: `fn NAME(params) [-> type] { let ...; return e }`.
// A call emits the body in place (functions declare nothing, so inlining is
// what they mean): the parameters are bound to the arguments over the
// model's layers, parameters and constants, but not its `let`s, and the
// body's own `let`s are local. Typed parameters and results are checked
// against the values' per-sample shapes. Recursion, which the language
// allows only structurally on trees, is rejected.
//===----------------------------------------------------------------------===//
#include "frontend/Builtins.h"
#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNOps.h"

#include "llvm/ADT/ScopeExit.h"

using namespace mlir;
using namespace dlnc;

LogicalResult ModelGen::declareHelper(const Stmt &stmt) {
  const Block &fn = *stmt.block;
  if (fn.name.empty())
    return error(fn.loc) << "a helper needs a name: fn NAME(params) { ... }";
  if (lookupBuiltin(fn.name))
    return error(fn.loc) << "'" << fn.name
                         << "' is a builtin function and cannot be "
                            "redefined; choose another name";
  auto [it, inserted] = declaredNames.try_emplace(fn.name, fn.loc);
  if (!inserted)
    return error(fn.loc) << "'" << fn.name << "' is already defined on line "
                         << sourceMgr.getLineAndColumn(it->second).first;
  for (const ParamDecl &param : fn.params)
    if (param.defaultValue)
      return error(param.loc) << "helper parameters take no default values";
  const Stmt *returned = nullptr;
  for (const Stmt &inner : fn.body) {
    if (returned)
      return error(inner.loc)
             << "'return' must be the last statement of fn '" << fn.name << "'";
    if (inner.kind == Stmt::Kind::Return) {
      returned = &inner;
      continue;
    }
    if (inner.kind != Stmt::Kind::Let)
      return error(inner.loc) << "the body of fn '" << fn.name
                              << "' holds 'let' statements and a final "
                                 "'return' in this compiler version";
  }
  if (!returned || !returned->value)
    return error(fn.loc) << "fn '" << fn.name
                         << "' must end with 'return' and a value";
  functionParams[fn.name] = FunctionValue{"", nullptr, this, &fn};
  return success();
}

LogicalResult ModelGen::checkSampleType(const TypeNode &type, SampleValue value,
                                        StringRef what, llvm::SMLoc where) {
  auto valueType = cast<RankedTensorType>(value.value.getType());
  if (type.name == "class") {
    bool isIndex = valueType.getElementType().isInteger(32) &&
                   value.sampleShape().empty();
    if (type.args.size() != 1 || type.args[0].kind != TypeArg::Kind::Integer)
      return error(type.loc) << "expected 'class[N]'", failure();
    if (isIndex && type.args[0].value == numClasses)
      return success();
    return error(where) << what << " is declared class[" << type.args[0].value
                        << "] but is "
                        << (isIndex ? "class[" + std::to_string(numClasses) +
                                          "]"
                                    : shapeString(valueType.getElementType(),
                                                  value.sampleShape())),
           failure();
  }
  FailureOr<Type> element = elementTypeOf(type);
  if (failed(element))
    return failure();
  FailureOr<SmallVector<int64_t>> dims =
      staticDims(type, /*allowDynamic=*/true);
  if (failed(dims))
    return failure();
  ArrayRef<int64_t> shape = valueType.getShape();
  if (value.batched)
    shape = shape.drop_front();
  bool matches =
      valueType.getElementType() == *element && shape.size() == dims->size();
  for (auto [size, declared] : llvm::zip(shape, *dims))
    matches &= ShapedType::isDynamic(declared) || size == declared;
  if (matches)
    return success();
  std::string actual;
  llvm::raw_string_ostream os(actual);
  os << valueType.getElementType() << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return error(where) << what << " is declared " << type.name << "["
                      << dln::shapeText(*dims).substr(1) << " but is "
                      << actual,
         failure();
}

FailureOr<SampleValue> ModelGen::applyHelper(const Block &fn,
                                             ArrayRef<SampleValue> args,
                                             llvm::SMLoc where) {
  if (fn.params.size() != args.size())
    return error(where) << "fn '" << fn.name << "' takes " << fn.params.size()
                        << " argument(s), got " << args.size(),
           failure();
  if (!activeHelpers.insert(&fn).second)
    return error(where) << "fn '" << fn.name
                        << "' calls itself: recursion is allowed only "
                           "structurally on a tree argument",
           failure();
  llvm::scope_exit finish([&] { activeHelpers.erase(&fn); });
  for (auto [param, arg] : llvm::zip_equal(fn.params, args)) {
    if (param.type && arg.isTuple())
      return error(where) << "argument '" << param.name << "' is declared "
                          << param.type->name << "[...] but is a tuple of "
                          << arg.elements.size() << " values",
             failure();
    if (param.type &&
        failed(checkSampleType(*param.type, arg,
                               "argument '" + param.name + "'", where)))
      return failure();
  }
  // The body's names: the parameters, then its own lets.
  llvm::StringMap<SampleValue> outer = std::move(values);
  values.clear();
  llvm::scope_exit restore([&] { values = std::move(outer); });
  // Each call site of a helper that draws draws its own numbers.
  std::string outerScope = root->drawScope;
  auto [line, column] = sourceMgr.getLineAndColumn(where);
  root->drawScope +=
      "/fn@" + std::to_string(line) + ":" + std::to_string(column);
  llvm::scope_exit restoreScope([&] { root->drawScope = outerScope; });
  for (auto [param, arg] : llvm::zip_equal(fn.params, args))
    values[param.name] = arg;
  for (const Stmt &stmt : fn.body) {
    if (stmt.kind == Stmt::Kind::Return) {
      FailureOr<SampleValue> result = emitExprOrTuple(*stmt.value);
      if (failed(result))
        return failure();
      if (fn.resultType && result->isTuple())
        return error(stmt.value->getLoc())
                   << "the result of fn '" << fn.name << "' is declared "
                   << fn.resultType->name << "[...] but is a tuple",
               failure();
      if (fn.resultType &&
          failed(checkSampleType(*fn.resultType, *result,
                                 "the result of fn '" + fn.name + "'",
                                 stmt.value->getLoc())))
        return failure();
      return result;
    }
    // `let (h, c) = carry` binds each element of a tuple.
    FailureOr<SmallVector<std::pair<std::string, SampleValue>>> bound =
        evaluateBinding(stmt);
    if (failed(bound))
      return failure();
    for (auto &[name, value] : *bound)
      if (!values.try_emplace(name, value).second)
        return error(stmt.nameLoc)
                   << "'" << name << "' is already defined in fn '" << fn.name
                   << "'",
               failure();
  }
  llvm_unreachable("declareHelper checked the final return");
}
