//===- RuleModelTest.cpp - Models without losses, lr or train block -------===//
//
// Two hand-written models the compiler emits for update-rule programs:
// a perceptron (params w [2] and b [1], output o = w . x + b, class 1 when
// o >= 0.5) whose train_step applies w += sum_i (y_i - yhat_i) x_i with no
// learning rate and no loss, and a parameterless threshold model (o = x0)
// that has only eval_step and no train block.
//
//===----------------------------------------------------------------------===//
#include "CliRun.h"
#include "TempDir.h"

#include <cstdint>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using json = nlohmann::json;

namespace {

template <typename T> T *data(void *descriptor) {
  return reinterpret_cast<T *>(static_cast<int64_t *>(descriptor)[1]);
}
int64_t batchOf(void *descriptor) {
  return static_cast<int64_t *>(descriptor)[3];
}

double perceptronOut(const double *w, const double *b, const double *x) {
  return w[0] * x[0] + w[1] * x[1] + b[0];
}

/// args: w, b, x, y.
void perceptronTrain(void **args) {
  double *w = data<double>(args[0]), *b = data<double>(args[1]);
  const double *x = data<double>(args[2]);
  const int32_t *y = data<int32_t>(args[3]);
  double dw[2] = {0, 0}, db = 0;
  for (int64_t i = 0; i < batchOf(args[2]); ++i) {
    int yhat = perceptronOut(w, b, x + 2 * i) >= 0.5 ? 1 : 0;
    dw[0] += (y[i] - yhat) * x[2 * i];
    dw[1] += (y[i] - yhat) * x[2 * i + 1];
    db += y[i] - yhat;
  }
  w[0] += dw[0];
  w[1] += dw[1];
  b[0] += db;
}

/// args: w, b, x, y, o.
void perceptronEval(void **args) {
  const double *w = data<double>(args[0]), *b = data<double>(args[1]);
  const double *x = data<double>(args[2]);
  double *o = data<double>(args[4]);
  for (int64_t i = 0; i < batchOf(args[2]); ++i)
    o[i] = perceptronOut(w, b, x + 2 * i);
}

/// args: x, y, o.
void thresholdEval(void **args) {
  const double *x = data<double>(args[0]);
  double *o = data<double>(args[2]);
  for (int64_t i = 0; i < batchOf(args[0]); ++i)
    o[i] = x[2 * i];
}

json arg(const char *role, const char *name, const char *dtype, json shape,
         const char *access, bool batched) {
  json a = {{"role", role},
            {"name", name},
            {"dtype", dtype},
            {"shape", shape},
            {"access", access}};
  if (batched)
    a["batch_dim"] = 0;
  return a;
}

/// Linearly separable: class 1 iff x0 > x1 + 0.2, class 0 iff x0 < x1 - 0.2.
json separableRows(int n, int offset) {
  json rows = json::array();
  for (int i = 0; i < n; ++i) {
    double x1 = ((i * 5 + offset) % 13) / 13.0;
    int label = i % 2;
    rows.push_back({x1 + (label ? 0.3 : -0.3), x1, label});
  }
  return rows;
}

json baseManifest(int batch) {
  return {
      {"format", "dlnc-model"},
      {"version", 3},
      {"model", "rule"},
      {"dtype", "f64"},
      {"batch", batch},
      {"params", json::array()},
      {"inputs", {{{"name", "x"}, {"shape", {2}}}}},
      {"labels", {{{"name", "y"}, {"kind", "class"}, {"classes", 2}}}},
      {"outputs", {{{"name", "o"}, {"shape", {1}}}}},
      {"losses", json::array()},
      {"data",
       {{"train",
         {{"kind", "table"}, {"columns", 3}, {"rows", separableRows(40, 0)}}},
        {"test",
         {{"kind", "table"},
          {"columns", 3},
          {"rows", separableRows(10, 1)}}}}}};
}

class RuleModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    const int b = 4;
    json m = baseManifest(b);
    json zeros = {{"kind", "zeros"}, {"fan_in", 0}, {"fan_out", 0}};
    m["params"] = {{{"name", "w"}, {"shape", {2}}, {"init", zeros}},
                   {{"name", "b"}, {"shape", {1}}, {"init", zeros}}};
    m["train"] = {{"epochs", 5}, {"seed", 2}};
    json common = {arg("param", "w", "f64", {2}, "readwrite", false),
                   arg("param", "b", "f64", {1}, "readwrite", false),
                   arg("input", "x", "f64", {-1, 2}, "read", true),
                   arg("label", "y", "i32", {-1}, "read", true)};
    json eval = common;
    eval.push_back(arg("output", "o", "f64", {-1, 1}, "write", true));
    m["entry_points"] = {{{"name", "train_step"}, {"args", common}},
                         {{"name", "eval_step"}, {"args", eval}}};
    perceptron = m.dump();
    perceptronAbi = {perceptron.c_str(), 2, kPerceptron};

