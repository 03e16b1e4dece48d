//===- Optimizers.cpp - The optimizers of a train block -------------------===//
#include "frontend/Optimizers.h"

#include "frontend/ConstantEval.h"
#include "frontend/SourceLocation.h"

#include "dialects/DLN/IR/DLNOps.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace dlnc;
using namespace mlir;

namespace {
/// What an option accepts (`describe` words it for error messages).
enum class Accepts {
  Positive,
  NonNegative,
  UnitOpen,   // [0, 1)
  UnitClosed, // [0, 1]
  Flag,
  UnitPair,  // a 2-tuple (b1, b2), both in [0, 1)
  OnlyFalse, // a flag whose true variant is not implemented
  OnlyZero,  // a number whose nonzero values are not implemented
};

struct OptionSpec {
  const char *name;
  Accepts accepts;
  /// The default, NaN when the option is required (as torch.optim.SGD's lr).
  double value = 0, second = 0;
};

struct OptimizerSpec {
  const char *name;
  /// `lr` first: it is the attribute's own parameter, the others options.
  std::vector<OptionSpec> options;
};

constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

/// torch.optim's signatures and defaults.
const OptimizerSpec kOptimizers[] = {
    {"sgd",
     {{"lr", Accepts::Positive, kRequired},
      {"momentum", Accepts::UnitOpen},
      {"dampening", Accepts::UnitClosed},
      {"nesterov", Accepts::Flag},
      {"weight_decay", Accepts::NonNegative}}},
    {"adam",
     {{"lr", Accepts::Positive, 1e-3},
      {"betas", Accepts::UnitPair, 0.9, 0.999},
      {"eps", Accepts::Positive, 1e-8},
      {"weight_decay", Accepts::NonNegative},
      {"amsgrad", Accepts::OnlyFalse}}},
    {"adamw",
     {{"lr", Accepts::Positive, 1e-3},
      {"betas", Accepts::UnitPair, 0.9, 0.999},
      {"eps", Accepts::Positive, 1e-8},
      {"weight_decay", Accepts::NonNegative, 1e-2},
      {"amsgrad", Accepts::OnlyFalse}}},
    {"rmsprop",
     {{"lr", Accepts::Positive, 1e-2},
      {"alpha", Accepts::UnitClosed, 0.99},
      {"eps", Accepts::Positive, 1e-8},
      {"weight_decay", Accepts::NonNegative},
      {"momentum", Accepts::UnitOpen},
      {"centered", Accepts::OnlyFalse}}},
    {"adagrad",
     {{"lr", Accepts::Positive, 1e-2},
      {"lr_decay", Accepts::OnlyZero},
      {"weight_decay", Accepts::NonNegative},
      {"initial_accumulator_value", Accepts::OnlyZero},
      {"eps", Accepts::Positive, 1e-10}}},
};

const char *describe(Accepts accepts) {
  switch (accepts) {
  case Accepts::Positive:
    return "<positive number>";
  case Accepts::NonNegative:
    return "<non-negative number>";
  case Accepts::UnitOpen:
    return "<number in [0, 1)>";
  case Accepts::UnitClosed:
    return "<number in [0, 1]>";
  case Accepts::Flag:
  case Accepts::OnlyFalse:
    return "true or false";
  case Accepts::UnitPair:
    return "(b1, b2) with both in [0, 1)";
  case Accepts::OnlyZero:
    return "0";
  }
  return "";
}

bool inRange(Accepts accepts, double value) {
  switch (accepts) {
  case Accepts::Positive:
    return value > 0;
  case Accepts::NonNegative:
    return value >= 0;
  case Accepts::UnitOpen:
  case Accepts::UnitPair:
    return value >= 0 && value < 1;
  case Accepts::UnitClosed:
    return value >= 0 && value <= 1;
  default:
    return true;
  }
}

class OptimizerReader {
public:
  OptimizerReader(MLIRContext &context, const llvm::SourceMgr &sourceMgr)
      : context(context), sourceMgr(sourceMgr), builder(&context) {}

  FailureOr<dln::OptimizerAttr> read(const Expr &expr);

private:
  InFlightDiagnostic error(llvm::SMLoc where) {
    return emitError(toLocation(context, sourceMgr, where));
  }
  /// The option's value as an attribute, or a located error.
  FailureOr<Attribute> readValue(const OptimizerSpec &spec,
                                 const OptionSpec &option, const Argument &arg);

