//===- ManifestTest.cpp - JSON manifest parsing and validation ------------===//
#include "Manifest.h"
#include "Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace dlnrt;
using json = nlohmann::json;

namespace {

// A one-layer classifier with momentum, every key of the format present.
const char *kFashion = R"({
  "format": "dlnc-model", "version": 3,
  "model": "mlp_fashion", "dtype": "f32", "batch": 64,
  "train": {"epochs": 5, "seed": 42, "log_every": 0,
            "batch_covers_dataset": true,
            "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.9}},
  "params": [
    {"name": "fc1.weight", "shape": [784, 10],
     "init": {"kind": "fan_in_uniform", "fan_in": 784, "fan_out": 10}},
    {"name": "fc1.bias", "shape": [10],
     "init": {"kind": "uniform", "a": -1, "b": 1, "fan_in": 784, "fan_out": 10}}],
  "state": [
    {"name": "fc1.weight.momentum", "shape": [784, 10],
     "init": {"kind": "zeros", "fan_in": 0, "fan_out": 0}},
    {"name": "fc1.bias.momentum", "shape": [10],
     "init": {"kind": "zeros", "fan_in": 0, "fan_out": 0}}],
  "inputs": [{"name": "x", "shape": [784]}],
  "labels": [{"name": "y", "kind": "class", "classes": 10}],
  "outputs": [{"name": "logits", "shape": [10]}],
  "losses": [{"name": "loss"}],
  "data": {"dir": "/usr/share/datasets/fashion-mnist",
           "train": {"kind": "idx", "images": "train-images-idx3-ubyte.gz",
                     "labels": "train-labels-idx1-ubyte.gz",
                     "scale": 0.00392156862745098},
           "test": {"kind": "csv", "path": "test.csv", "label": 0, "skip": 1,
                    "scale": 2}},
  "entry_points": [
    {"name": "train_step", "args": [
      {"role": "param", "name": "fc1.weight", "dtype": "f32", "shape": [784, 10], "access": "readwrite"},
      {"role": "param", "name": "fc1.bias", "dtype": "f32", "shape": [10], "access": "readwrite"},
      {"role": "optimizer_state", "name": "fc1.weight.momentum", "dtype": "f32", "shape": [784, 10], "access": "readwrite"},
      {"role": "optimizer_state", "name": "fc1.bias.momentum", "dtype": "f32", "shape": [10], "access": "readwrite"},
      {"role": "input", "name": "x", "dtype": "f32", "shape": [-1, 784], "batch_dim": 0, "access": "read"},
      {"role": "label", "name": "y", "dtype": "i32", "shape": [-1], "batch_dim": 0, "access": "read"},
      {"role": "hyper", "name": "lr", "dtype": "f32", "shape": [], "access": "read"},
      {"role": "loss", "name": "loss", "dtype": "f32", "shape": [], "access": "write"}]},
    {"name": "eval_step", "args": [
      {"role": "param", "name": "fc1.weight", "dtype": "f32", "shape": [784, 10], "access": "read"},
      {"role": "param", "name": "fc1.bias", "dtype": "f32", "shape": [10], "access": "read"},
      {"role": "label", "name": "y", "dtype": "i32", "shape": [-1], "batch_dim": 0, "access": "read"},
      {"role": "input", "name": "x", "dtype": "f32", "shape": [-1, 784], "batch_dim": 0, "access": "read"},
      {"role": "loss", "name": "loss", "dtype": "f32", "shape": [-1], "batch_dim": 0, "access": "write"},
      {"role": "output", "name": "logits", "dtype": "f32", "shape": [-1, 10], "batch_dim": 0, "access": "write"}]},
    {"name": "loss_and_grad", "args": [
      {"role": "param", "name": "fc1.weight", "dtype": "f32", "shape": [784, 10], "access": "read"},
      {"role": "param", "name": "fc1.bias", "dtype": "f32", "shape": [10], "access": "read"},
      {"role": "input", "name": "x", "dtype": "f32", "shape": [-1, 784], "batch_dim": 0, "access": "read"},
      {"role": "label", "name": "y", "dtype": "i32", "shape": [-1], "batch_dim": 0, "access": "read"},
      {"role": "loss", "name": "loss", "dtype": "f32", "shape": [], "access": "write"},
      {"role": "grad", "name": "fc1.weight", "dtype": "f32", "shape": [784, 10], "access": "write"},
      {"role": "grad", "name": "fc1.bias", "dtype": "f32", "shape": [10], "access": "write"}]}]
})";

