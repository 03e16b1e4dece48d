//===- ModelTest.cpp - Entry-point lookup and argument binding by role ----===//
#include "Model.h"
#include "Checkpoint.h"
#include "Error.h"
#include "FakeModel.h"
#include "Init.h"

#include <cstring>
#include <functional>
#include <gtest/gtest.h>

using namespace dlnrt;
using json = nlohmann::json;

namespace {

class ModelTest : public ::testing::Test {
protected:
  void SetUp() override { fake::resetAbiViolations(); }
  void TearDown() override { EXPECT_EQ(fake::abiViolations(), 0); }
};

/// A batch of 4 samples with distinct x and y.
void fillBatch(Tensor &x, Tensor &y) {
  for (int64_t i = 0; i < x.size(); ++i)
    x.set(i, 0.1 * static_cast<double>(i % 7) - 0.3);
  for (int64_t i = 0; i < y.size(); ++i)
    y.set(i, 0.5 * static_cast<double>(i) - 1);
}

std::string errorOf(const std::function<void()> &body) {
  try {
    body();
  } catch (const Error &e) {
    EXPECT_EQ(e.code(), DLNRT_INVALID_ARGUMENT);
    return e.what();
  }
  return "";
}

bool sameBits(const Tensor &a, const Tensor &b) {
  return a.bytes() == b.bytes() &&
         std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

} // namespace

// A table listing the label before the input is bound by role: every entry
// point computes exactly what the usual order computes.
TEST_F(ModelTest, BindsArgumentsByRoleNotPosition) {
  fake::Layout swapped;
  swapped.labelFirst = true;
  std::string usual = fake::linearManifest("f64", 4),
              other = fake::linearManifest("f64", 4, nullptr, swapped);
  ASSERT_EQ(json::parse(other)["entry_points"][0]["args"][2]["role"], "label");
  Model a(fake::linearAbi(true, usual.c_str()), defaultAllocator());
  Model b(fake::linearAbi(true, other.c_str(), false, swapped),
          defaultAllocator());
  initParams(a.params(), a.manifest().params, 3);
  initParams(b.params(), b.manifest().params, 3);
  Tensor x = a.makeBatchX(), y = a.makeBatchY();
  fillBatch(x, y);

  std::vector<Tensor> ga = a.makeGradBuffers(), gb = b.makeGradBuffers();
  EXPECT_EQ(a.lossAndGrad(x, y, ga), b.lossAndGrad(x, y, gb));
  for (size_t i = 0; i < ga.size(); ++i)
    EXPECT_TRUE(sameBits(ga[i], gb[i]));
  Tensor la = a.makeBatchLosses(), oa = a.makeBatchOutputs();
  Tensor lb = b.makeBatchLosses(), ob = b.makeBatchOutputs();
  a.evalStep(x, y, la, oa);
  b.evalStep(x, y, lb, ob);
  EXPECT_TRUE(sameBits(la, lb));
  EXPECT_TRUE(sameBits(oa, ob));
  EXPECT_EQ(a.trainStep(x, y, 0.1), b.trainStep(x, y, 0.1));
  for (size_t i = 0; i < a.params().size(); ++i)
    EXPECT_TRUE(sameBits(a.params()[i], b.params()[i]));
}

// train_step updates the model-owned momentum state; saving and loading it
// with the params continues the very same trajectory.
TEST_F(ModelTest, StateIsUpdatedAndSurvivesSaveAndLoad) {
  fake::Layout momentum;
  momentum.momentum = true;
  std::string text = fake::linearManifest("f32", 4, nullptr, momentum);
  dlnrt_model_abi abi = fake::linearAbi(false, text.c_str(), false, momentum);
  Model straight(abi, defaultAllocator());
  ASSERT_EQ(straight.state().size(), 2u);
  EXPECT_EQ(straight.manifest().state[0].name, "w.momentum");
  initParams(straight.params(), straight.manifest().params, 1);
  initState(straight.state(), straight.manifest().state, 1);
  Tensor x = straight.makeBatchX(), y = straight.makeBatchY();
  fillBatch(x, y);
  straight.trainStep(x, y, 0.05);
  EXPECT_NE(straight.state()[1].get(0), 0.0); // b.momentum moved
  std::string bytes =
      serializeCheckpoint(modelTensors(straight.manifest(), straight.params(),
                                       straight.state(), true),
                          TrainCounters());

  Model resumed(abi, defaultAllocator());
  deserializeCheckpoint(bytes, "mid.npz",
                        modelTensors(resumed.manifest(), resumed.params(),
                                     resumed.state(), true));
  for (int step = 0; step < 3; ++step)
    EXPECT_EQ(straight.trainStep(x, y, 0.05), resumed.trainStep(x, y, 0.05));
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(sameBits(straight.params()[i], resumed.params()[i]));
    EXPECT_TRUE(sameBits(straight.state()[i], resumed.state()[i]));
  }