  MLIRContext &context;
  const llvm::SourceMgr &sourceMgr;
  Builder builder;
};

std::string optionList(const OptimizerSpec &spec) {
  SmallVector<StringRef> names;
  for (const OptionSpec &option : spec.options)
    names.push_back(option.name);
  return llvm::join(names, ", ");
}

FailureOr<Attribute> OptimizerReader::readValue(const OptimizerSpec &spec,
                                                const OptionSpec &option,
                                                const Argument &arg) {
  auto expects = [&] {
    return error(arg.loc) << spec.name << " expects '" << option.name << " = "
                          << describe(option.accepts) << "'";
  };
  switch (option.accepts) {
  case Accepts::Flag:
  case Accepts::OnlyFalse: {
    auto *flag = llvm::dyn_cast<BoolExpr>(arg.value.get());
    if (!flag)
      return expects(), failure();
    if (flag->value && option.accepts == Accepts::OnlyFalse)
      return error(arg.loc) << spec.name << " option '" << option.name
                            << " = true' is not supported yet",
             failure();
    return Attribute(builder.getBoolAttr(flag->value));
  }
  case Accepts::UnitPair: {
    auto *pair = llvm::dyn_cast<TupleExpr>(arg.value.get());
    if (!pair || pair->elements.size() != 2)
      return expects(), failure();
    SmallVector<double, 2> values;
    for (const ExprPtr &element : pair->elements) {
      std::optional<double> value = evaluateNumber(*element);
      if (!value || !inRange(option.accepts, *value))
        return expects(), failure();
      values.push_back(*value);
    }
    return Attribute(builder.getDenseF64ArrayAttr(values));
  }
  default: {
    std::optional<double> value = evaluateNumber(*arg.value);
    if (!value || !inRange(option.accepts, *value))
      return expects(), failure();
    if (option.accepts == Accepts::OnlyZero && *value != 0)
      return error(arg.loc) << spec.name << " option '" << option.name
                            << "' other than 0 is not supported yet",
             failure();
    return Attribute(builder.getF64FloatAttr(*value));
  }
  }
}

FailureOr<dln::OptimizerAttr> OptimizerReader::read(const Expr &expr) {
  auto *call = llvm::dyn_cast<CallExpr>(&expr);
  StringRef kind = calleeName(expr);
  const OptimizerSpec *spec = nullptr;
  for (const OptimizerSpec &candidate : kOptimizers)
    if (kind == candidate.name)
      spec = &candidate;
  if (!call || !spec) {
    auto diag = error(expr.getLoc());
    if (!kind.empty())
      diag << "unknown optimizer '" << kind << "'";
    else
      diag << "expected an optimizer call";
    return diag << " (expected sgd, adam, adamw, rmsprop or adagrad, e.g. "
                   "adam(lr = 1e-3))",
           failure();
  }

  // Every option's value, defaults first; `given` remembers where each was set.
  llvm::StringMap<Attribute> values;
  llvm::StringMap<const Argument *> given;
  for (const OptionSpec &option : spec->options) {
    if (option.accepts == Accepts::UnitPair)
      values[option.name] =
          builder.getDenseF64ArrayAttr({option.value, option.second});
    else if (option.accepts == Accepts::Flag ||
             option.accepts == Accepts::OnlyFalse)
      values[option.name] = builder.getBoolAttr(false);
    else if (!std::isnan(option.value))
      values[option.name] = builder.getF64FloatAttr(option.value);
  }
  for (const Argument &arg : call->args) {
    // A parameter group (`params = [...]`) is the train block's business.
    if (arg.name == "params")
      continue;
    auto option = llvm::find_if(
        spec->options, [&](const OptionSpec &o) { return arg.name == o.name; });
    if (option == spec->options.end())
      return error(arg.loc)
                 << (arg.name.empty()
                         ? spec->name + std::string(" takes named options")
                         : spec->name + std::string(" has no option '") +
                               arg.name + "'")
                 << " (expected " << optionList(*spec) << ")",
             failure();
    if (auto [it, inserted] = given.try_emplace(arg.name, &arg); !inserted)
      return error(arg.loc)
                 << spec->name << " option '" << arg.name << "' is given twice",
             failure();
    FailureOr<Attribute> value = readValue(*spec, *option, arg);
    if (failed(value))
      return failure();
    values[arg.name] = *value;
  }
  if (!values.count("lr"))
    return error(expr.getLoc())
               << spec->name
               << " requires 'lr = " << describe(Accepts::Positive) << "'",
           failure();
  auto number = [&](StringRef name) {
    auto value = dyn_cast_or_null<FloatAttr>(values.lookup(name));
    return value ? value.getValueAsDouble() : 0.0;
  };
  // PyTorch's constraint: Nesterov momentum needs a momentum and no
  // dampening.
  if (auto nesterov = dyn_cast_or_null<BoolAttr>(values.lookup("nesterov"));
      nesterov && nesterov.getValue() &&
      (number("momentum") <= 0 || number("dampening") != 0))
    return error(given.lookup("nesterov")->loc)
               << "nesterov momentum requires momentum > 0 and dampening = 0",
           failure();

  SmallVector<NamedAttribute> options;
  for (const OptionSpec &option : spec->options)
    if (StringRef(option.name) != "lr")
      options.push_back(
          builder.getNamedAttr(option.name, values.lookup(option.name)));
  return dln::OptimizerAttr::get(&context, spec->name,
                                 cast<FloatAttr>(values.lookup("lr")),
                                 builder.getDictionaryAttr(options));
}
} // namespace