/// The message of the Error thrown by parseManifest, or "" if it parsed.
std::string errorOf(const std::string &text) {
  try {
    parseManifest(text);
  } catch (const Error &e) {
    EXPECT_EQ(e.code(), DLNRT_INVALID_ARGUMENT);
    return e.what();
  }
  return "";
}

/// kFashion with the value at JSON pointer `at` replaced (or removed when
/// `value` is discarded).
std::string edited(const std::string &at, const json &value) {
  json m = json::parse(kFashion);
  json::json_pointer p(at);
  if (value.is_discarded())
    m[p.parent_pointer()].erase(p.back());
  else
    m[p] = value;
  return m.dump();
}

const json kRemove = json(json::value_t::discarded);

} // namespace

// The reference manifest parses into every field.
TEST(Manifest, ParsesFullManifest) {
  Manifest m = parseManifest(kFashion);
  EXPECT_EQ(m.version, 3);
  EXPECT_EQ(m.model, "mlp_fashion");
  EXPECT_EQ(m.dtype, DType::F32);
  EXPECT_EQ(m.batch, 64);
  EXPECT_EQ(m.epochs, 5);
  EXPECT_EQ(m.seed, 42u);
  EXPECT_EQ(m.logEvery, 0);
  EXPECT_TRUE(m.batchCoversDataset);
  EXPECT_EQ(m.optimizer, "sgd");
  ASSERT_TRUE(m.lr);
  EXPECT_DOUBLE_EQ(*m.lr, 0.1);
  EXPECT_EQ(
      m.optimizerOptions,
      (std::vector<std::pair<std::string, std::string>>{{"momentum", "0.9"}}));
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].name, "fc1.weight");
  EXPECT_EQ(m.params[0].shape, (Shape{784, 10}));
  EXPECT_EQ(m.params[0].init.kind, InitKind::FanInUniform);
  EXPECT_EQ(m.params[0].init.fanIn, 784);
  EXPECT_EQ(m.params[0].init.fanOut, 10);
  EXPECT_EQ(m.params[1].init.kind, InitKind::Uniform);
  EXPECT_DOUBLE_EQ(m.params[1].init.a, -1);
  EXPECT_DOUBLE_EQ(m.params[1].init.b, 1);
  ASSERT_EQ(m.state.size(), 2u);
  EXPECT_EQ(m.state[0].name, "fc1.weight.momentum");
  EXPECT_EQ(m.state[1].shape, (Shape{10}));
  EXPECT_EQ(m.input().name, "x");
  EXPECT_EQ(m.inputSize(), 784);
  EXPECT_EQ(m.label().kind, LabelKind::Class);
  EXPECT_EQ(m.label().numClasses, 10);
  EXPECT_EQ(m.labelSize(), 1);
  EXPECT_EQ(m.output().name, "logits");
  EXPECT_EQ(m.outputSize(), 10);
  EXPECT_EQ(m.losses, (std::vector<std::string>{"loss"}));
  EXPECT_EQ(m.dataDir, "/usr/share/datasets/fashion-mnist");
  ASSERT_TRUE(m.train && m.test);
  EXPECT_EQ(m.train->format, "idx");
  EXPECT_EQ(m.train->images, "train-images-idx3-ubyte.gz");
  EXPECT_EQ(m.train->labels, "train-labels-idx1-ubyte.gz");
  EXPECT_NEAR(m.train->scale, 1 / 255.0, 1e-15);
  EXPECT_EQ(m.test->format, "csv");
  EXPECT_EQ(m.test->path, "test.csv");
  EXPECT_EQ(m.test->labelColumn, 0);
  EXPECT_EQ(m.test->skip, 1);
  EXPECT_DOUBLE_EQ(m.test->scale, 2);

  ASSERT_EQ(m.entryPoints.size(), 3u);
  const EntryPointSpec *train = m.findEntryPoint("train_step");
  ASSERT_TRUE(train);
  ASSERT_EQ(train->args.size(), 8u);
  EXPECT_EQ(train->args[2].role, ArgRole::OptimizerState);
  EXPECT_EQ(train->args[2].access, Access::ReadWrite);
  EXPECT_EQ(train->args[5].role, ArgRole::Label);
  EXPECT_EQ(train->args[5].dtype, DType::I32);
  EXPECT_EQ(train->args[5].batchDim, 0);
  EXPECT_FALSE(train->args[6].batchDim);
  EXPECT_EQ(train->args[6].role, ArgRole::Hyper);
  EXPECT_EQ(train->args[7].shape, Shape{});
  const EntryPointSpec *eval = m.findEntryPoint("eval_step");
  ASSERT_TRUE(eval);
  EXPECT_EQ(eval->args[2].role, ArgRole::Label); // order as listed
  EXPECT_EQ(eval->args[4].shape, (Shape{-1}));
  EXPECT_EQ(m.findEntryPoint("loss_and_grad")->args.back().role,
            ArgRole::Grad);
  EXPECT_FALSE(m.findEntryPoint("predict"));
}

