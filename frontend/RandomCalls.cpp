//===- RandomCalls.cpp - dropout, noise and random draws ------------------===//
// The builtins that draw random numbers (docs/language.md 9.5, 9.6, 11):
//   dropout(x, p), masking_noise(x, p), gaussian_noise(x, std), each with
//     `always = false`: active in training only unless `always`;
//   bernoulli(p), uniform(low, high), normal(mean, std), each with an
//     optional `shape = [...]`: one draw of that shape per sample.
// Every call site draws from its own stream, a hash of the sub-model
// instance path and the call's position in the source, keyed by the
// entry point's rng argument (seed, step), so adding a random op does not
// change the numbers the others draw. Draws carry no gradient; dropout and
// the noises differentiate through x with the mask or noise held fixed.
//===----------------------------------------------------------------------===//
#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "frontend/Operators.h"

#include "llvm/Support/SourceMgr.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

namespace {
/// A random builtin's arguments in positional order.
struct RandomBuiltin {
  StringLiteral name;
  ArrayRef<StringLiteral> arguments;
};

const StringLiteral kNoiseOfP[] = {"x", "p", "always"};
const StringLiteral kNoiseOfStd[] = {"x", "std", "always"};
const StringLiteral kBernoulli[] = {"p", "shape"};
const StringLiteral kUniform[] = {"low", "high", "shape"};
const StringLiteral kNormal[] = {"mean", "std", "shape"};

const RandomBuiltin kRandomBuiltins[] = {
    {"dropout", kNoiseOfP},         {"masking_noise", kNoiseOfP},
    {"gaussian_noise", kNoiseOfStd}, {"bernoulli", kBernoulli},
    {"uniform", kUniform},          {"normal", kNormal},
};

const RandomBuiltin *lookupRandomBuiltin(StringRef name) {
  for (const RandomBuiltin &builtin : kRandomBuiltins)
    if (builtin.name == name)
      return &builtin;
  return nullptr;
}

bool exprDraws(const Expr *expr);

bool argumentsDraw(const std::vector<Argument> &args) {
  // `init = normal(...)` configures a layer's initialization; it is not a
  // draw of the computation.
  return llvm::any_of(args, [](const Argument &arg) {
    return arg.name != "init" && exprDraws(arg.value.get());
  });
}

bool exprDraws(const Expr *expr) {
  if (!expr)
    return false;
  if (auto *call = llvm::dyn_cast<CallExpr>(expr))
    return lookupRandomBuiltin(calleeName(*expr)) ||
           calleeName(*expr) == "gibbs" ||
           calleeName(*expr) == "gibbs_sweep" ||
           calleeName(*expr) == "pseudo_log_likelihood" ||
           exprDraws(call->callee.get()) ||
           argumentsDraw(call->args);
  if (auto *binary = llvm::dyn_cast<BinaryExpr>(expr))
    return exprDraws(binary->lhs.get()) || exprDraws(binary->rhs.get());
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(expr))
    return exprDraws(unary->operand.get());
  if (auto *index = llvm::dyn_cast<IndexExpr>(expr))
    return exprDraws(index->base.get()) || argumentsDraw(index->indices);
  if (auto *member = llvm::dyn_cast<MemberExpr>(expr))
    return exprDraws(member->base.get());
  if (auto *ifExpr = llvm::dyn_cast<IfExpr>(expr))
    return exprDraws(ifExpr->cond.get()) || exprDraws(ifExpr->thenExpr.get()) ||
           exprDraws(ifExpr->elseExpr.get());
  if (auto *lambda = llvm::dyn_cast<LambdaExpr>(expr))
    return exprDraws(lambda->body.get());
  if (auto *tuple = llvm::dyn_cast<TupleExpr>(expr))
    return llvm::any_of(tuple->elements,
                        [](const ExprPtr &e) { return exprDraws(e.get()); });
  if (auto *list = llvm::dyn_cast<ListExpr>(expr))
    return llvm::any_of(list->elements,
                        [](const ExprPtr &e) { return exprDraws(e.get()); });
  return false;
}

bool statementsDraw(const std::vector<Stmt> &body) {
  for (const Stmt &stmt : body) {
    switch (stmt.kind) {
    // Declarations' initializers run in the runtime, not in the step.
    case Stmt::Kind::Input:
    case Stmt::Kind::Label:
    case Stmt::Kind::Param:
    case Stmt::Kind::Const:
    case Stmt::Kind::State:
    case Stmt::Kind::Setting:
      continue;
    default:
      break;
    }
    // Sequence layers with dropout draw their masks in training.
    if (stmt.kind == Stmt::Kind::Layer) {
      auto *call = llvm::dyn_cast_or_null<CallExpr>(stmt.value.get());
      StringRef kind = stmt.value ? calleeName(*stmt.value) : "";
      if (call && (kind == "rnn" || kind == "lstm" || kind == "gru") &&
          findNamedArgument(*call, "dropout"))
        return true;
    }
    if (exprDraws(stmt.value.get()) || statementsDraw(stmt.body) ||
        statementsDraw(stmt.elseBody) ||
        (stmt.block && statementsDraw(stmt.block->body)))
      return true;
  }
  return false;
}

