//===- Manifest.cpp - The JSON model description --------------------------===//
#include "Manifest.h"

#include "Error.h"
#include "ManifestParse.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace dlnrt {

using json = nlohmann::json;
using manifest_detail::Node;
using manifest_detail::parseAugments;
using manifest_detail::parseData;
using manifest_detail::parseTransforms;

static const std::pair<const char *, InitKind> kInitKinds[] = {
#define DLNRT_INIT_KIND(Enumerator, spelling, argc, arg0, arg1, usesFans)      \
  {spelling, InitKind::Enumerator},
#include "dlnrt/InitKinds.def"
};

static const std::pair<const char *, ArgRole> kRoles[] = {
    {"param", ArgRole::Param},
    {"state", ArgRole::State},
    {"optimizer_state", ArgRole::OptimizerState},
    {"rng", ArgRole::Rng},
    {"input", ArgRole::Input},
    {"label", ArgRole::Label},
    {"output", ArgRole::Output},
    {"loss", ArgRole::Loss},
    {"grad", ArgRole::Grad},
    {"hyper", ArgRole::Hyper},
    {"metric", ArgRole::Metric},
    {"mask", ArgRole::Mask}};

const char *initKindName(InitKind kind) {
  for (const auto &[name, k] : kInitKinds)
    if (k == kind)
      return name;
  return "?";
}

const char *argRoleName(ArgRole role) {
  for (const auto &[name, r] : kRoles)
    if (r == role)
      return name;
  return "?";
}

const EntryPointSpec *Manifest::findEntryPoint(std::string_view name) const {
  for (const EntryPointSpec &e : entryPoints)
    if (e.name == name)
      return &e;
  return nullptr;
}

const EntryPointSpec *
Manifest::findAbiEntryPoint(std::string_view abiName) const {
  for (const EntryPointSpec &e : entryPoints)
    if (e.abiName == abiName)
      return &e;
  return nullptr;
}

bool Manifest::takesHyper(std::string_view name, std::string_view hyper) const {
  const EntryPointSpec *e = findEntryPoint(name);
  if (!e)
    return false;
  for (const ArgSpec &a : e->args)
    if (a.role == ArgRole::Hyper && a.name == hyper)
      return true;
  return false;
}