// Any optimizer kind is accepted; its hyperparameters are kept for `info`.
TEST(Manifest, OptimizerHyperparameters) {
  json j = json::parse(kFashion);
  j["train"]["optimizer"] = json::parse(
      R"({"kind": "adam", "lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-08,
          "amsgrad": false})");
  Manifest m = parseManifest(j.dump());
  EXPECT_EQ(m.optimizer, "adam");
  EXPECT_DOUBLE_EQ(*m.lr, 0.001);
  EXPECT_EQ(
      m.optimizerOptions,
      (std::vector<std::pair<std::string, std::string>>{
          {"amsgrad", "false"}, {"betas", "(0.9, 0.999)"}, {"eps", "1e-08"}}));
}

// Optional sections default; real labels have a per-sample shape.
TEST(Manifest, DefaultsAndRealLabels) {
  json j = json::parse(kFashion);
  for (const char *key : {"train", "state", "data"})
    j.erase(key);
  j["labels"] = json::parse(R"([{"name": "t", "kind": "real", "shape": [2, 3]}])");
  j["entry_points"] = json::array();
  j["dtype"] = "f64";
  Manifest m = parseManifest(j.dump());
  EXPECT_EQ(m.dtype, DType::F64);
  EXPECT_EQ(m.epochs, 1);
  EXPECT_EQ(m.seed, 0u);
  EXPECT_FALSE(m.batchCoversDataset);
  EXPECT_EQ(m.optimizer, "sgd");
  EXPECT_FALSE(m.lr);
  EXPECT_TRUE(m.optimizerOptions.empty());
  EXPECT_TRUE(m.state.empty());
  EXPECT_FALSE(m.train || m.test);
  EXPECT_EQ(m.dataDir, "");
  EXPECT_EQ(m.label().kind, LabelKind::Real);
  EXPECT_EQ(m.labelSize(), 6);
  // CSV defaults: last column, no header, scale 1.
  j["data"] = json::parse(R"({"train": {"kind": "csv", "path": "a.csv"}})");
  m = parseManifest(j.dump());
  EXPECT_EQ(m.train->labelColumn, -1);
  EXPECT_EQ(m.train->skip, 0);
  EXPECT_DOUBLE_EQ(m.train->scale, 1);
}

// Unknown keys are ignored at every level so newer compilers can add some.
TEST(Manifest, IgnoresUnknownKeys) {
  json j = json::parse(kFashion);
  j["future"] = {1, 2};
  j["params"][0]["layout"] = "nchw";
  j["params"][0]["init"]["gain"] = 2;
  j["train"]["optimizer"]["nesterov"] = true;
  j["entry_points"][0]["calling_convention"] = "c";
  j["entry_points"][0]["args"][0]["donated"] = true;
  j["data"]["train"]["compression"] = "gzip";
  Manifest m = parseManifest(j.dump());
  EXPECT_EQ(m.params[0].init.kind, InitKind::FanInUniform);
  EXPECT_EQ(m.entryPoints[0].args.size(), 8u);
}

// Several inputs and labels parse (the CLI rejects them later).
TEST(Manifest, ParsesSeveralInputsAndLabels) {
  json j = json::parse(kFashion);
  j["inputs"].push_back({{"name", "mask"}, {"shape", {784}}});
  j["labels"].push_back({{"name", "t"}, {"kind", "real"}, {"shape", {1}}});
  j["entry_points"][0]["args"].push_back(
      {{"role", "input"}, {"name", "mask"}, {"dtype", "f32"},
       {"shape", {-1, 784}}, {"batch_dim", 0}, {"access", "read"}});
  Manifest m = parseManifest(j.dump());
  EXPECT_EQ(m.inputs.size(), 2u);
  EXPECT_EQ(m.labels.size(), 2u);
  EXPECT_EQ(m.input().name, "x");
}