/// FNV-1a: a stream id that is the same on every machine and run.
uint64_t stableHash(StringRef text) {
  uint64_t hash = 0xCBF29CE484222325ULL;
  for (unsigned char c : text)
    hash = (hash ^ c) * 0x100000001B3ULL;
  return hash;
}
} // namespace

Value ModelGen::drawUniformLike(Value like, llvm::SMLoc site, StringRef tag) {
  auto [line, column] = sourceMgr.getLineAndColumn(site);
  uint64_t stream = stableHash((Twine(prefix) + "@" + Twine(line) + ":" +
                                Twine(column) + root->drawScope + tag)
                                   .str());
  Location where = loc(site);
  ArrayRef<int64_t> shape = cast<RankedTensorType>(like.getType()).getShape();
  return RandomOp::create(builder, where, root->rngKey,
                          dynamicSizes(builder, where, shape, like), shape,
                          Distribution::uniform, stream >> 1,
                          cast<FloatType>(elementType))
      .getResult();
}

bool dlnc::modelsDrawRandomNumbers(const llvm::StringMap<const Block *> &models) {
  for (const auto &entry : models)
    if (statementsDraw(entry.second->body))
      return true;
  return false;
}

std::optional<FailureOr<SampleValue>>
ModelGen::emitRandomCall(const CallExpr &call) {
  const RandomBuiltin *builtin = lookupRandomBuiltin(calleeName(call));
  if (!builtin)
    return std::nullopt;
  StringRef name = builtin->name;
  Location where = loc(call.getLoc());
  // Bind positional and named arguments to the builtin's argument names.
  llvm::StringMap<const Argument *> bound;
  unsigned position = 0;
  for (const Argument &arg : call.args) {
    StringRef argName;
    if (arg.name.empty()) {
      if (position >= builtin->arguments.size())
        return error(arg.loc) << "'" << name << "' takes at most "
                              << builtin->arguments.size() << " arguments",
               failure();
      argName = builtin->arguments[position++];
    } else {
      argName = arg.name;
      if (!llvm::is_contained(builtin->arguments, argName)) {
        InFlightDiagnostic diag = error(arg.loc) << "'" << name
                                                 << "' has no argument named '"
                                                 << arg.name << "' (expected ";
        llvm::interleave(
            builtin->arguments, [&](StringRef a) { diag << a; },
            [&] { diag << ", "; });
        return diag << ")", failure();
      }
    }
    if (!bound.try_emplace(argName, &arg).second)
      return error(arg.loc) << "argument '" << argName << "' of '" << name
                            << "' is given twice",
             failure();
  }
  // A numeric argument; `fallback` is the default of an optional one.
  auto number = [&](StringRef argName, std::optional<double> fallback =
                                           std::nullopt) -> FailureOr<double> {
    const Argument *arg = bound.lookup(argName);
    if (!arg) {
      if (fallback)
        return *fallback;
      return error(call.getLoc()) << "'" << name << "' needs its argument '"
                                  << argName << "'",
             failure();
    }
    std::optional<double> value = evaluateNumber(*arg->value, &modelParams);
    if (!value)
      return error(arg->loc) << "argument '" << argName << "' of '" << name
                             << "' must be a number",
             failure();
    return *value;
  };
  auto tensor = [&](StringRef argName) -> FailureOr<SampleValue> {
    const Argument *arg = bound.lookup(argName);
    if (!arg)
      return error(call.getLoc()) << "'" << name << "' needs its argument '"
                                  << argName << "'",
             failure();
    return emitExpr(*arg->value);
  };
  if (!root->rngKey)
    return error(call.getLoc()) << "internal error: '" << name
                                << "' outside an entry point with an rng key",
           failure();
  uint64_t stream = stableHash(
      (Twine(prefix) + "@" +
       Twine(sourceMgr.getLineAndColumn(call.getLoc()).first) + ":" +
       Twine(sourceMgr.getLineAndColumn(call.getLoc()).second) +
       root->drawScope)
          .str());
  auto draw = [&](ArrayRef<int64_t> shape, ValueRange sizes,
                  Distribution distribution) -> Value {
    return RandomOp::create(builder, where, root->rngKey, sizes, shape,
                            distribution, stream >> 1,
                            cast<FloatType>(elementType))
        .getResult();
  };
  // A draw shaped like `like` (its batch size included).
  auto drawLike = [&](Value like, Distribution distribution) -> Value {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(like.getType()).getShape();
    return draw(shape, dynamicSizes(builder, where, shape, like),
                distribution);
  };
  auto binary = [&](StringRef op, SampleValue lhs, SampleValue rhs) {
    return perSampleBinary(builder, where, op, lhs, rhs);
  };

  // Noise on x: the identity in evaluation unless `always`.
  if (builtin->arguments.front() == "x") {
    FailureOr<SampleValue> x = tensor("x");
    FailureOr<double> always = number("always", 0.0);
    bool ofStd = builtin->arguments[1] == "std";
    FailureOr<double> amount = number(builtin->arguments[1]);
    if (failed(x) || failed(always) || failed(amount))
      return failure();
    if (ofStd ? *amount < 0 : (*amount < 0 || *amount >= 1)) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", *amount);
      return error(call.getLoc())
                 << "'" << name << "' expects "
                 << (ofStd ? "std >= 0" : "0 <= p < 1") << ", got " << text,
             failure();
    }
    if ((!root->training && *always == 0) || *amount == 0)
      return *x;
    if (ofStd) {
      Value noise = drawLike(x->value, Distribution::normal);
      Value scaled =
          MulOp::create(builder, where, noise, splatLike(builder, where, noise, *amount));
      return SampleValue{AddOp::create(builder, where, x->value, scaled),
                         x->batched};
    }
    Value u = drawLike(x->value, Distribution::uniform);
    // Kept with probability 1 - p: u >= p.
    Value keep = CompareOp::create(builder, where, ComparePredicate::ge, u,
                                   splatLike(builder, where, u, *amount));
    if (name == "dropout")
      keep = MulOp::create(builder, where, keep,
                           splatLike(builder, where, keep, 1.0 / (1.0 - *amount)));
    return SampleValue{MulOp::create(builder, where, x->value, keep),
                       x->batched};
  }

  // Draws: one of `shape` per sample, or shaped like the arguments.
  // bernoulli takes p; uniform (low, high) and normal (mean, std) two.
  FailureOr<SampleValue> first = tensor(builtin->arguments[0]);
  if (failed(first))
    return failure();
  SampleValue like = *first;
  SampleValue second;
  if (name != "bernoulli") {
    FailureOr<SampleValue> arg = tensor(builtin->arguments[1]);
    if (failed(arg))
      return failure();
    second = *arg;
    // The broadcast shape of the two arguments, as their sum.
    FailureOr<SampleValue> both = binary("+", *first, second);
    if (failed(both))
      return failure();
    like = *both;
  }
  // bernoulli(p): u < p; uniform: low + (high - low) * u; normal:
  // mean + std * n.
  auto finishDraw = [&](SampleValue sample) -> FailureOr<SampleValue> {
    if (name == "bernoulli")
      return binary("<", sample, *first);
    SampleValue spread = second;
    if (name == "uniform") {
      FailureOr<SampleValue> width = binary("-", second, *first);
      if (failed(width))
        return failure();
      spread = *width;
    }
    FailureOr<SampleValue> scaled = binary("*", spread, sample);
    if (failed(scaled))
      return failure();
    return binary("+", *first, *scaled);
  };
  if (const Argument *shapeArg = bound.lookup("shape")) {
    auto *list = llvm::dyn_cast<ListExpr>(shapeArg->value.get());
    SmallVector<int64_t> shape{ShapedType::kDynamic};
    static const std::vector<ExprPtr> none;
    for (const ExprPtr &element : list ? list->elements : none) {
      std::optional<int64_t> size = evaluateInteger(*element, &modelParams);
      if (!size || *size < 1)
        return error(element->getLoc())
                   << "a dimension of 'shape' must be a positive integer",
               failure();
      shape.push_back(*size);
    }
    if (!list || shape.size() == 1)
      return error(shapeArg->loc)
                 << "'shape' of '" << name
                 << "' is a list of the dimensions of one sample, e.g. [20]",
             failure();
    Value batch = dimSize(builder, where, root->batchCarrier, 0);
    Distribution distribution = name == "normal" ? Distribution::normal
                                                 : Distribution::uniform;
    return finishDraw(SampleValue{draw(shape, batch, distribution), true});
  }
  return finishDraw(SampleValue{
      drawLike(like.value, name == "normal" ? Distribution::normal
                                            : Distribution::uniform),
      like.batched});
}
