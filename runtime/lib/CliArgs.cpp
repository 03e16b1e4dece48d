//===- CliArgs.cpp - Command-line options of a compiled model -------------===//
//
// CLI11 does the parsing (subcommands, --opt value and --opt=value, missing
// values). Numbers are kept as text and converted afterwards with the
// runtime's strict parsers, and leftover arguments are collected rather than
// rejected by CLI11, so every usage error keeps its specific wording.
//
//===----------------------------------------------------------------------===//
#include "CliArgs.h"

#include "Error.h"
#include "NumberParse.h"

#include <CLI/CLI.hpp>
#include <cmath>

namespace dlnrt {

std::string usageText(const std::string &program) {
  std::string text = R"(usage:
  PROG train [--config NAME] [--data DIR] [--epochs N] [--batch N] [--seed S]
        [--lr X] [--metrics-json FILE] [--save FILE] [--resume FILE]
        [--init-from FILE[:PARAM=ARRAY,...]]... [--quiet]
  PROG eval [--config NAME] [--load FILE] [--data DIR] [--batch N]
        [--metrics-json FILE]
  PROG predict|encode|decode [NAME] [--load FILE] --input FILE.csv
        [--out FILE.csv] [--batch N] [--data DIR]
  PROG sample [NAME] [--load FILE] [-n N] [--seed S] [--out FILE.csv|.png]
        [--batch N]
  PROG gradcheck [--config NAME] [--batch N] [--seed S] [--eps E] [--tol T]
        [--samples K]
  PROG info [--config NAME]
  PROG --help

train      initialize, train on the manifest's train split, evaluate on its
           test split, save the parameters (default FILE: PROG.npz);
           --resume FILE continues from a checkpoint's params and epoch
           up to --epochs in total; --init-from FILE starts the params
           FILE names from its arrays (another model's checkpoint, say),
           or with :PARAM=ARRAY,... exactly the params listed, from the
           arrays named (greedy pretraining); the others are initialized
eval       load parameters (--load, needed unless the model has none) and
           evaluate on the test split
predict    load parameters and write the model's output for each row of
           --input (the input's features, flattened, comma-separated, or a
           class index; a header line is skipped) as one CSV row, to --out
           or stdout; NAME runs the model's `predict NAME` block
sample     draw N samples (default: the block's n) from the model's
           `sample [NAME]` block, as CSV rows or, for --out FILE.png, a
           grid of images; --seed S picks the draws (default: the model's)
encode     the same as predict for the model's `encode [NAME]` block
decode     the same for the model's `decode [NAME]` block
gradcheck  compare compiled gradients with central differences on a random
           batch; exit 0 iff the largest relative error is within --tol
info       print the model manifest summary

--config NAME selects one of the model's named training configurations
(batch, training settings, optimizer state); the default is the first.
--batch N replaces the program's batch size (the compiled code takes any).
Relative data paths resolve against --data DIR, else the manifest's data dir,
else the current directory.
)";
  for (size_t at; (at = text.find("PROG")) != std::string::npos;)
    text.replace(at, 4, program);
  return text;
}

namespace {

[[noreturn]] void usage(const std::string &what) {
  fail(DLNRT_INVALID_ARGUMENT, what + " (see --help)");
}

/// Option text as given; numbers are converted after parsing.
struct RawOptions {
  std::string epochs, batch, samples, seed, lr, eps, tol;
};

void addConfig(CLI::App *c, CliOptions &o) {
  c->add_option("--config", o.config, "named training configuration")
      ->type_name("NAME");
}

void addTrain(CLI::App &app, CliOptions &o, RawOptions &raw) {
  CLI::App *c = app.add_subcommand("train", "train, evaluate, save params");
  addConfig(c, o);
  c->add_option("--data", o.dataDir, "directory for relative data paths")
      ->type_name("DIR");
  c->add_option("--epochs", raw.epochs, "total epochs (default: manifest)")
      ->type_name("N");
  c->add_option("--batch", raw.batch, "batch size (default: manifest)")
      ->type_name("N");
  c->add_option("--seed", raw.seed, "init and shuffle seed")->type_name("S");
  c->add_option("--lr", raw.lr, "learning rate")->type_name("X");
  c->add_option("--metrics-json", o.metricsJson, "write final metrics")
      ->type_name("FILE");
  c->add_option("--save", o.save, "checkpoint to write (default: PROG.npz)")
      ->type_name("FILE");
  c->add_option("--resume", o.resume, "continue from this checkpoint")
      ->type_name("FILE");
  c->add_option("--init-from", o.initFrom,
                "start params from another checkpoint (repeatable)")
      ->type_name("FILE[:PARAM=ARRAY,...]")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_flag("--quiet", o.quiet, "print only the final line");
}

void addEval(CLI::App &app, CliOptions &o, RawOptions &raw) {
  CLI::App *c = app.add_subcommand("eval", "evaluate a checkpoint");
  addConfig(c, o);
  c->add_option("--load", o.load, "checkpoint to evaluate")->type_name("FILE");
  c->add_option("--batch", raw.batch, "batch size (default: manifest)")
      ->type_name("N");
  c->add_option("--data", o.dataDir, "directory for relative data paths")
      ->type_name("DIR");
  c->add_option("--metrics-json", o.metricsJson, "write final metrics")
      ->type_name("FILE");
}

/// predict, encode and decode: a block of the model over CSV rows.
void addPredict(CLI::App &app, CliOptions &o, RawOptions &raw,
                const char *command, const char *description) {
  CLI::App *c = app.add_subcommand(command, description);
  addConfig(c, o);
  c->add_option("name", o.predictBlock, "a block of the model")
      ->type_name("NAME");
  c->add_option("--load", o.load, "checkpoint to use")->type_name("FILE");
  c->add_option("--input", o.input, "CSV rows of input features")
      ->type_name("FILE");
  c->add_option("--out", o.out, "CSV file to write (default: stdout)")
      ->type_name("FILE");
  c->add_option("--batch", raw.batch, "batch size (default: manifest)")
      ->type_name("N");
  c->add_option("--data", o.dataDir, "directory for relative data paths")
      ->type_name("DIR");
}

void addSample(CLI::App &app, CliOptions &o, RawOptions &raw) {
  CLI::App *c = app.add_subcommand("sample", "draw samples from the model");
  addConfig(c, o);
  c->add_option("name", o.predictBlock, "a sample block of the model")
      ->type_name("NAME");
  c->add_option("--load", o.load, "checkpoint to use")->type_name("FILE");
  c->add_option("-n", raw.samples, "number of samples")->type_name("N");
  c->add_option("--seed", raw.seed, "seed of the draws")->type_name("S");
  c->add_option("--out", o.out, "CSV or PNG file (default: CSV to stdout)")
      ->type_name("FILE");
  c->add_option("--batch", raw.batch, "samples per call (default: manifest)")
      ->type_name("N");
}

void addGradCheck(CLI::App &app, CliOptions &o, RawOptions &raw) {
  CLI::App *c = app.add_subcommand("gradcheck", "check gradients");
  addConfig(c, o);
  c->add_option("--seed", raw.seed, "seed of params and batch")->type_name("S");
  c->add_option("--batch", raw.batch, "rows of the random batch")
      ->type_name("N");
  c->add_option("--eps", raw.eps, "finite-difference step")->type_name("E");
  c->add_option("--tol", raw.tol, "largest relative error that passes")
      ->type_name("T");
  c->add_option("--samples", raw.samples, "coordinates per param")
      ->type_name("K");
}

/// The first leftover argument, phrased as the user would read it.
[[noreturn]] void unexpected(const std::string &arg,
                             const std::string &command) {
  if (arg.rfind("--", 0) == 0)
    usage("option " + arg.substr(0, arg.find('=')) + " is not valid for '" +
          command + "'");
  usage("unexpected argument '" + arg + "'");
}

void convertNumbers(const CLI::App &sub, const RawOptions &raw, CliOptions &o) {
  auto given = [&](const char *name) {
    const CLI::Option *opt = sub.get_option_no_throw(name);
    return opt && opt->count() > 0;
  };
  auto integer = [&](const char *name, const std::string &text, bool allowZero,
                     std::optional<int64_t> &slot) {
    int64_t v;
    if (!parseInt64(text, v) || v < (allowZero ? 0 : 1))
      usage(std::string(name) + " expects a " +
            (allowZero ? "non-negative" : "positive") + " integer, got '" +
            text + "'");
    slot = v;
  };
  auto real = [&](const char *name, const std::string &text,
                  std::optional<double> &slot) {
    double v;
    if (!parseDouble(text, v) || !std::isfinite(v) || v <= 0)
      usage(std::string(name) + " expects a positive number, got '" + text +
            "'");
    slot = v;
  };
  if (given("--epochs"))
    integer("--epochs", raw.epochs, /*allowZero=*/true, o.epochs);
  if (given("--batch"))
    integer("--batch", raw.batch, /*allowZero=*/false, o.batch);
  if (given("--samples"))
    integer("--samples", raw.samples, /*allowZero=*/false, o.samples);
  if (given("-n"))
    integer("-n", raw.samples, /*allowZero=*/false, o.samples);
  if (given("--lr"))
    real("--lr", raw.lr, o.lr);
  if (given("--eps"))
    real("--eps", raw.eps, o.eps);
  if (given("--tol"))
    real("--tol", raw.tol, o.tol);
  if (given("--seed")) {
    uint64_t v;
    if (!parseUInt64(raw.seed, v))
      usage("--seed expects a non-negative integer, got '" + raw.seed + "'");
    o.seed = v;
  }
}

} // namespace

CliOptions parseCliArgs(int argc, char **argv) {
  CliOptions o;
  RawOptions raw;
  CLI::App app("a model compiled by dlnc");
  // Set before adding subcommands, which inherit them: our own --help text,
  // leftovers reported below, and the last of a repeated option wins.
  app.set_help_flag();
  app.allow_extras();
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  bool help = false;
  app.add_flag("-h,--help", help, "print usage");
  app.require_subcommand(0, 1);
  addTrain(app, o, raw);
  addEval(app, o, raw);
  addPredict(app, o, raw, "predict", "outputs for CSV rows");
  addPredict(app, o, raw, "encode", "an encode block's codes for CSV rows");
  addPredict(app, o, raw, "decode", "a decode block's outputs for CSV rows");
  addSample(app, o, raw);
  addGradCheck(app, o, raw);
  addConfig(app.add_subcommand("info", "print the manifest summary"), o);
  app.add_subcommand("help", "print usage");
  for (CLI::App *sub :
       app.get_subcommands([](const CLI::App *) { return true; }))
    sub->add_flag("-h,--help", help, "print usage");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    usage(e.what());
  }
  std::vector<CLI::App *> parsed = app.get_subcommands();
  if (help || (!parsed.empty() && parsed[0]->get_name() == "help")) {
    o.command = "help";
    return o;
  }
  if (parsed.empty()) {
    std::vector<std::string> rest = app.remaining();
    if (rest.empty())
      usage("missing command");
    usage("unknown command '" + rest[0] + "'");
  }
  const CLI::App &sub = *parsed[0];
  o.command = sub.get_name();
  if (!sub.remaining().empty())
    unexpected(sub.remaining()[0], o.command);
  if (!app.remaining().empty())
    unexpected(app.remaining()[0], o.command);
  for (const CLI::Option *opt : sub.get_options())
    if (opt->count() && opt->get_expected_min() > 0 &&
        opt->as<std::string>().empty())
      usage(opt->get_name() + " needs a non-empty value");
  convertNumbers(sub, raw, o);
  return o;
}

} // namespace dlnrt