// Each malformed value reports its JSON path and what is wrong.
TEST(Manifest, RejectsMalformedValues) {
  struct Case {
    std::string at;
    json value;
    std::string expect;
  } cases[] = {
      {"/format", "dln-manifest", "$.format: expected \"dlnc-model\""},
      {"/version", 1, "$.version: unsupported version 1"},
      {"/version", "2", "$.version: expected an integer"},
      {"/model", kRemove, "$: missing key 'model'"},
      {"/dtype", "f16", "$.dtype: unknown value 'f16' (expected one of f32, f64)"},
      {"/batch", 0, "$.batch: must be >= 1, got 0"},
      {"/batch", 2.5, "$.batch: expected an integer"},
      {"/train", 5, "$.train: expected an object"},
      {"/data/test", "test.csv", "$.data.test: expected an object"},
      {"/train/epochs", -1, "$.train.epochs: must be >= 0"},
      {"/train/seed", -1, "$.train.seed: expected a non-negative integer"},
      {"/train/log_every", "x", "$.train.log_every: expected an integer"},
      {"/train/batch_covers_dataset", 1, "$.train.batch_covers_dataset: expected true or false"},
      {"/train/optimizer/kind", kRemove, "$.train.optimizer: missing key 'kind'"},
      {"/train/optimizer/lr", "fast", "$.train.optimizer.lr: expected a finite number"},
      {"/train/optimizer/momentum", "0.9", "$.train.optimizer.momentum: expected a finite number"},
      {"/train/optimizer/betas", {0.9, "x"}, "$.train.optimizer.betas[1]: expected a finite number"},
      {"/params", json::object(), "$.params: expected an array"},
      {"/params/0/shape", {784, 0}, "$.params[0].shape[1]: must be >= 1, got 0"},
      {"/params/0/shape", "784x10", "$.params[0].shape: expected an array"},
      {"/params/0/init", kRemove, "$.params[0]: missing key 'init'"},
      {"/params/0/init/kind", "kaiming", "$.params[0].init.kind: unknown value 'kaiming'"},
      {"/params/0/init/fan_in", 0, "$.params[0].init: fan_in_uniform init needs positive fan_in and fan_out"},
      {"/params/0/init/fan_out", kRemove, "$.params[0].init: missing key 'fan_out'"},
      {"/params/1/init/a", 2, "$.params[1].init: uniform init needs a <= b"},
      {"/params/1/init/b", "1", "$.params[1].init.b: expected a finite number"},
      {"/params/1/name", "fc1.weight", "$.params[1].name: duplicate name 'fc1.weight'"},
      {"/state/0/name", "fc1.bias", "$.state: 'fc1.bias' is also a param"},
      {"/inputs", json::array(), "$.inputs: needs at least one entry"},
      {"/labels/0/kind", "ordinal", "$.labels[0].kind: unknown value 'ordinal'"},
      {"/labels/0/classes", 1, "$.labels[0].classes: must be >= 2, got 1"},
      {"/outputs", kRemove, "$: missing key 'outputs'"},
      {"/losses", json::array(), "$.entry_points[0].args[7].name: no loss named 'loss'"},
      {"/data/train/kind", "parquet", "$.data.train.kind: unknown value 'parquet'"},
      {"/data/train/images", kRemove, "$.data.train: missing key 'images'"},
      {"/data/test/path", 3, "$.data.test.path: expected a string"},
      {"/data/test/skip", -1, "$.data.test.skip: must be >= 0"},
      {"/data/test/kind", "table", "$.data.test: missing key 'columns'"},
      {"/data/test", {{"kind", "table"}, {"columns", 0}, {"rows", {{1}}}}, "$.data.test.columns: must be >= 1, got 0"},
      {"/data/test", {{"kind", "table"}, {"columns", 2}, {"rows", json::array()}}, "$.data.test.rows: needs at least one row"},
      {"/data/test", {{"kind", "table"}, {"columns", 2}, {"rows", {{1, 2}, {3}}}}, "$.data.test.rows[1]: expected 2 numbers, got 1"},
      {"/data/test", {{"kind", "table"}, {"columns", 2}, {"rows", {{1, "2"}}}}, "$.data.test.rows[0][1]: expected a finite number"},
      {"/data/test", {{"kind", "split"}, {"fraction", 0.5}, {"seed", 1}, {"part", 0}}, "$.data.test: missing key 'source'"},
      {"/data/test", {{"kind", "split"}, {"source", {{"kind", "csv"}}}, {"fraction", 0.5}, {"seed", 1}, {"part", 0}}, "$.data.test.source: missing key 'path'"},
      {"/data/test", {{"kind", "split"}, {"source", {{"kind", "csv"}, {"path", "a.csv"}}}, {"fraction", 1}, {"seed", 1}, {"part", 0}}, "$.data.test.fraction: must be strictly between 0 and 1"},
      {"/data/test", {{"kind", "split"}, {"source", {{"kind", "csv"}, {"path", "a.csv"}}}, {"fraction", 0.5}, {"seed", -1}, {"part", 0}}, "$.data.test.seed: expected a non-negative integer"},
      {"/data/test", {{"kind", "split"}, {"source", {{"kind", "csv"}, {"path", "a.csv"}}}, {"fraction", 0.5}, {"seed", 1}, {"part", 2}}, "$.data.test.part: must be 0 or 1, got 2"},
      {"/data/transforms", {{{"kind", "whiten"}}}, "$.data.transforms[0].kind: unknown value 'whiten' (expected one of standardize, scale, normalize, binarize)"},
      {"/data/transforms", {{{"kind", "scale"}}}, "$.data.transforms[0]: missing key 'factor'"},
      {"/data/transforms", {{{"kind", "normalize"}, {"mean", 0}, {"std", 0}}}, "$.data.transforms[0].std: must not be 0"},
      {"/data/transforms", {{{"kind", "binarize"}, {"threshold", "x"}}}, "$.data.transforms[0].threshold: expected a finite number"},
      {"/configs", json::array(), "$.configs: needs at least one entry"},
      {"/configs", {{{"batch", 64}}}, "$.configs[0]: missing key 'name'"},
      {"/configs", {{{"name", "a"}, {"batch", 64}}, {{"name", "a"}, {"batch", 64}}}, "$.configs[1].name: duplicate configuration 'a'"},
      {"/configs", {{{"name", "a"}}}, "$.configs[0]: missing key 'batch'"},
      {"/configs", {{{"name", "a"}, {"batch", 64}, {"epochs", -2}}}, "$.configs[0].epochs: must be >= 0"},
      {"/configs", {{{"name", "a"}, {"batch", 64}, {"state", {{{"name", "fc1.bias"}, {"shape", {10}}, {"init", {{"kind", "zeros"}, {"fan_in", 0}, {"fan_out", 0}}}}}}}}, "$.configs[0].state: 'fc1.bias' is also a param"},
      {"/configs", {{{"name", "a"}, {"batch", 64}, {"entry_points", {{"predict", "eval_step"}}}}}, "$.configs[0].entry_points.predict: unknown entry point role"},
      {"/configs", {{{"name", "a"}, {"batch", 64}, {"entry_points", {{"train_step", "train_step.a"}}}}}, "$.configs[0].entry_points.train_step: no entry point named 'train_step.a'"},
      {"/entry_points", kRemove, "$: missing key 'entry_points'"},
      {"/entry_points/1/name", "train_step", "$.entry_points[1].name: duplicate entry point 'train_step'"},
      {"/entry_points/0/args/0/role", "weight", "$.entry_points[0].args[0].role: unknown value 'weight'"},
      {"/entry_points/0/args/0/access", "rw", "$.entry_points[0].args[0].access: unknown value 'rw'"},
      {"/entry_points/0/args/0/dtype", "bf16", "$.entry_points[0].args[0].dtype: unknown value 'bf16'"},
      // Names must resolve against the declarations.
      {"/entry_points/0/args/0/name", "fc2.weight", "$.entry_points[0].args[0].name: no param named 'fc2.weight'"},
      {"/entry_points/0/args/2/name", "fc1.weight", "$.entry_points[0].args[2].name: no state tensor named 'fc1.weight'"},
      {"/entry_points/0/args/4/name", "image", "$.entry_points[0].args[4].name: no input named 'image'"},
      {"/entry_points/0/args/5/name", "t", "$.entry_points[0].args[5].name: no label named 't'"},
      {"/entry_points/0/args/7/name", "nll", "$.entry_points[0].args[7].name: no loss named 'nll'"},
      {"/entry_points/1/args/5/name", "probs", "$.entry_points[1].args[5].name: no output named 'probs'"},
      {"/entry_points/2/args/6/name", "w", "$.entry_points[2].args[6].name: no param named 'w'"},
      // Shapes and dtypes must match them.
      {"/entry_points/0/args/0/shape", {10, 784}, "$.entry_points[0].args[0].shape: expected 784x10, got 10x784"},
      {"/entry_points/0/args/0/dtype", "f64", "$.entry_points[0].args[0].dtype: expected f32, got f64"},
      {"/entry_points/0/args/2/shape", {10}, "$.entry_points[0].args[2].shape: expected 784x10, got 10"},
      {"/entry_points/0/args/4/shape", {32, 784}, "$.entry_points[0].args[4].shape: expected ?x784, got 32x784"},
      {"/entry_points/0/args/4/batch_dim", kRemove, "$.entry_points[0].args[4]: batched input needs batch_dim 0"},
      {"/entry_points/0/args/4/batch_dim", 1, "$.entry_points[0].args[4]: batched input needs batch_dim 0"},
      {"/entry_points/0/args/5/dtype", "f32", "$.entry_points[0].args[5].dtype: expected i32, got f32"},
      {"/entry_points/0/args/5/shape", {-1, 10}, "$.entry_points[0].args[5].shape: expected ?, got ?x10"},
      {"/entry_points/0/args/6/shape", {1}, "$.entry_points[0].args[6].shape: expected scalar, got 1"},
      {"/entry_points/0/args/7/shape", {64}, "$.entry_points[0].args[7].shape: expected scalar, got 64"},
      {"/entry_points/0/args/0/batch_dim", 0, "$.entry_points[0].args[0].batch_dim: param arguments are not batched"},
      {"/entry_points/1/args/5/shape", {-1, 11}, "$.entry_points[1].args[5].shape: expected ?x10, got ?x11"},
      {"/entry_points/2/args/5/shape", {784}, "$.entry_points[2].args[5].shape: expected 784x10, got 784"},
  };
  for (const Case &c : cases) {
    std::string err = errorOf(edited(c.at, c.value));
    EXPECT_EQ(err.rfind("manifest: ", 0), 0u) << c.at << ": " << err;
    EXPECT_NE(err.find(c.expect), std::string::npos)
        << "at " << c.at << " expected: " << c.expect << "\n got: " << err;
  }
}

