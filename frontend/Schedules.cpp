//===- Schedules.cpp - Learning-rate schedules of a train block -----------===//
#include "frontend/Schedules.h"

#include "frontend/ConstantEval.h"
#include "frontend/SourceLocation.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

using namespace dlnc;
using namespace mlir;

namespace {
enum class Accepts {
  PositiveInteger,
  NonNegativeInteger, // 0: "the rest of the run"
  Positive,
  NonNegative,
  UnitOpenClosed,     // (0, 1]
  IncreasingIntegers, // a list of positive, strictly increasing epochs
  Schedule,           // a nested schedule (`warmup`'s `then`)
};

struct OptionSpec {
  const char *name;
  Accepts accepts;
  double value; ///< the default; NaN when the option is required
};

struct ScheduleSpec {
  const char *name;
  std::vector<OptionSpec> options; ///< positional arguments take these in order
};

constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

/// torch.optim.lr_scheduler's StepLR, MultiStepLR, ExponentialLR,
/// CosineAnnealingLR and LinearLR (warm-up) with their defaults.
const ScheduleSpec kSchedules[] = {
    {"step",
     {{"step_size", Accepts::PositiveInteger, kRequired},
      {"gamma", Accepts::Positive, 0.1}}},
    {"multistep",
     {{"milestones", Accepts::IncreasingIntegers, kRequired},
      {"gamma", Accepts::Positive, 0.1}}},
    {"exponential", {{"gamma", Accepts::Positive, kRequired}}},
    {"cosine",
     {{"min_lr", Accepts::NonNegative, 0.0},
      {"epochs", Accepts::NonNegativeInteger, 0.0}}},
    {"warmup",
     {{"epochs", Accepts::PositiveInteger, kRequired},
      {"start", Accepts::UnitOpenClosed, 1.0 / 3.0},
      {"then", Accepts::Schedule, 0.0}}},
};

const char *describe(Accepts accepts) {
  switch (accepts) {
  case Accepts::PositiveInteger:
    return "a positive integer";
  case Accepts::NonNegativeInteger:
    return "a non-negative integer";
  case Accepts::Positive:
    return "a positive number";
  case Accepts::NonNegative:
    return "a non-negative number";
  case Accepts::UnitOpenClosed:
    return "a number in (0, 1]";
  case Accepts::IncreasingIntegers:
    return "a list of increasing positive epochs, e.g. [30, 80]";
  case Accepts::Schedule:
    return "a schedule, e.g. cosine()";
  }
  return "";
}

class ScheduleReader {
public:
  ScheduleReader(MLIRContext &context, const llvm::SourceMgr &sourceMgr)
      : context(context), sourceMgr(sourceMgr), builder(&context) {}

  FailureOr<dln::ScheduleAttr> read(const Expr &expr) {
    auto *call = llvm::dyn_cast<CallExpr>(&expr);
    StringRef kind = calleeName(expr);
    const ScheduleSpec *spec = llvm::find_if(
        kSchedules, [&](const ScheduleSpec &s) { return kind == s.name; });
    if (!call || spec == std::end(kSchedules))
      return error(expr.getLoc())
                 << "expected a learning-rate schedule: step(step_size, gamma), "
                    "multistep(milestones = [...], gamma), exponential(gamma), "
                    "cosine(min_lr) or warmup(epochs, then = ...)",
             failure();
    SmallVector<const Argument *> given(spec->options.size(), nullptr);
    size_t positional = 0;
    for (const Argument &arg : call->args) {
      size_t slot = positional;
      if (arg.name.empty()) {
        if (positional++ >= spec->options.size())
          return error(arg.loc) << kind << " takes at most "
                                << spec->options.size() << " argument(s)",
                 failure();
      } else {
        auto it = llvm::find_if(spec->options, [&](const OptionSpec &o) {
          return arg.name == o.name;
        });
        if (it == spec->options.end()) {
          InFlightDiagnostic diag = error(arg.loc);
          diag << "unknown argument '" << arg.name << "' of " << kind
               << " (expected ";
          llvm::interleave(
              spec->options, diag,
              [&](const OptionSpec &o) { diag << o.name; }, ", ");
          return diag << ")", failure();
        }
        slot = it - spec->options.begin();
      }
      if (given[slot])
        return error(arg.loc) << "'" << spec->options[slot].name
                              << "' is given twice",
               failure();
      given[slot] = &arg;
    }
    SmallVector<NamedAttribute> options;
    Attribute then;
    for (auto [option, arg] : llvm::zip_equal(spec->options, given)) {
      if (!arg) {
        if (std::isnan(option.value))
          return error(call->getLoc()) << kind << " needs '" << option.name
                                       << "' (" << describe(option.accepts)
                                       << ")",
                 failure();
        if (option.accepts != Accepts::Schedule)
          options.push_back(builder.getNamedAttr(
              option.name, builder.getF64FloatAttr(option.value)));
        continue;
      }
      FailureOr<Attribute> value = readOption(option, *arg);
      if (failed(value))
        return failure();
      if (option.accepts == Accepts::Schedule)
        then = *value;
      else
        options.push_back(builder.getNamedAttr(option.name, *value));
    }
    return dln::ScheduleAttr::get(&context, kind,
                                  builder.getDictionaryAttr(options), then);
  }

private:
  InFlightDiagnostic error(llvm::SMLoc where) {
    return emitError(toLocation(context, sourceMgr, where));
  }

  FailureOr<Attribute> readOption(const OptionSpec &option,
                                  const Argument &arg) {
    auto bad = [&]() -> FailureOr<Attribute> {
      return error(arg.value->getLoc()) << "'" << option.name << "' expects "
                                        << describe(option.accepts),
             failure();
    };
    if (option.accepts == Accepts::Schedule) {
      FailureOr<dln::ScheduleAttr> nested = read(*arg.value);
      if (failed(nested))
        return failure();
      return Attribute(*nested);
    }
    if (option.accepts == Accepts::IncreasingIntegers) {
      auto *list = llvm::dyn_cast<ListExpr>(arg.value.get());
      if (!list || list->elements.empty())
        return bad();
      SmallVector<int64_t> epochs;
      for (const ExprPtr &element : list->elements) {
        std::optional<int64_t> epoch = evaluateInteger(*element);
        if (!epoch || *epoch <= 0 || (!epochs.empty() && *epoch <= epochs.back()))
          return bad();
        epochs.push_back(*epoch);
      }
      return Attribute(builder.getDenseI64ArrayAttr(epochs));
    }
    std::optional<double> value = evaluateNumber(*arg.value);
    if (!value)
      return bad();
    bool integral = option.accepts == Accepts::PositiveInteger ||
                    option.accepts == Accepts::NonNegativeInteger;
    if ((integral && (std::floor(*value) != *value || *value > 1e9)) ||
        (option.accepts == Accepts::PositiveInteger && *value < 1) ||
        (option.accepts == Accepts::Positive && *value <= 0) ||
        ((option.accepts == Accepts::NonNegative ||
          option.accepts == Accepts::NonNegativeInteger) &&
         *value < 0) ||
        (option.accepts == Accepts::UnitOpenClosed &&
         (*value <= 0 || *value > 1)))
      return bad();
    return Attribute(builder.getF64FloatAttr(*value));
  }

  MLIRContext &context;
  const llvm::SourceMgr &sourceMgr;
  OpBuilder builder;
};
} // namespace

FailureOr<dln::ScheduleAttr> dlnc::readSchedule(MLIRContext &context,
                                                const llvm::SourceMgr &sourceMgr,
                                                const Expr &expr) {
  return ScheduleReader(context, sourceMgr).read(expr);
}
