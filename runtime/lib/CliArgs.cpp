//===- CliArgs.cpp - Command-line options of a compiled model -------------===//
#include "CliArgs.h"

#include "Error.h"
#include "NumberParse.h"

#include <cmath>
#include <set>

namespace dlnrt {

std::string usageText(const std::string &program) {
  std::string text = R"(usage:
  PROG train [--data DIR] [--epochs N] [--seed S] [--lr X]
        [--metrics-json FILE] [--save FILE] [--resume FILE] [--quiet]
  PROG eval --load FILE [--data DIR] [--metrics-json FILE]
  PROG gradcheck [--seed S] [--eps E] [--tol T] [--samples K]
  PROG info
  PROG --help

train      initialize, train on the manifest's train split, evaluate on its
           test split, save the parameters (default FILE: PROG.npz);
           --resume FILE continues from a checkpoint's params and epoch
           up to --epochs in total
eval       load parameters and evaluate on the test split
gradcheck  compare compiled gradients with central differences on a random
           batch; exit 0 iff the largest relative error is within --tol
info       print the model manifest summary

Relative data paths resolve against --data DIR, else the manifest's data dir,
else the current directory.
)";
  for (size_t at; (at = text.find("PROG")) != std::string::npos;)
    text.replace(at, 4, program);
  return text;
}

static const std::set<std::string> &allowedFor(const std::string &command) {
  static const std::set<std::string> train = {
      "--data", "--epochs", "--seed",         "--lr",
      "--save", "--quiet",  "--metrics-json", "--resume"};
  static const std::set<std::string> eval = {"--load", "--data",
                                             "--metrics-json"};
  static const std::set<std::string> gradcheck = {"--seed", "--eps", "--tol",
                                                  "--samples"};
  static const std::set<std::string> none;
  if (command == "train")
    return train;
  if (command == "eval")
    return eval;
  if (command == "gradcheck")
    return gradcheck;
  return none;
}

CliOptions parseCliArgs(int argc, char **argv) {
  CliOptions o;
  auto usage = [](const std::string &what) {
    fail(DLNRT_INVALID_ARGUMENT, what + " (see --help)");
  };
  if (argc < 2)
    usage("missing command");
  o.command = argv[1];
  if (o.command == "--help" || o.command == "-h" || o.command == "help") {
    o.command = "help";
    return o;
  }
  if (o.command != "train" && o.command != "eval" && o.command != "gradcheck" &&
      o.command != "info")
    usage("unknown command '" + o.command + "'");

  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool hasValue = false;
    if (arg == "--help" || arg == "-h") {
      o.command = "help";
      return o;
    }
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      hasValue = true;
    }
    if (!allowedFor(o.command).count(arg))
      usage(arg.rfind("--", 0) == 0
                ? "option " + arg + " is not valid for '" + o.command + "'"
                : "unexpected argument '" + arg + "'");
    if (arg == "--quiet") {
      if (hasValue)
        usage("--quiet takes no value");
      o.quiet = true;
      continue;
    }
    if (!hasValue) {
      if (i + 1 >= argc)
        usage(arg + " needs a value");
      value = argv[++i];
    }
    auto positiveInt = [&](std::optional<int64_t> &slot, bool allowZero) {
      int64_t v;
      if (!parseInt64(value, v) || v < (allowZero ? 0 : 1))
        usage(arg + " expects a " + (allowZero ? "non-negative" : "positive") +
              " integer, got '" + value + "'");
      slot = v;
    };
    auto positiveReal = [&](std::optional<double> &slot) {
      double v;
      if (!parseDouble(value, v) || !std::isfinite(v) || v <= 0)
        usage(arg + " expects a positive number, got '" + value + "'");
      slot = v;
    };
    if (arg == "--data")
      o.dataDir = value;
    else if (arg == "--metrics-json")
      o.metricsJson = value;
    else if (arg == "--save")
      o.save = value;
    else if (arg == "--load")
      o.load = value;
    else if (arg == "--resume")
      o.resume = value;
    else if (arg == "--epochs")
      positiveInt(o.epochs, /*allowZero=*/true);
    else if (arg == "--samples")
      positiveInt(o.samples, /*allowZero=*/false);
    else if (arg == "--lr")
      positiveReal(o.lr);
    else if (arg == "--eps")
      positiveReal(o.eps);
    else if (arg == "--tol")
      positiveReal(o.tol);
    else if (arg == "--seed") {
      uint64_t v;
      if (!parseUInt64(value, v))
        usage("--seed expects a non-negative integer, got '" + value + "'");
      o.seed = v;
    }
    if (value.empty())
      usage(arg + " needs a non-empty value");
  }
  if (o.command == "eval" && o.load.empty())
    usage("eval needs --load FILE");
  return o;
}

} // namespace dlnrt