// Text that is not a JSON object is reported as such.
TEST(Manifest, RejectsNonJson) {
  EXPECT_NE(errorOf("").find("manifest: $: not valid JSON"), std::string::npos);
  EXPECT_NE(errorOf("dln-manifest 1\ndtype f32\n").find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(errorOf("[1, 2]").find("manifest: $: expected an object"),
            std::string::npos);
}

// Table, split and transforms parse into the data specs.
TEST(Manifest, ParsesDataSourcesAndTransforms) {
  json m = json::parse(kFashion);
  m["data"]["train"] = {{"kind", "split"},
                        {"source",
                         {{"kind", "table"},
                          {"columns", 3},
                          {"label", 0},
                          {"rows", {{1, 2, 3}, {4, 5, 6}}}}},
                        {"fraction", 0.75},
                        {"seed", 9},
                        {"part", 1}};
  m["data"]["transforms"] = {{{"kind", "standardize"}},
                             {{"kind", "scale"}, {"factor", 2}},
                             {{"kind", "normalize"}, {"mean", 1}, {"std", 4}},
                             {{"kind", "binarize"}, {"threshold", 0.5}}};
  Manifest p = parseManifest(m.dump());
  ASSERT_TRUE(p.train);
  EXPECT_EQ(p.train->format, "split");
  EXPECT_DOUBLE_EQ(p.train->fraction, 0.75);
  EXPECT_EQ(p.train->splitSeed, 9u);
  EXPECT_EQ(p.train->part, 1);
  ASSERT_TRUE(p.train->source);
  EXPECT_EQ(p.train->source->format, "table");
  EXPECT_EQ(p.train->source->columns, 3);
  EXPECT_EQ(p.train->source->labelColumn, 0);
  EXPECT_EQ(p.train->source->rows, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(p.transforms.size(), 4u);
  EXPECT_EQ(p.transforms[0].kind, TransformSpec::Kind::Standardize);
  EXPECT_DOUBLE_EQ(p.transforms[1].factor, 2);
  EXPECT_DOUBLE_EQ(p.transforms[2].mean, 1);
  EXPECT_DOUBLE_EQ(p.transforms[2].std, 4);
  EXPECT_DOUBLE_EQ(p.transforms[3].threshold, 0.5);
  EXPECT_TRUE(p.hasTrainBlock);
  EXPECT_TRUE(p.configs.empty());
  EXPECT_EQ(p.config, "");

  // Statistics need a training split.
  m["data"].erase("train");
  EXPECT_NE(errorOf(m.dump()).find("$.data.transforms[0]: standardize needs "
                                   "data.train"),
            std::string::npos);
}

// data.augment: noise fits any input; crops and flips need an image, and
// every field is checked.
TEST(Manifest, ParsesAndChecksAugments) {
  json m = json::parse(kFashion);
  m["data"]["augment"] = {{{"kind", "noise"}, {"std", 0.25}}};
  Manifest p = parseManifest(m.dump());
  ASSERT_EQ(p.augments.size(), 1u);
  EXPECT_EQ(p.augments[0].kind, AugmentSpec::Kind::Noise);
  EXPECT_DOUBLE_EQ(p.augments[0].std, 0.25);

  const std::pair<json, std::string> bad[] = {
      {{{"kind", "rotate"}}, "$.data.augment[0].kind: unknown value 'rotate'"},
      {{{"kind", "noise"}, {"std", -1}}, "$.data.augment[0].std: must be >= 0"},
      {{{"kind", "random_flip"}, {"horizontal", true}, {"vertical", false}, {"p", 0.5}},
       "$.data.augment[0].kind: needs an image input [C, H, W] or [C, L], got [784]"},
      {{{"kind", "random_crop"}, {"size", {28, 28}}, {"padding", 2}, {"padding_mode", "zeros"}},
       "$.data.augment[0].kind: needs an image input"},
  };
  for (const auto &[list, expect] : bad) {
    m["data"]["augment"] = json::array({list});
    EXPECT_NE(errorOf(m.dump()).find(expect), std::string::npos)
        << list.dump() << " -> " << errorOf(m.dump());
  }
}

// A model without losses: no loss arguments anywhere, no train block.
TEST(Manifest, AcceptsNoLossesAndNoTrainBlock) {
  json m = json::parse(kFashion);
  m["losses"] = json::array();
  m.erase("train");
  m["entry_points"] = {m["entry_points"][1]};
  m["entry_points"][0]["args"].erase(4); // the loss
  Manifest p = parseManifest(m.dump());
  EXPECT_FALSE(p.hasLoss());
  EXPECT_FALSE(p.hasTrainBlock);
  EXPECT_FALSE(p.takesHyper("eval_step", "lr"));
  EXPECT_FALSE(p.takesHyper("train_step", "lr"));
  EXPECT_TRUE(parseManifest(kFashion).takesHyper("train_step", "lr"));
}

// Named configurations: the mapped entry points are checked against their
// configuration's batch and state, and selecting one swaps it in.
TEST(Manifest, SelectsConfigurations) {
  json m = json::parse(kFashion);
  json small = m["entry_points"];
  for (json &e : small) {
    e["name"] = e["name"].get<std::string>() + ".small";
  }
  // The small configuration keeps no momentum: its train_step has no state.
  small[0]["args"].erase(3);
  small[0]["args"].erase(2);
  for (json &e : small)
    m["entry_points"].push_back(e);
  m["configs"] = {
      {{"name", "default"},
       {"batch", 64},
       {"epochs", 5},
       {"seed", 42},
       {"optimizer", {{"kind", "sgd"}, {"lr", 0.1}, {"momentum", 0.9}}},
       {"state", m["state"]}},
      {{"name", "small"},
       {"batch", 8},
       {"epochs", 2},
       {"seed", 3},
       {"log_every", 1},
       {"batch_covers_dataset", false},
       {"optimizer", {{"kind", "adam"}}},
       {"entry_points",
        {{"train_step", "train_step.small"},
         {"eval_step", "eval_step.small"},
         {"loss_and_grad", "loss_and_grad.small"}}}}};
  Manifest p = parseManifest(m.dump());
  ASSERT_EQ(p.configs.size(), 2u);
  EXPECT_EQ(p.config, "default");
  EXPECT_EQ(p.batch, 64);
  EXPECT_EQ(p.configs[1].batch, 8);
  EXPECT_EQ(p.configs[1].optimizer, "adam");
  EXPECT_EQ(p.entryPoints.size(), 6u);

  Manifest d = p;
  selectConfig(d, "default");
  EXPECT_EQ(d.batch, 64);
  EXPECT_EQ(d.state.size(), 2u);
  EXPECT_EQ(d.entryPoints.size(), 6u);
  EXPECT_TRUE(d.displacedEntryPoints.empty());

  selectConfig(p, "small");
  EXPECT_EQ(p.config, "small");
  EXPECT_EQ(p.batch, 8);
  EXPECT_EQ(p.epochs, 2);
  EXPECT_EQ(p.seed, 3u);
  EXPECT_EQ(p.logEvery, 1);
  EXPECT_FALSE(p.batchCoversDataset);
  EXPECT_EQ(p.optimizer, "adam");
  EXPECT_FALSE(p.lr);
  EXPECT_TRUE(p.optimizerOptions.empty());
  EXPECT_TRUE(p.state.empty());
  ASSERT_EQ(p.entryPoints.size(), 3u);
  EXPECT_EQ(p.findEntryPoint("train_step")->abiName, "train_step.small");
  EXPECT_EQ(p.findEntryPoint("eval_step")->args[2].shape, (Shape{-1}));
  EXPECT_EQ(p.findAbiEntryPoint("loss_and_grad.small")->name, "loss_and_grad");
  // In the JSON library's key order.
  EXPECT_EQ(p.displacedEntryPoints,
            (std::vector<std::string>{"eval_step", "loss_and_grad",
                                      "train_step"}));

  try {
    selectConfig(p, "large");
    ADD_FAILURE() << "no error";
  } catch (const UsageError &e) {
    EXPECT_EQ(std::string(e.what()), "--config: unknown configuration 'large' "
                                     "(available: default, small)");
  }
  Manifest plain = parseManifest(kFashion);
  EXPECT_THROW(selectConfig(plain, "default"), UsageError);
}

// Predict blocks: their entry points are checked against the block's own
// input and output, and each names an entry point that exists.
TEST(Manifest, ParsesPredictBlocks) {
  json j = json::parse(kFashion);
  j["predicts"] = json::parse(R"([{"name": "from_label",
      "entry_point": "predict.from_label",
      "input": {"name": "k", "kind": "class", "classes": 10},
      "output": {"name": "image", "shape": [784]}}])");
  j["entry_points"].push_back(json::parse(R"({"name": "predict.from_label", "args": [
      {"role": "param", "name": "fc1.weight", "dtype": "f32", "shape": [784, 10], "access": "read"},
      {"role": "param", "name": "fc1.bias", "dtype": "f32", "shape": [10], "access": "read"},
      {"role": "input", "name": "k", "dtype": "i32", "shape": [-1], "batch_dim": 0, "access": "read"},
      {"role": "output", "name": "image", "dtype": "f32", "shape": [-1, 784], "batch_dim": 0, "access": "write"}]})"));
  Manifest m = parseManifest(j.dump());
  ASSERT_EQ(m.predicts.size(), 1u);
  const PredictSpec *p = m.predict("predict", "from_label");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->input.kind, LabelKind::Class);
  EXPECT_EQ(p->input.numClasses, 10);
  EXPECT_EQ(p->output.shape, (Shape{784}));
  EXPECT_FALSE(m.predict("predict", ""));
  EXPECT_FALSE(m.predict("encode", "from_label"));

  // The block's input is not the model's: a real x there is a mismatch.
  json wrong = j;
  wrong["entry_points"][3]["args"][2]["dtype"] = "f32";
  EXPECT_NE(errorOf(wrong.dump()).find("expected i32"), std::string::npos);
  json missing = j;
  missing["entry_points"].erase(3);
  EXPECT_NE(errorOf(missing.dump()).find("no entry point 'predict.from_label'"),
            std::string::npos);
}