  // A params-only file: fine where state is optional, an error naming the
  // missing array where it is required.
  std::string paramsOnly = serializeCheckpoint(
      paramTensors(straight.manifest(), straight.params()), TrainCounters());
  Model fresh(abi, defaultAllocator());
  deserializeCheckpoint(
      paramsOnly, "p.npz",
      modelTensors(fresh.manifest(), fresh.params(), fresh.state(), false));
  EXPECT_TRUE(sameBits(fresh.params()[0], straight.params()[0]));
  EXPECT_NE(errorOf([&] {
              deserializeCheckpoint(paramsOnly, "p.npz",
                                    modelTensors(fresh.manifest(),
                                                 fresh.params(), fresh.state(),
                                                 true));
            }).find("p.npz: checkpoint has no array 'w.momentum'"),
            std::string::npos);
}

// Entry points are looked up by name; a missing one is named, and a table
// entry the manifest does not describe is refused.
TEST_F(ModelTest, EntryPointLookup) {
  std::string text = fake::linearManifest("f64", 4);
  dlnrt_model_abi abi = fake::linearAbi(true, text.c_str());
  Model full(abi, defaultAllocator());
  EXPECT_EQ(
      full.entryPointNames(),
      (std::vector<std::string>{"train_step", "eval_step", "loss_and_grad"}));
  full.requireEntryPoints({"train_step", "eval_step", "loss_and_grad"});

  dlnrt_model_abi two = abi;
  two.num_entry_points = 2; // no loss_and_grad
  Model partial(two, defaultAllocator());
  EXPECT_FALSE(partial.hasEntryPoint("loss_and_grad"));
  EXPECT_NE(errorOf([&] {
              partial.requireEntryPoints({"train_step", "loss_and_grad"});
            }).find("model has no entry point 'loss_and_grad'"),
            std::string::npos);
  std::vector<Tensor> grads = partial.makeGradBuffers();
  Tensor x = partial.makeBatchX(), y = partial.makeBatchY();
  EXPECT_NE(errorOf([&] {
              partial.lossAndGrad(x, y, grads);
            }).find("no entry point 'loss_and_grad'"),
            std::string::npos);

  json undescribed = json::parse(text);
  undescribed["entry_points"].erase(1);
  std::string u = undescribed.dump();
  dlnrt_model_abi uabi = fake::linearAbi(true, u.c_str());
  EXPECT_NE(errorOf([&] { Model m(uabi, defaultAllocator()); })
                .find("entry point 'eval_step' is not described in the "
                      "manifest's entry_points"),
            std::string::npos);

  dlnrt_entry_point dup[] = {abi.entry_points[0], abi.entry_points[0]};
  dlnrt_model_abi dabi = {text.c_str(), 2, dup};
  EXPECT_NE(errorOf([&] {
              Model m(dabi, defaultAllocator());
            }).find("entry point 'train_step' twice"),
            std::string::npos);
}

// Arguments the runtime cannot bind are errors naming the entry point, the
// argument's position, role and name; nothing is called.
TEST_F(ModelTest, UnbindableArgumentsAreErrors) {
  json j = fake::linearManifestJson("f64", 4);
  j["entry_points"][0]["args"][4]["name"] = "beta"; // hyper lr -> beta
  std::string hyper = j.dump();
  Model m(fake::linearAbi(true, hyper.c_str()), defaultAllocator());
  Tensor x = m.makeBatchX(), y = m.makeBatchY();
  EXPECT_NE(errorOf([&] { m.trainStep(x, y, 0.1); })
                .find("entry point 'train_step' argument 4 (hyper 'beta'): "
                      "unknown hyper-parameter"),
            std::string::npos);

  // The rng key is (seed, step) as two i64: another layout is refused.
  j = fake::linearManifestJson("f64", 4);
  j["entry_points"][1]["args"][0] = {{"role", "rng"},
                                     {"name", "key"},
                                     {"dtype", "i32"},
                                     {"shape", {2}},
                                     {"access", "read"}};
  std::string rng = j.dump();
  EXPECT_NE(errorOf([&] {
              Model r(fake::linearAbi(true, rng.c_str()), defaultAllocator());
            }).find("expected i64, got i32"),
            std::string::npos);
  Tensor losses = m.makeBatchLosses(), outputs = m.makeBatchOutputs();

  // eval_step has no lr to give: a hyper argument there is unbound.
  j = fake::linearManifestJson("f64", 4);
  j["entry_points"][1]["args"][4] = {{"role", "hyper"},
                                     {"name", "lr"},
                                     {"dtype", "f64"},
                                     {"shape", json::array()},
                                     {"access", "read"}};
  std::string evalLr = j.dump();
  Model e(fake::linearAbi(true, evalLr.c_str()), defaultAllocator());
  EXPECT_NE(
      errorOf([&] { e.evalStep(x, y, losses, outputs); })
          .find("eval_step' argument 4 (hyper 'lr'): the runtime has nothing "
                "to bind it to in this call"),
      std::string::npos);
}