FailureOr<dln::OptimizerAttr>
dlnc::readOptimizer(MLIRContext &context, const llvm::SourceMgr &sourceMgr,
                    const Expr &expr) {
  return OptimizerReader(context, sourceMgr).read(expr);
}

SmallVector<StringRef> dlnc::optimizerSlots(dln::OptimizerAttr optimizer) {
  StringRef kind = optimizer.getKind();
  bool momentum = optimizer.getNumber("momentum") > 0;
  if (kind == "sgd")
    return momentum ? SmallVector<StringRef>{"momentum_buffer"}
                    : SmallVector<StringRef>{};
  if (kind == "adam" || kind == "adamw")
    return {"exp_avg", "exp_avg_sq"};
  if (kind == "rmsprop")
    return momentum ? SmallVector<StringRef>{"square_avg", "momentum_buffer"}
                    : SmallVector<StringRef>{"square_avg"};
  assert(kind == "adagrad" && "kind checked by readOptimizer");
  return {"sum"};
}

bool dlnc::usesStepCount(dln::OptimizerAttr optimizer) {
  StringRef kind = optimizer.getKind();
  // SGD's zero buffer gives `b = g` at the first step unless dampened.
  return kind == "adam" || kind == "adamw" ||
         (kind == "sgd" && optimizer.getNumber("momentum") > 0 &&
          optimizer.getNumber("dampening") != 0);
}

SmallVector<Value> dlnc::buildOptimizerUpdate(OpBuilder &builder, Location loc,
                                              dln::OptimizerAttr optimizer,
                                              Value param, Value grad,
                                              ValueRange slots, Value step,
                                              Value lr) {
  using namespace mlir::dln;
  StringRef kind = optimizer.getKind();
  Type type = param.getType();
  auto f64 = [&](StringRef name) {
    return builder.getF64FloatAttr(optimizer.getNumber(name));
  };
  FloatAttr weightDecay = f64("weight_decay");
  if (kind == "sgd") {
    if (slots.empty())
      return {SGDUpdateOp::create(builder, loc, type, param, grad, lr,
                                  weightDecay)};
    UnitAttr nesterov =
        optimizer.getFlag("nesterov") ? builder.getUnitAttr() : nullptr;
    auto op = SGDMomentumUpdateOp::create(
        builder, loc, type, type, param, grad, slots[0], lr, step,
        f64("momentum"), f64("dampening"), nesterov, weightDecay);
    return {op.getNewParam(), op.getNewBuffer()};
  }
  if (kind == "adam" || kind == "adamw") {
    UnitAttr decoupled = kind == "adamw" ? builder.getUnitAttr() : nullptr;
    auto op = AdamUpdateOp::create(
        builder, loc, type, type, type, param, grad, slots[0], slots[1], step,
        lr, builder.getF64FloatAttr(optimizer.getArrayElement("betas", 0, 0.9)),
        builder.getF64FloatAttr(optimizer.getArrayElement("betas", 1, 0.999)),
        f64("eps"), weightDecay, decoupled);
    return {op.getNewParam(), op.getNewExpAvg(), op.getNewExpAvgSq()};
  }
  if (kind == "rmsprop") {
    if (slots.size() == 1) {
      auto op = RMSpropUpdateOp::create(builder, loc, type, type, param, grad,
                                        slots[0], lr, f64("alpha"), f64("eps"),
                                        weightDecay);
      return {op.getNewParam(), op.getNewSquareAvg()};
    }
    auto op = RMSpropMomentumUpdateOp::create(
        builder, loc, type, type, type, param, grad, slots[0], slots[1], lr,
        f64("alpha"), f64("eps"), f64("momentum"), weightDecay);
    return {op.getNewParam(), op.getNewSquareAvg(), op.getNewBuffer()};
  }
  auto op = AdagradUpdateOp::create(builder, loc, type, type, param, grad,
                                    slots[0], lr, f64("eps"), weightDecay);
  return {op.getNewParam(), op.getNewSum()};
}