// Step blocks: each step's entry point must exist, the schedule names
// steps, and the steps' learning rates join the optimizer groups the model
// binds by name.
TEST(Manifest, ParsesStepBlocks) {
  json j = json::parse(kFashion);
  j["entry_points"][0]["name"] = "train_step.step.head";
  j["entry_points"][0]["args"][6]["name"] = "head.lr";
  j["train"]["steps"] = json::parse(R"([{"name": "head",
      "entry_point": "train_step.step.head", "every": 2,
      "optimizer_groups": [{"lr_name": "head.lr",
                            "optimizer": {"kind": "sgd", "lr": 0.5},
                            "params": ["fc1.weight", "fc1.bias"]}]}])");
  j["train"]["step_order"] = json::parse(R"(["head", "head"])");
  Manifest m = parseManifest(j.dump());
  ASSERT_EQ(m.steps.size(), 1u);
  EXPECT_EQ(m.steps[0].name, "head");
  EXPECT_EQ(m.steps[0].entryPoint, "train_step.step.head");
  EXPECT_EQ(m.steps[0].every, 2);
  EXPECT_EQ(m.stepOrder, (std::vector<size_t>{0, 0}));
  ASSERT_EQ(m.optimizerGroups.size(), 1u);
  EXPECT_EQ(m.optimizerGroups[0].lrName, "head.lr");
  EXPECT_EQ(m.optimizerGroups[0].lr, 0.5);

  json unknown = j;
  unknown["train"]["step_order"][1] = "tail";
  EXPECT_NE(errorOf(unknown.dump()).find("no step named 'tail'"),
            std::string::npos);
  json missing = j;
  missing["train"]["steps"][0]["entry_point"] = "train_step.step.tail";
  EXPECT_NE(errorOf(missing.dump()).find("no entry point 'train_step.step.tail'"),
            std::string::npos);
  json never = j;
  never["train"]["steps"][0]["every"] = 0;
  EXPECT_NE(errorOf(never.dump()).find("every"), std::string::npos);
}
