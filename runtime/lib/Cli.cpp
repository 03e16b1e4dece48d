//===- Cli.cpp - The `./model train|eval|gradcheck|info` tool -------------===//
//
// dlnrt_cli_main is what the main() in libdlnrt_main.a calls. Each command
// composes the library pieces (data loading, init, train loop, checkpoints,
// gradcheck); this file only decides what to print and which exit code to
// return. All errors end up as one "error: ..." line on stderr.
//
//===----------------------------------------------------------------------===//
#include "dlnrt/dlnrt.h"

#include "AlignedBuffer.h"
#include "AtomicFile.h"
#include "Batcher.h"
#include "Checkpoint.h"
#include "CliArgs.h"
#include "DataSource.h"
#include "Error.h"
#include "Evaluate.h"
#include "GradCheck.h"
#include "ImageGrid.h"
#include "Init.h"
#include "Metrics.h"
#include "Model.h"
#include "OutputPaths.h"
#include "TrainLoop.h"
#include "Transforms.h"

#include <fmt/format.h>
#include <cmath>
#include <cstring>
#include <map>
#include <iostream>
#include <new>

namespace dlnrt {
namespace {

std::string describeTransform(const TransformSpec &t) {
  switch (t.kind) {
  case TransformSpec::Kind::Standardize:
    return "standardize";
  case TransformSpec::Kind::Scale:
    return fmt::format("scale({:g})", t.factor);
  case TransformSpec::Kind::Normalize:
    return fmt::format("normalize(mean {:g}, std {:g})", t.mean, t.std);
  case TransformSpec::Kind::Binarize:
    return fmt::format("binarize({:g})", t.threshold);
  }
  return "?";
}

std::string describeAugment(const AugmentSpec &a) {
  static const char *const modes[] = {"zeros", "circular", "reflect"};
  switch (a.kind) {
  case AugmentSpec::Kind::RandomCrop:
    return fmt::format("random_crop({}x{}, padding {}, {})", a.height, a.width,
                       a.padding, modes[static_cast<int>(a.mode)]);
  case AugmentSpec::Kind::RandomFlip:
    return fmt::format("random_flip({}{}p {:g})",
                       a.horizontal ? "horizontal, " : "",
                       a.vertical ? "vertical, " : "", a.p);
  case AugmentSpec::Kind::Noise:
    return fmt::format("noise(std {:g})", a.std);
  }
  return "?";
}

std::string describeOptimizer(
    const std::string &kind, const std::optional<double> &lr,
    const std::vector<std::pair<std::string, std::string>> &options) {
  std::string s = kind;
  if (lr)
    s += fmt::format(" lr={:g}", *lr);
  for (const auto &[name, value] : options)
    s += " " + name + "=" + value;
  return s;
}

std::string describeData(const DataSpec &d) {
  if (d.format == "csv")
    return "csv " + d.path + " (label column " +
           (d.labelName.empty() ? std::to_string(d.labelColumn)
                                : "'" + d.labelName + "'") +
           ", skip " + std::to_string(d.skip) +
           (d.delimiter == ',' ? std::string()
                               : fmt::format(", delimiter '{}'", d.delimiter)) +
           ")";
  if (d.format == "table")
    return fmt::format("table {} rows x {} columns (label column {})",
                       d.rows.size() / d.columns, d.columns, d.labelColumn);
  if (d.format == "split")
    return fmt::format("split part {} (fraction {:g}, seed {}) of {}", d.part,
                       d.fraction, d.splitSeed, describeData(*d.source));
  return "idx images=" + d.images + " labels=" + d.labels +
         fmt::format(" scale={:g}", d.scale);
}

int runInfo(const Model &model) {
  const Manifest &m = model.manifest();
  std::cout << "model " << m.model << " (" << dtypeName(m.dtype) << ")\n";
  for (const SampleSpec &in : m.inputs) {
    if (in.kind == LabelKind::Class)
      std::cout << "  input  " << in.name << " class " << in.numClasses << "\n";
    else
      std::cout << "  input  " << in.name << " " << formatShape(in.shape)
                << "\n";
  }
  for (const SampleSpec &l : m.labels) {
    if (l.kind == LabelKind::Class)
      std::cout << "  label  " << l.name << " class " << l.numClasses << "\n";
    else
      std::cout << "  label  " << l.name << " real " << formatShape(l.shape)
                << "\n";
  }
  for (const IoSpec &out : m.outputs)
    std::cout << "  output " << out.name << " " << formatShape(out.shape)
              << "\n";
  std::cout << "params:\n";
  int64_t total = 0;
  for (const ParamSpec &p : m.params) {
    int64_t n = numElements(p.shape);
    total += n;
    std::cout << fmt::format("  {:<24} {:<14} {:>12}  {}\n", p.name,
                             formatShape(p.shape), formatThousands(n),
                             initKindName(p.init.kind));
  }
  std::cout << "  total " << formatThousands(total) << " params\n";
  if (!m.state.empty()) {
    std::cout << "state:\n";
    for (const ParamSpec &st : m.state)
      std::cout << "  " << st.name << " " << formatShape(st.shape) << "\n";
  }
  std::cout << "entry points:";
  for (const std::string &e : model.entryPointNames())
    std::cout << " " << e;
  std::cout << "\n";
  for (const PredictSpec &p : m.predicts) {
    const SampleSpec &in = p.input;
    std::cout << p.kind << (p.name.empty() ? "" : " " + p.name) << ": "
              << (p.isSample() ? "n = " + std::to_string(p.sampleCount)
                               : in.name + " " +
                                     (in.kind == LabelKind::Class
                                          ? "class " +
                                                std::to_string(in.numClasses)
                                          : formatShape(in.shape)))
              << " -> " << p.output.name << " " << formatShape(p.output.shape)
              << "\n";
  }
  if (!m.configs.empty()) {
    std::cout << "configs:\n";
    for (const ConfigSpec &c : m.configs)
      std::cout << (c.name == m.config ? "* " : "  ") << c.name << ": batch "
                << (c.batchCoversDataset ? std::string("all")
                                         : std::to_string(c.batch))
                << ", epochs " << c.epochs << ", optimizer "
                << describeOptimizer(c.optimizer, c.lr, c.optimizerOptions)
                << "\n";
  }
  const bool trains = m.hasTrainBlock || !m.configs.empty() ||
                     model.hasEntryPoint("train_step");
  if (!trains)
    std::cout << "training: none (batch " << m.batch << ")\n";
  // Step blocks list their own optimizers; a model without one learns by
  // update rules.
  std::string optimizer =
      !m.steps.empty() ? std::string()
      : m.lr ? ", optimizer " +
                   describeOptimizer(m.optimizer, m.lr, m.optimizerOptions)
             : std::string(", update rules only");
  if (trains)
    std::cout << "training: batch "
              << (m.batchCoversDataset ? std::string("all")
                                       : std::to_string(m.batch))
              << ", epochs " << m.epochs << ", seed " << m.seed << optimizer
              << ", log_every " << m.logEvery << "\n";
  for (const StepSpec &step : m.steps) {
    std::cout << "  step " << step.name << ": " << step.entryPoint;
    if (step.every > 1)
      std::cout << ", every " << step.every << " iterations";
    for (const OptimizerGroupSpec &group : step.groups)
      std::cout << "; " << group.kind << " " << group.lrName << "="
                << group.lr << " over " << group.params.size() << " params";
    std::cout << "\n";
  }
  if (!m.stepOrder.empty()) {
    std::cout << "  schedule:";
    for (size_t index : m.stepOrder)
      std::cout << " " << m.steps[index].name;
    std::cout << "\n";
  }
  std::cout << "data:\n";
  if (!m.dataDir.empty())
    std::cout << "  dir   " << m.dataDir << "\n";
  std::cout << "  train " << (m.train ? describeData(*m.train) : "(none)")
            << "\n";
  std::cout << "  test  " << (m.test ? describeData(*m.test) : "(none)")
            << "\n";
  if (!m.transforms.empty()) {
    std::cout << "  transforms";
    for (const TransformSpec &t : m.transforms)
      std::cout << " " << describeTransform(t);
    std::cout << "\n";
  }
  if (m.oneHotTarget)
    std::cout << "  target_transforms one_hot\n";
  if (!m.augments.empty()) {
    std::cout << "  augment";
    for (const AugmentSpec &a : m.augments)
      std::cout << " " << describeAugment(a);
    std::cout << "\n";
  }
  return 0;
}

/// Refuses outputs (`outputs` plus --metrics-json) that would overwrite an
/// input, each other or a non-regular file, before any time is spent.
void checkOutputs(const Manifest &m, const CliOptions &o,
                  std::vector<RolePath> outputs) {
  std::vector<RolePath> inputs = {{"the running executable", "/proc/self/exe"}};
  for (const auto &[role, split] :
       {std::pair{"train data", &m.train}, std::pair{"test data", &m.test}})
    if (*split)
      for (const std::string &file : splitFiles(m, **split, o.dataDir))
        inputs.push_back({role, file});
  if (!o.resume.empty())
    inputs.push_back({"--resume", o.resume});
  for (const std::string &spec : o.initFrom)
    inputs.push_back({"--init-from", parseInitFrom(spec).first});
  if (!o.load.empty())
    inputs.push_back({"--load", o.load});
  if (!o.input.empty())
    inputs.push_back({"--input", o.input});
  for (const RolePath &out : outputs)
    checkReplaceable(out.path);
  if (!o.metricsJson.empty()) {
    checkReplaceable(o.metricsJson, OutputKind::FileOrStream);
    outputs.push_back({"--metrics-json", o.metricsJson});
  }
  checkOutputsDistinct(outputs, inputs);
}

/// --init-from: params start from other checkpoints' arrays (after the
/// program's initializers ran, so unmapped params keep theirs).
void initFromOtherCheckpoints(Model &model, const CliOptions &o) {
  if (o.initFrom.empty())
    return;
  std::map<std::string, std::string> setBy;
  for (const std::string &spec : o.initFrom) {
    auto [path, mapping] = parseInitFrom(spec);
    std::vector<std::string> set = initFromCheckpoint(
        path, paramTensors(model.manifest(), model.params()), mapping);
    std::string names;
    for (const std::string &name : set) {
      if (auto [it, fresh] = setBy.emplace(name, path); !fresh)
        fail(DLNRT_INVALID_ARGUMENT, "--init-from: parameter '" + name +
                                         "' is set by both " + it->second +
                                         " and " + path);
      names += (names.empty() ? "" : ", ") + name;
    }
    if (!o.quiet)
      std::cout << "initialized " << names << " from " << path << "\n";
  }
}

/// Loads params and counters for --resume; the run continues with the
/// checkpoint's seed so the remaining epochs shuffle as the original would.
TrainCounters resumeFrom(Model &model, const CliOptions &o, TrainOptions &t) {
  std::optional<TrainCounters> c = loadCheckpoint(
      o.resume, modelTensors(model.manifest(), model.params(), model.state(),
                             /*stateRequired=*/true));
  if (!c)
    fail(DLNRT_INVALID_ARGUMENT,
         o.resume + ": no __step__/__epoch__/__seed__ counters; cannot resume");
  if (o.seed && *o.seed != c->seed)
    fail(DLNRT_INVALID_ARGUMENT,
         "--seed " + std::to_string(*o.seed) + " differs from seed " +
             std::to_string(c->seed) + " that " + o.resume +
             " was trained with; resuming needs the same seed");
  if (c->epoch < 0 || c->step < 0 || c->epoch > t.epochs)
    fail(DLNRT_INVALID_ARGUMENT,
         o.resume + ": checkpoint is after epoch " + std::to_string(c->epoch) +
             ", beyond the " + std::to_string(t.epochs) +
             " epochs requested (pass --epochs)");
  t.seed = c->seed;
  return *c;
}

/// The configuration's name for the metrics, when the model has several.
std::optional<std::string> configName(const Manifest &m) {
  if (m.configs.empty())
    return std::nullopt;
  return m.config;
}

int runTrain(Model &model, const CliOptions &o, const std::string &program) {
  const Manifest &m = model.manifest();
  if (!m.hasTrainBlock && !model.hasEntryPoint("train_step"))
    failUsage("this model has no train block: it can only be evaluated "
              "(./model eval) or run (./model predict)");
  std::vector<std::string> required{"eval_step"};
  if (m.steps.empty())
    required.push_back("train_step");
  for (const StepSpec &step : m.steps)
    required.push_back(step.entryPoint);
  model.requireEntryPoints(required);
  if (!m.train)
    fail(DLNRT_INVALID_ARGUMENT,
         "manifest has no data.train; nothing to train on");
  if (o.batch && m.batchCoversDataset)
    failUsage("--batch: this program trains on the whole training set at "
              "once (batch = all)");
  // A per-slot state keeps one row per slot of the compiled batch.
  if (o.batch)
    for (const EntryPointSpec &e : m.entryPoints)
      for (const ArgSpec &a : e.args)
        for (const ParamSpec &s : m.state)
          if (a.role == ArgRole::State && a.batchDim && s.name == a.name &&
              !s.shape.empty() && *o.batch > s.shape[0])
            failUsage("--batch " + std::to_string(*o.batch) + ": state '" +
                      s.name + "' keeps one row per batch slot, " +
                      std::to_string(s.shape[0]) +
                      " (the compiled batch): use --batch " +
                      std::to_string(s.shape[0]) + " or less");
  if (o.batch)
    model.setBatch(*o.batch);
  TrainOptions t;
  t.epochs = o.epochs.value_or(m.epochs);
  t.seed = o.seed.value_or(m.seed);
  t.logEvery = m.logEvery;
  t.config = configName(m);
  // Models trained only by update rules without a rate take no lr.
  // Step blocks bind their own rates (train.steps' optimizer groups).
  const bool takesLr = m.steps.empty() && m.takesHyper("train_step", "lr");
  if (!m.steps.empty() && o.lr)
    failUsage("--lr: this model trains with step blocks, each with its own "
              "learning rates (set them in its train block)");
  if (!takesLr && o.lr)
    failUsage("--lr: this model's train_step takes no learning rate");
  if (takesLr && !o.lr && !m.lr)
    fail(DLNRT_INVALID_ARGUMENT,
         "no learning rate: the manifest has no train.optimizer.lr, pass "
         "--lr");
  if (takesLr)
    t.lr = o.lr ? *o.lr : *m.lr;
  // --lr replaces the base rate the schedule starts from.
  t.lrSchedule = m.lrSchedule;
  t.dropLast = m.dropLast;
  // --lr sets the first group's rate; the others keep the program's.
  for (const OptimizerGroupSpec &group : m.optimizerGroups)
    if (group.lrName != "lr")
      t.groupLrs.emplace_back(group.lrName, group.lr);
  t.log = o.quiet ? nullptr : &std::cout;
  const std::string save = o.save.empty() ? program + ".npz" : o.save;
  checkOutputs(m, o, {{"--save", save}});
  if (!o.initFrom.empty() && !o.resume.empty())
    failUsage("--init-from and --resume exclude each other (--resume "
              "restores every param)");

  // A bad checkpoint fails before the (possibly large) data is loaded.
  if (!o.quiet && t.config)
    std::cout << "configuration: " << *t.config << "\n";
  TrainCounters progress;
  if (!o.resume.empty()) {
    progress = resumeFrom(model, o, t);
    if (!o.quiet)
      std::cout << "resuming from " << o.resume << " after epoch "
                << progress.epoch << " (step " << progress.step << ")\n";
  } else {
    initParams(model.params(), m.params, t.seed);
    initState(model.state(), m.state, t.seed);
    initFromOtherCheckpoints(model, o);
  }
  Splits splits = loadSplits(m, /*wantTrain=*/true, /*wantTest=*/true,
                             o.dataDir, model.allocator());
  Dataset &train = *splits.train;
  std::optional<Dataset> &test = splits.test;
  if (!o.quiet) {
    std::cout << "model " << m.model << ": " << formatThousands(train.count)
              << " train / "
              << (test ? formatThousands(test->count) : std::string("no"))
              << " test samples, batch "
              << (m.batchCoversDataset ? train.count : model.batch()) << ", "
              << t.epochs
              << " epochs";
    if (takesLr)
      std::cout << ", lr " << t.lr;
    std::cout << "\n";
  }

  Metrics result =
      trainModel(model, train, test ? &*test : nullptr, t, &progress);
  std::cout << formatFinalLine(result) << "\n" << std::flush;

  saveCheckpointOrRescue(save,
                         modelTensors(m, model.params(), model.state(),
                                      /*stateRequired=*/true),
                         progress, defaultRescueDir());
  if (!o.metricsJson.empty())
    writeMetricsJson(o.metricsJson, result);
  if (!o.quiet)
    std::cout << "saved params to " << save << "\n";
  return 0;
}

int runEval(Model &model, const CliOptions &o) {
  const Manifest &m = model.manifest();
  // A model without params or state has nothing a checkpoint could hold.
  if (o.load.empty() && (!m.params.empty() || !m.state.empty()))
    failUsage("eval needs --load FILE (see --help)");
  model.requireEntryPoints({"eval_step"});
  if (o.batch)
    model.setBatch(*o.batch);
  checkOutputs(m, o, {});
  if (!m.test)
    fail(DLNRT_INVALID_ARGUMENT,
         "manifest has no data.test; nothing to evaluate on");
  // State a checkpoint lacks keeps its initial value (batch norm's
  // running variance starts at one).
  initState(model.state(), m.state, m.seed);
  if (!o.load.empty())
    loadCheckpoint(o.load, modelTensors(m, model.params(), model.state(),
                                        /*stateRequired=*/false));
  Splits splits = loadSplits(m, /*wantTrain=*/false, /*wantTest=*/true,
                             o.dataDir, model.allocator());
  EvalResult r = evaluate(model, *splits.test);
  Metrics metrics;
  metrics.config = configName(m);
  recordTestMetrics(r, metrics);
  // Flushed first: --metrics-json /dev/stdout writes to the same stream.
  std::cout << formatFinalLine(metrics) << "\n" << std::flush;
  if (!o.metricsJson.empty())
    writeMetricsJson(o.metricsJson, metrics);
  return 0;
}

/// Whether --out names a PNG file: rows are then written as an image grid.
bool wantsPng(const std::string &out) {
  return out.size() > 4 && out.compare(out.size() - 4, 4, ".png") == 0;
}

/// Rows [count, shape...] to `out` ("" stdout) as CSV, one row per sample
/// with as many digits as the dtype holds, or as a PNG grid of images.
/// Samples shaped like the model's input are in the space of its data
/// transforms: undo the invertible ones (normalize, scale) so that a PNG
/// shows the source's pixels, e.g. a tanh generator's [-1, 1] as [0, 1].
static void toSourceSpace(const Manifest &m, Tensor &pixels,
                          const Shape &shape) {
  if (m.labelFirst || shape != m.input().shape)
    return;
  const int64_t n = pixels.size();
  for (auto t = m.transforms.rbegin(); t != m.transforms.rend(); ++t)
    for (int64_t i = 0; i < n; ++i) {
      if (t->kind == TransformSpec::Kind::Normalize)
        pixels.set(i, pixels.get(i) * t->std + t->mean);
      else if (t->kind == TransformSpec::Kind::Scale && t->factor != 0)
        pixels.set(i, pixels.get(i) / t->factor);
    }
}

/// `rows` as CSV, or as a PNG grid in the source's pixel space (then
/// `rows` is changed).
void writeRows(const Manifest &m, const std::string &out, Tensor &rows,
               const Shape &shape) {
  const int64_t count = rows.shape()[0];
  std::string bytes;
  if (wantsPng(out)) {
    toSourceSpace(m, rows, shape);
    bytes = encodeImageGrid(rows, count, imageLayout(shape));
  } else {
    const int64_t width = numElements(shape);
    const char *format = rows.dtype() == DType::F64 ? "{:.17g}" : "{:.9g}";
    for (int64_t r = 0; r < count; ++r)
      for (int64_t j = 0; j < width; ++j) {
        bytes += fmt::format(fmt::runtime(format), rows.get(r * width + j));
        bytes += j + 1 < width ? ',' : '\n';
      }
  }
  if (out.empty())
    std::cout << bytes << std::flush;
  else
    writeOutput(out, bytes);
}

/// One-column rows of a class input to int32 ids, each checked to be a
/// whole number in [0, classes).
Tensor classIds(const Tensor &column, int64_t classes, const std::string &path,
                const dlnrt_allocator &allocator) {
  const int64_t count = column.shape()[0];
  Tensor ids(DType::I32, {count}, allocator);
  for (int64_t r = 0; r < count; ++r) {
    double v = column.get(r);
    if (v != std::floor(v) || v < 0 || v >= static_cast<double>(classes))
      fail(DLNRT_INVALID_ARGUMENT,
           fmt::format("{}: row {}: {} is not a class index in [0, {})",
                       path, r + 1, v, classes));
    ids.as<int32_t>()[r] = static_cast<int32_t>(v);
  }
  return ids;
}

/// The model's outputs for CSV rows of input features, one CSV row each,
/// with as many digits as the dtype holds (a reader gets the same numbers).
/// `predict NAME` runs that predict block; plain `predict` the unnamed block
/// when the model has one, else eval_step's output. `encode` and `decode`
/// run the model's blocks of that kind (without NAME, the unnamed one or
/// the only one).
int runPredict(Model &model, const CliOptions &o) {
  const Manifest &m = model.manifest();
  const std::string &kind = o.command;
  const PredictSpec *block = m.predict(kind, o.predictBlock);
  if (!block && o.predictBlock.empty() && kind != "predict") {
    std::vector<const PredictSpec *> ofKind;
    for (const PredictSpec &p : m.predicts)
      if (p.kind == kind)
        ofKind.push_back(&p);
    if (ofKind.size() == 1)
      block = ofKind.front();
  }
  if (!block && (!o.predictBlock.empty() || kind != "predict")) {
    std::string known;
    for (const PredictSpec &p : m.predicts)
      if (p.kind == kind)
        known += (known.empty() ? "" : ", ") +
                 (p.name.empty() ? std::string("the unnamed one") : p.name);
    if (o.predictBlock.empty() && !known.empty())
      fail(DLNRT_INVALID_ARGUMENT,
           "name one of this model's " + kind + " blocks: " + known);
    fail(DLNRT_INVALID_ARGUMENT,
         "this model has no " + kind + " block" +
             (o.predictBlock.empty() ? "" : " '" + o.predictBlock + "'") +
             (known.empty() ? "" : " (it has " + known + ")"));
  }
  if (o.input.empty())
    failUsage(kind + " needs --input FILE.csv (see --help)");
  if (o.load.empty() && (!m.params.empty() || !m.state.empty()))
    failUsage(kind + " needs --load FILE (see --help)");
  if (!block && m.outputs.empty())
    fail(DLNRT_INVALID_ARGUMENT,
         "this model has no output to predict (it reports only metrics)");
  model.requireEntryPoints({block ? block->entryPoint : "eval_step"});
  if (o.batch)
    model.setBatch(*o.batch);
  if (!o.out.empty()) {
    checkReplaceable(o.out, OutputKind::FileOrStream);
    checkOutputsDistinct({{"--out", o.out}},
                         {{"--input", o.input},
                          {"the running executable", "/proc/self/exe"}});
  }
  initState(model.state(), m.state, m.seed);
  if (!o.load.empty())
    loadCheckpoint(o.load, modelTensors(m, model.params(), model.state(),
                                        /*stateRequired=*/false));
  if (wantsPng(o.out))
    imageLayout(block ? block->output.shape : m.output().shape);
  const SampleSpec &input = block ? block->input : m.input();
  DataLayout layout = dataLayout(m);
  layout.hasLabel = false;
  layout.inputSize = numElements(input.shape);
  DataSpec spec;
  spec.format = "csv";
  Dataset rows = loadCsv(o.input, spec, layout, model.allocator());
  if (input.kind == LabelKind::Class) {
    rows.x = classIds(rows.x, input.numClasses, o.input, model.allocator());
  } else if (!m.labelFirst && input.shape == m.input().shape) {
    // The transforms the model was trained with, on inputs like the model's;
    // standardize's statistics come from the training split. (With the
    // label first they transformed the label's field, not the input's.)
    std::optional<Dataset> train;
    if (m.train && transformsNeedTrain(m.transforms))
      train =
          loadSplit(m, *m.train, o.dataDir, model.allocator(), "data.train");
    applyTransforms(m.transforms, train ? &*train : nullptr, &rows);
  }
  const Shape &outputShape = block ? block->output.shape : m.output().shape;
  const int64_t width = numElements(outputShape);
  Shape allShape{rows.count};
  allShape.insert(allShape.end(), outputShape.begin(), outputShape.end());
  Tensor all(m.dtype, allShape, model.allocator());
  auto keepRows = [&](int64_t first, int64_t valid, const Tensor &outputs) {
    std::memcpy(static_cast<char *>(all.data()) +
                    first * width * dtypeSize(m.dtype),
                outputs.data(), valid * width * dtypeSize(m.dtype));
  };
  if (!block) {
    forEachEvalBatch(model, rows.count, rows.x.data(), nullptr,
                     [&](int64_t first, int64_t valid, const Tensor &,
                         const Tensor &, const Tensor &outputs) {
                       keepRows(first, valid, outputs);
                     });
  } else {
    auto batched = [](int64_t rows, const Shape &sample) {
      Shape shape{rows};
      shape.insert(shape.end(), sample.begin(), sample.end());
      return shape;
    };
    const int64_t batch = std::max<int64_t>(1, model.batch());
    model.resetEvalRng();
    for (int64_t first = 0; first < rows.count; first += batch) {
      const int64_t valid = std::min(batch, rows.count - first);
      Tensor x(input.kind == LabelKind::Class ? DType::I32 : m.dtype,
               batched(valid, input.shape), model.allocator());
      Tensor outputs(m.dtype, batched(valid, block->output.shape),
                     model.allocator());
      copyRows(rows.x.data(), first, valid, x);
      model.predictStep(*block, &x, outputs);
      keepRows(first, valid, outputs);
    }
  }
  writeRows(m, o.out, all, outputShape);
  return 0;
}

/// `sample [NAME]`: N draws of a sample block, in batches, as CSV rows or
/// a PNG grid (--out FILE.png).
int runSample(Model &model, const CliOptions &o) {
  const Manifest &m = model.manifest();
  std::vector<const PredictSpec *> blocks;
  for (const PredictSpec &p : m.predicts)
    if (p.isSample() && (o.predictBlock.empty() || p.name == o.predictBlock))
      blocks.push_back(&p);
  if (blocks.size() != 1) {
    std::string known;
    for (const PredictSpec &p : m.predicts)
      if (p.isSample())
        known += (known.empty() ? "" : ", ") +
                 (p.name.empty() ? std::string("the unnamed one") : p.name);
    fail(DLNRT_INVALID_ARGUMENT,
         !blocks.empty() ? "name one of this model's sample blocks: " + known
                         : "this model has no sample block" +
                               (o.predictBlock.empty()
                                    ? std::string()
                                    : " '" + o.predictBlock + "'") +
                               (known.empty() ? "" : " (it has " + known + ")"));
  }
  const PredictSpec &block = *blocks.front();
  if (o.load.empty() && (!m.params.empty() || !m.state.empty()))
    failUsage("sample needs --load FILE (see --help)");
  model.requireEntryPoints({block.entryPoint});
  if (o.batch)
    model.setBatch(*o.batch);
  const int64_t count = o.samples.value_or(block.sampleCount);
  // A PNG needs image samples: say so before drawing.
  if (wantsPng(o.out))
    imageLayout(block.output.shape);
  if (!o.out.empty()) {
    checkReplaceable(o.out, OutputKind::FileOrStream);
    checkOutputsDistinct({{"--out", o.out}},
                         {{"the running executable", "/proc/self/exe"}});
  }
  initState(model.state(), m.state, m.seed);
  if (!o.load.empty())
    loadCheckpoint(o.load, modelTensors(m, model.params(), model.state(),
                                        /*stateRequired=*/false));
  if (o.seed)
    model.setRngSeed(*o.seed);
  Shape shape{count};
  shape.insert(shape.end(), block.output.shape.begin(),
               block.output.shape.end());
  Tensor samples(m.dtype, shape, model.allocator());
  const int64_t width = numElements(block.output.shape);
  const int64_t batch = std::max<int64_t>(1, model.batch());
  model.resetEvalRng();
  for (int64_t first = 0; first < count; first += batch) {
    const int64_t valid = std::min(batch, count - first);
    Shape part = shape;
    part[0] = valid;
    Tensor outputs(m.dtype, part, model.allocator());
    model.predictStep(block, nullptr, outputs);
    for (int64_t i = 0; i < valid * width; ++i)
      samples.set(first * width + i, outputs.get(i));
  }
  writeRows(m, o.out, samples, block.output.shape);
  return 0;
}

int runGradCheck(Model &model, const CliOptions &o) {
  if (!model.manifest().hasLoss())
    failUsage("this model has no loss: there are no gradients to check");
  model.requireEntryPoints({"loss_and_grad", "eval_step"});
  if (o.batch)
    model.setBatch(*o.batch);
  GradCheckOptions g;
  g.seed = o.seed.value_or(model.manifest().seed);
  g.eps = o.eps.value_or(0);
  g.tol = o.tol.value_or(0);
  g.samples = o.samples.value_or(20);
  GradCheckResult r = gradCheck(model, g);
  for (const ParamCheck &p : r.params)
    std::cout << fmt::format("param {}  max_rel_err {:.1e}  ({} coords)\n",
                             p.name, p.maxRelErr, p.coords);
  std::cout << fmt::format(
      "gradcheck: {} max_rel_err {:.1e}  (tol {:.1e}, eps {:.1e})\n",
      r.pass ? "PASS" : "FAIL", r.maxRelErr, r.tol, r.eps);
  return r.pass ? 0 : 1;
}

int run(const dlnrt_model_abi *abi, int argc, char **argv) {
  const std::string program = argc > 0 && argv[0] ? argv[0] : "model";
  CliOptions o;
  try {
    o = parseCliArgs(argc, argv);
  } catch (const Error &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  if (o.command == "help") {
    std::cout << usageText(program);
    return 0;
  }
  if (!abi)
    fail(DLNRT_INVALID_ARGUMENT, "no model ABI");
  Model model(*abi, defaultAllocator(), o.config);
  if (o.command == "info")
    return runInfo(model);
  const Manifest &m = model.manifest();
  // No output is fine when the model reports metrics (the parser checks).
  if (m.inputs.size() != 1 || m.labels.size() > 1 || m.outputs.size() > 1 ||
      m.losses.size() > 1)
    fail(DLNRT_INVALID_ARGUMENT,
         "models with more than one input, label, output or loss are not "
         "supported by this runtime yet");
  if (o.command == "train")
    return runTrain(model, o, program);
  if (o.command == "eval")
    return runEval(model, o);
  if (o.command == "predict" || o.command == "encode" ||
      o.command == "decode")
    return runPredict(model, o);
  if (o.command == "sample")
    return runSample(model, o);
  return runGradCheck(model, o);
}

} // namespace
} // namespace dlnrt

extern "C" int dlnrt_cli_main(const dlnrt_model_abi *abi, int argc,
                              char **argv) {
  try {
    return dlnrt::run(abi, argc, argv);
  } catch (const dlnrt::UsageError &e) {
    std::cout << std::flush;
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const dlnrt::Error &e) {
    std::cout << std::flush;
    std::cerr << "error: " << e.what() << "\n";
  } catch (const std::bad_alloc &) {
    std::cout << std::flush;
    std::cerr << "error: out of memory\n";
  } catch (const std::exception &e) {
    std::cout << std::flush;
    std::cerr << "error: internal: " << e.what() << "\n";
  }
  return 1;
}