namespace {

const std::pair<const char *, DType> kFloatTypes[] = {{"f32", DType::F32},
                                                      {"f64", DType::F64}};
const std::pair<const char *, DType> kArgTypes[] = {
    {"f32", DType::F32}, {"f64", DType::F64}, {"i32", DType::I32},
    {"i64", DType::I64}};
const std::pair<const char *, Access> kAccesses[] = {
    {"read", Access::Read},
    {"write", Access::Write},
    {"readwrite", Access::ReadWrite}};
const std::pair<const char *, LabelKind> kLabelKinds[] = {
    {"class", LabelKind::Class}, {"real", LabelKind::Real}};

bool needsFans(InitKind k) {
  switch (k) {
#define DLNRT_INIT_KIND(Enumerator, spelling, argc, arg0, arg1, usesFans)      \
  case InitKind::Enumerator:                                                   \
    return usesFans;
#include "dlnrt/InitKinds.def"
  }
  return false;
}

InitSpec parseInit(const Node &n) {
  InitSpec init;
  init.kind = n["kind"].oneOf(kInitKinds);
  auto num = [&](const char *key, double fallback) {
    auto v = n.optional(key);
    return v ? v->number() : fallback;
  };
  init.fanIn = n["fan_in"].integerAtLeast(0);
  init.fanOut = n["fan_out"].integerAtLeast(0);
  init.value = num("value", 0);
  init.a = num("a", 0);
  init.b = num("b", 1);
  init.mean = num("mean", 0);
  init.std = num("std", 1);
  init.p = num("p", 0.5);
  if (init.kind == InitKind::Bernoulli && !(init.p >= 0 && init.p <= 1))
    n.error("bernoulli init needs 0 <= p <= 1");
  if (init.kind == InitKind::Uniform && init.a > init.b)
    n.error("uniform init needs a <= b");
  if (init.kind == InitKind::Normal && init.std < 0)
    n.error("normal init needs std >= 0");
  if (needsFans(init.kind) && (init.fanIn <= 0 || init.fanOut <= 0))
    n.error(std::string(initKindName(init.kind)) +
            " init needs positive fan_in and fan_out");
  return init;
}

std::vector<ParamSpec> parseTensors(const Node &list) {
  std::vector<ParamSpec> out;
  std::set<std::string> names;
  for (const Node &n : list.array()) {
    ParamSpec p{n["name"].str(), n["shape"].shape(), parseInit(n["init"])};
    if (!names.insert(p.name).second)
      n["name"].error("duplicate name '" + p.name + "'");
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<IoSpec> parseIo(const Node &list, bool mayBeEmpty = false) {
  std::vector<IoSpec> out;
  std::set<std::string> names;
  for (const Node &n : list.array()) {
    IoSpec io{n["name"].str(), n["shape"].shape()};
    if (!names.insert(io.name).second)
      n["name"].error("duplicate name '" + io.name + "'");
    out.push_back(std::move(io));
  }
  if (out.empty() && !mayBeEmpty)
    list.error("needs at least one entry");
  return out;
}

const std::pair<const char *, const char *> kMetricKinds[] = {
    {"accuracy", "accuracy"}, {"mean", "mean"}};

std::vector<MetricSpec> parseMetrics(const Node &list) {
  std::vector<MetricSpec> out;
  std::set<std::string> names;
  for (const Node &n : list.array()) {
    MetricSpec metric{n["name"].str(), "mean"};
    if (auto kind = n.optional("kind"))
      metric.kind = kind->oneOf(kMetricKinds);
    if (!names.insert(metric.name).second)
      n["name"].error("duplicate name '" + metric.name + "'");
    out.push_back(std::move(metric));
  }
  return out;
}

/// Labels say their kind; inputs are real unless they say "class".
std::vector<SampleSpec> parseSamples(const Node &list, bool kindRequired) {
  std::vector<SampleSpec> out;
  std::set<std::string> names;
  for (const Node &n : list.array()) {
    SampleSpec l;
    l.name = n["name"].str();
    auto kind = n.optional("kind");
    if (kind || kindRequired)
      l.kind = n["kind"].oneOf(kLabelKinds);
    else
      l.kind = LabelKind::Real;
    if (l.kind == LabelKind::Class) {
      l.numClasses = n["classes"].integerAtLeast(2);
    } else {
      l.shape = n["shape"].shape();
    }
    if (!names.insert(l.name).second)
      n["name"].error("duplicate name '" + l.name + "'");
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<PredictSpec> parsePredicts(const Node &list) {
  std::vector<PredictSpec> out;
  std::set<std::string> names;
  for (const Node &n : list.array()) {
    static const std::pair<const char *, const char *> kKinds[] = {
        {"predict", "predict"}, {"encode", "encode"}, {"decode", "decode"},
        {"sample", "sample"}};
    PredictSpec p;
    if (auto kind = n.optional("kind"))
      p.kind = kind->oneOf(kKinds);
    p.name = n["name"].str();
    p.entryPoint = n["entry_point"].str();
    if (p.isSample()) {
      p.sampleCount = n["n"].integerAtLeast(1);
    } else {
      const Node &input = n["input"];
      p.input.name = input["name"].str();
      p.input.kind = input["kind"].oneOf(kLabelKinds);
      if (p.input.kind == LabelKind::Class)
        p.input.numClasses = input["classes"].integerAtLeast(2);
      else
        p.input.shape = input["shape"].shape();
    }
    p.output = IoSpec{n["output"]["name"].str(), n["output"]["shape"].shape()};
    if (!names.insert(p.kind + "." + p.name).second)
      n["name"].error("duplicate " + p.kind + " block '" + p.name + "'");
    out.push_back(std::move(p));
  }
  return out;
}

ScheduleSpec parseSchedule(const Node &n) {
  static const std::pair<const char *, const char *> kKinds[] = {
      {"step", "step"},
      {"multistep", "multistep"},
      {"exponential", "exponential"},
      {"cosine", "cosine"},
      {"warmup", "warmup"}};
  ScheduleSpec s;
  s.kind = n["kind"].oneOf(kKinds);
  if (s.kind == "step") {
    s.stepSize = n["step_size"].integerAtLeast(1);
    s.gamma = n["gamma"].number();
  } else if (s.kind == "multistep") {
    for (const Node &m : n["milestones"].array())
      s.milestones.push_back(m.integerAtLeast(1));
    s.gamma = n["gamma"].number();
  } else if (s.kind == "exponential") {
    s.gamma = n["gamma"].number();
  } else if (s.kind == "cosine") {
    s.minLr = n["min_lr"].number();
    s.epochs = n["epochs"].integerAtLeast(0);
  } else {
    s.epochs = n["epochs"].integerAtLeast(1);
    s.start = n["start"].number();
    if (auto then = n.optional("then"))
      s.then = std::make_shared<ScheduleSpec>(parseSchedule(*then));
  }
  return s;
}

std::vector<OptimizerGroupSpec> parseGroups(const Node &list) {
  std::vector<OptimizerGroupSpec> groups;
  for (const Node &g : list.array()) {
    OptimizerGroupSpec group;
    group.lrName = g["lr_name"].str();
    group.kind = g["optimizer"]["kind"].str();
    group.lr = g["optimizer"]["lr"].number();
    for (const Node &p : g["params"].array())
      group.params.push_back(p.str());
    groups.push_back(std::move(group));
  }
  return groups;
}

/// The training settings of `train` or of a configuration (the same keys),
/// into a Manifest or a ConfigSpec.
template <typename Settings> void parseTrain(const Node &n, Settings &m) {
  if (auto v = n.optional("epochs"))
    m.epochs = v->integerAtLeast(0);
  if (auto v = n.optional("seed"))
    m.seed = v->unsignedInteger();
  if (auto v = n.optional("log_every"))
    m.logEvery = v->integerAtLeast(0);
  if (auto v = n.optional("batch_covers_dataset"))
    m.batchCoversDataset = v->boolean();
  if (auto v = n.optional("drop_last"))
    m.dropLast = v->boolean();
  if (auto v = n.optional("regularized"))
    m.regularized = v->boolean();
  if (auto s = n.optional("lr_schedule"))
    m.lrSchedule = parseSchedule(*s);
  if (auto groups = n.optional("optimizer_groups"))
    m.optimizerGroups = parseGroups(*groups);
  if (auto steps = n.optional("steps")) {
    for (const Node &s : steps->array()) {
      StepSpec step;
      step.name = s["name"].str();
      step.entryPoint = s["entry_point"].str();
      step.every = s["every"].integerAtLeast(1);
      step.groups = parseGroups(s["optimizer_groups"]);
      for (const OptimizerGroupSpec &group : step.groups)
        m.optimizerGroups.push_back(group);
      m.steps.push_back(std::move(step));
    }
    if (m.steps.empty())
      (*steps).error("needs at least one step");
    const Node order = n["step_order"];
    for (const Node &name : order.array()) {
      auto found = std::find_if(
          m.steps.begin(), m.steps.end(),
          [&](const StepSpec &step) { return step.name == name.str(); });
      if (found == m.steps.end())
        name.error("no step named '" + name.str() + "'");
      m.stepOrder.push_back(found - m.steps.begin());
    }
    if (m.stepOrder.empty())
      order.error("needs at least one step");
  }
  if (auto o = n.optional("optimizer")) {
    m.optimizer = (*o)["kind"].str();
    if (auto lr = o->optional("lr"))
      m.lr = lr->number();
    // Informational (the update is compiled into train_step): shown by info.
    for (const auto &[key, value] : o->members())
      if (key != "kind" && key != "lr")
        m.optimizerOptions.emplace_back(key, value.display());
  }
}

ArgSpec parseArg(const Node &n) {
  ArgSpec a;
  a.role = n["role"].oneOf(kRoles);
  a.name = n["name"].str();
  a.dtype = n["dtype"].oneOf(kArgTypes);
  a.shape = n["shape"].argShape();
  if (auto b = n.optional("batch_dim"))
    a.batchDim = b->integerAtLeast(0);
  a.access = n["access"].oneOf(kAccesses);
  return a;
}

template <typename T>
const T *findByName(const std::vector<T> &list, const std::string &name) {
  for (const T &t : list)
    if (t.name == name)
      return &t;
  return nullptr;
}

/// A batched argument's shape: any batch, then the per-sample shape.
Shape batched(const Shape &perSample) {
  Shape s{kAnyBatch};
  s.insert(s.end(), perSample.begin(), perSample.end());
  return s;
}

/// What entry points are checked against besides the manifest's declarations:
/// the state of the configuration they belong to.
struct ArgScope {
  const std::vector<ParamSpec> *state;
  /// A predict block's entry point: its own input and output.
  const PredictSpec *predict = nullptr;
};

/// Checks that `a` names a declared tensor and agrees with its declaration.
void validateArg(const Node &n, const ArgSpec &a, const Manifest &m,
                 const ArgScope &scope) {
  auto unknown = [&](const char *what) {
    n["name"].error(std::string("no ") + what + " named '" + a.name + "'");
  };
  // What the declaration implies: dtype, shape and whether it is batched.
  DType dtype = m.dtype;
  Shape shape;
  bool batchedArg = false;
  switch (a.role) {
  case ArgRole::Param:
  case ArgRole::Grad: {
    const ParamSpec *p = findByName(m.params, a.name);
    if (!p)
      unknown("param");
    shape = p->shape;
    break;
  }
  case ArgRole::State:
  case ArgRole::OptimizerState: {
    const ParamSpec *s = findByName(*scope.state, a.name);
    if (!s)
      unknown("state tensor");
    shape = s->shape;
    // A per-slot state: the runtime keeps one row per slot of the
    // configuration's batch and passes a call its first rows.
    if (a.role == ArgRole::State && a.batchDim && !shape.empty()) {
      shape[0] = kAnyBatch;
      batchedArg = true;
    }
    break;
  }
  case ArgRole::Output: {
    const IoSpec *io = scope.predict ? (scope.predict->output.name == a.name
                                            ? &scope.predict->output
                                            : nullptr)
                                     : findByName(m.outputs, a.name);
    if (!io)
      unknown("output");
    shape = batched(io->shape);
    batchedArg = true;
    break;
  }
  case ArgRole::Input:
  case ArgRole::Label: {
    bool isInput = a.role == ArgRole::Input;
    const SampleSpec *l =
        isInput && scope.predict
            ? (scope.predict->input.name == a.name ? &scope.predict->input
                                                   : nullptr)
            : findByName(isInput ? m.inputs : m.labels, a.name);
    if (!l)
      unknown(isInput ? "input" : "label");
    if (l->kind == LabelKind::Class)
      dtype = DType::I32;
    shape = batched(l->shape);
    batchedArg = true;
    break;
  }
  case ArgRole::Loss:
    if (std::find(m.losses.begin(), m.losses.end(), a.name) == m.losses.end())
      unknown("loss");
    // A batch mean (rank 0) or per-sample losses ([batch]).
    batchedArg = a.batchDim.has_value();
    shape = batchedArg ? Shape{kAnyBatch} : Shape{};
    break;
  case ArgRole::Metric: {
    auto it = std::find_if(m.metrics.begin(), m.metrics.end(),
                           [&](const MetricSpec &s) { return s.name == a.name; });
    if (it == m.metrics.end())
      unknown("metric");
    shape = Shape{kAnyBatch};
    batchedArg = true;
    break;
  }
  case ArgRole::Mask:
    // 1 for each real row of the batch, 0 for a padded row.
    shape = Shape{kAnyBatch};
    batchedArg = true;
    break;
  case ArgRole::Hyper:
    break; // a rank-0 scalar in model dtype
  case ArgRole::Rng:
    // The key of the call's random draws: (seed, step).
    dtype = DType::I64;
    shape = Shape{2};
    break;
  }
  if (a.dtype != dtype)
    n["dtype"].error(std::string("expected ") + dtypeName(dtype) + ", got " +
                     dtypeName(a.dtype));
  if (a.shape != shape)
    n["shape"].error("expected " + formatShape(shape) + ", got " +
                     formatShape(a.shape));
  if (batchedArg && a.batchDim != 0)
    n.error(std::string("batched ") + argRoleName(a.role) +
            " needs batch_dim 0");
  if (!batchedArg && a.batchDim)
    n["batch_dim"].error(std::string(argRoleName(a.role)) +
                         " arguments are not batched");
}

std::vector<EntryPointSpec> parseEntryPoints(const Node &list,
                                             const Manifest &m) {
  std::vector<EntryPointSpec> out;
  std::set<std::string> names;
  for (const Node &n : list.array()) {
    EntryPointSpec e;
    e.name = n["name"].str();
    e.abiName = e.name;
    if (!names.insert(e.name).second)
      n["name"].error("duplicate entry point '" + e.name + "'");
    // An entry point a configuration maps has that configuration's state;
    // every other one the top level's.
    ArgScope scope{&m.state};
    for (const ConfigSpec &c : m.configs) {
      for (const auto &[standard, actual] : c.entryPoints)
        if (actual == e.name && actual != standard)
          scope = ArgScope{&c.state};
      for (const StepSpec &step : c.steps)
        if (step.entryPoint == e.name)
          scope = ArgScope{&c.state};
    }
    for (const PredictSpec &p : m.predicts)
      if (p.entryPoint == e.name)
        scope.predict = &p;
    for (const Node &argNode : n["args"].array()) {
      e.args.push_back(parseArg(argNode));
      validateArg(argNode, e.args.back(), m, scope);
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<ParamSpec> parseState(const Node &list,
                                  const std::vector<ParamSpec> &params) {
  std::vector<ParamSpec> state = parseTensors(list);
  for (const ParamSpec &s : state)
    if (findByName(params, s.name))
      list.error("'" + s.name + "' is also a param");
  return state;
}

bool isStandardEntryPoint(const std::string &name) {
  for (const char *standard : kStandardEntryPoints)
    if (name == standard)
      return true;
  return false;
}

std::vector<ConfigSpec> parseConfigs(const Node &list, const Manifest &m) {
  std::vector<ConfigSpec> out;
  std::set<std::string> names;
  for (const Node &n : list.array()) {
    ConfigSpec c;
    c.name = n["name"].str();
    if (c.name.empty())
      n["name"].error("must not be empty");
    if (!names.insert(c.name).second)
      n["name"].error("duplicate configuration '" + c.name + "'");
    c.batch = n["batch"].integerAtLeast(1);
    parseTrain(n, c);
    if (auto s = n.optional("state"))
      c.state = parseState(*s, m.params);
    if (auto e = n.optional("entry_points"))
      for (const auto &[standard, actual] : e->members()) {
        if (!isStandardEntryPoint(standard))
          actual.error("unknown entry point role (expected train_step, "
                       "eval_step or loss_and_grad)");
        c.entryPoints.emplace_back(standard, actual.str());
      }
    out.push_back(std::move(c));
  }
  if (out.empty())
    list.error("needs at least one entry");
  return out;
}

/// Every entry point a configuration maps must be described.
void checkConfigEntryPoints(const Node &list, const Manifest &m) {
  std::vector<Node> nodes = list.array();
  for (size_t i = 0; i < m.configs.size(); ++i)
    for (const auto &[standard, actual] : m.configs[i].entryPoints)
      if (!m.findEntryPoint(actual))
        nodes[i]["entry_points"][standard.c_str()].error(
            "no entry point named '" + actual + "'");
}

} // namespace

void selectConfig(Manifest &m, const std::string &name) {
  const ConfigSpec *c = nullptr;
  std::string available;
  for (const ConfigSpec &candidate : m.configs) {
    if (candidate.name == name)
      c = &candidate;
    available += (available.empty() ? "" : ", ") + candidate.name;
  }
  if (m.configs.empty())
    failUsage("--config " + name +
              ": this model has no named training configurations");
  if (!c)
    failUsage("--config: unknown configuration '" + name +
              "' (available: " + available + ")");
  m.config = c->name;
  m.batch = c->batch;
  m.batchCoversDataset = c->batchCoversDataset;
  m.epochs = c->epochs;
  m.seed = c->seed;
  m.logEvery = c->logEvery;
  m.optimizer = c->optimizer;
  m.lr = c->lr;
  m.lrSchedule = c->lrSchedule;
  m.dropLast = c->dropLast;
  m.regularized = c->regularized;
  m.optimizerGroups = c->optimizerGroups;
  m.steps = c->steps;
  m.stepOrder = c->stepOrder;
  m.optimizerOptions = c->optimizerOptions;
  m.state = c->state;
  for (const auto &mapping : c->entryPoints) {
    // Named, not structured bindings: lambdas capture those only in C++20.
    const std::string &standard = mapping.first, &actual = mapping.second;
    if (standard == actual)
      continue;
    auto displaced = std::find_if(
        m.entryPoints.begin(), m.entryPoints.end(),
        [&](const EntryPointSpec &e) { return e.name == standard; });
    if (displaced != m.entryPoints.end()) {
      m.displacedEntryPoints.push_back(displaced->abiName);
      m.entryPoints.erase(displaced);
    }
    for (EntryPointSpec &e : m.entryPoints)
      if (e.name == actual)
        e.name = standard;
  }
}

Manifest parseManifest(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error &e) {
    fail(DLNRT_INVALID_ARGUMENT,
         std::string("manifest: $: not valid JSON: ") + e.what());
  }
  Node root(doc, "$");
  if (!doc.is_object())
    root.error("expected an object");
  if (root["format"].str() != "dlnc-model")
    root["format"].error("expected \"dlnc-model\"");
  int64_t version = root["version"].integer();
  if (version != 3)
    root["version"].error("unsupported version " + std::to_string(version) +
                          " (this runtime reads 3)");
  Manifest m;
  m.model = root["model"].str();
  m.dtype = root["dtype"].oneOf(kFloatTypes);
  m.batch = root["batch"].integerAtLeast(1);
  if (auto t = root.optional("train")) {
    m.hasTrainBlock = true;
    parseTrain(*t, m);
  }
  m.params = parseTensors(root["params"]);
  if (auto s = root.optional("state"))
    m.state = parseState(*s, m.params);
  m.inputs = parseSamples(root["inputs"], /*kindRequired=*/false);
  if (m.inputs.empty())
    root["inputs"].error("needs at least one entry");
  m.labels = parseSamples(root["labels"], /*kindRequired=*/true);
  if (auto first = root.optional("label_first"))
    m.labelFirst = first->boolean();
  if (auto metrics = root.optional("metrics"))
    m.metrics = parseMetrics(*metrics);
  // Empty for models trained only by update rules.
  for (const Node &l : root["losses"].array())
    m.losses.push_back(l["name"].str());
  // A model that reports only metrics (towers trained side by side) or
  // losses (a GAN, whose images come from sample blocks), or that learns by
  // update rules alone (a Boltzmann machine), has no output.
  m.outputs = parseIo(root["outputs"], /*mayBeEmpty=*/!m.metrics.empty() ||
                                           !m.losses.empty() ||
                                           m.hasTrainBlock);
  if (auto d = root.optional("data")) {
    if (auto dir = d->optional("dir"))
      m.dataDir = dir->str();
    if (auto t = d->optional("train"))
      m.train = parseData(*t);
    if (auto t = d->optional("test"))
      m.test = parseData(*t);
    if (auto t = d->optional("target_transforms")) {
      for (const Node &n : t->array()) {
        if (n["kind"].str() != "one_hot")
          n["kind"].error("unknown target transform '" + n["kind"].str() +
                          "' (expected one_hot)");
        const SampleSpec &label = m.labels.front();
        if (label.kind != LabelKind::Real || label.shape.size() != 1)
          n.error("one_hot needs a real vector label (f32[C])");
        m.oneHotTarget = true;
      }
    }
    if (auto a = d->optional("augment"))
      m.augments = parseAugments(*a, m.input().shape);
    if (auto t = d->optional("transforms")) {
      m.transforms = parseTransforms(*t);
      for (const Node &n : t->array())
        if (n["kind"].str() == "standardize" && !m.train)
          n.error("standardize needs data.train (its statistics come from "
                  "the training split)");
    }
  }
  if (auto c = root.optional("configs")) {
    m.configs = parseConfigs(*c, m);
    m.config = m.configs.front().name;
  }
  if (auto p = root.optional("predicts"))
    m.predicts = parsePredicts(*p);
  m.entryPoints = parseEntryPoints(root["entry_points"], m);
  for (size_t i = 0; i < m.predicts.size(); ++i)
    if (!std::any_of(m.entryPoints.begin(), m.entryPoints.end(),
                     [&](const EntryPointSpec &e) {
                       return e.name == m.predicts[i].entryPoint;
                     }))
      root["predicts"].array()[i]["entry_point"].error(
          "no entry point '" + m.predicts[i].entryPoint + "'");
  if (auto c = root.optional("configs"))
    checkConfigEntryPoints(*c, m);
  if (auto t = root.optional("train"))
    if (auto steps = t->optional("steps"))
      for (size_t i = 0; i < m.steps.size(); ++i)
        if (!m.findEntryPoint(m.steps[i].entryPoint))
          steps->array()[i]["entry_point"].error(
              "no entry point '" + m.steps[i].entryPoint + "'");
  return m;
}

} // namespace dlnrt