    json t = baseManifest(b);
    t["entry_points"] = {
        {{"name", "eval_step"},
         {"args",
          {arg("input", "x", "f64", {-1, 2}, "read", true),
           arg("label", "y", "i32", {-1}, "read", true),
           arg("output", "o", "f64", {-1, 1}, "write", true)}}}};
    threshold = t.dump();
    thresholdAbi = {threshold.c_str(), 1, kThreshold};
    argv0 = dir.file("model");
  }
  static constexpr dlnrt_entry_point kPerceptron[] = {
      {"train_step", perceptronTrain}, {"eval_step", perceptronEval}};
  static constexpr dlnrt_entry_point kThreshold[] = {
      {"eval_step", thresholdEval}};
  TempDir dir;
  std::string perceptron, threshold, argv0;
  dlnrt_model_abi perceptronAbi, thresholdAbi;
};

} // namespace

// No loss: the epoch, final and JSON output leave every loss out; accuracy
// stays. No lr: train_step is called without one, and --lr is refused.
TEST_F(RuleModelTest, TrainsWithoutLossOrLearningRate) {
  CliRun r = runCli(perceptronAbi, argv0,
                    {"train", "--metrics-json", dir.file("m.json")});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("model rule: 40 train / 10 test samples, batch 4, 5 "
                       "epochs\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("epoch   1/5  test_acc "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("loss"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("configuration:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("final: test_acc 100.00%\n"), std::string::npos)
      << r.out;
  std::string metrics = readAll(dir.file("m.json"));
  EXPECT_EQ(metrics.find("loss"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\"test_accuracy\":1.0"), std::string::npos)
      << metrics;

  CliRun e = runCli(perceptronAbi, argv0, {"eval", "--load", argv0 + ".npz"});
  ASSERT_EQ(e.rc, 0) << e.err;
  EXPECT_EQ(e.out, "final: test_acc 100.00%\n");

  CliRun lr = runCli(perceptronAbi, argv0, {"train", "--lr", "0.1"});
  EXPECT_EQ(lr.rc, 2);
  EXPECT_EQ(lr.err,
            "error: --lr: this model's train_step takes no learning rate\n");
  CliRun g = runCli(perceptronAbi, argv0, {"gradcheck"});
  EXPECT_EQ(g.rc, 2);
  EXPECT_NE(g.err.find("this model has no loss"), std::string::npos) << g.err;
  // Params need a checkpoint to evaluate.
  CliRun noLoad = runCli(perceptronAbi, argv0, {"eval"});
  EXPECT_EQ(noLoad.rc, 2);
  EXPECT_NE(noLoad.err.find("eval needs --load FILE"), std::string::npos);
}

// Without a train block and a train_step the model can only be evaluated,
// and with no params or state it needs no checkpoint for that.
TEST_F(RuleModelTest, EvaluationOnlyModel) {
  CliRun t = runCli(thresholdAbi, argv0, {"train"});
  EXPECT_EQ(t.rc, 2);
  EXPECT_EQ(t.err, "error: this model has no train block: it can only be "
                   "evaluated (./model eval) or run (./model predict)\n");
  CliRun e = runCli(thresholdAbi, argv0,
                    {"eval", "--metrics-json", dir.file("e.json")});
  ASSERT_EQ(e.rc, 0) << e.err;
  // o = x0 >= 0.5 is right on some rows only; the line has no loss.
  EXPECT_EQ(e.out.rfind("final: test_acc ", 0), 0u) << e.out;
  EXPECT_EQ(e.out.find("loss"), std::string::npos) << e.out;
  CliRun i = runCli(thresholdAbi, argv0, {"info"});
  ASSERT_EQ(i.rc, 0) << i.err;
  EXPECT_NE(i.out.find("training: none (batch 4)\n"), std::string::npos)
      << i.out;
}
