//===- TrainLoopTest.cpp - Train loop and gradcheck, fake model -----------===//
#include "TrainLoop.h"
#include "Error.h"
#include "Evaluate.h"
#include "FakeModel.h"
#include "GradCheck.h"
#include "Init.h"
#include "Rng.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <sstream>

using namespace dlnrt;

namespace {

/// n samples of y = 2 x0 - x1 + 0.5 x2 + 0.3 with x ~ U(-1, 1).
Dataset linearData(int64_t n, DType dtype, uint64_t seed) {
  Rng rng(seed, 77);
  Dataset ds;
  ds.source = "synthetic";
  ds.count = n;
  ds.x = Tensor(dtype, {n, 3}, defaultAllocator());
  ds.y = Tensor(dtype, {n, 1}, defaultAllocator());
  for (int64_t i = 0; i < n; ++i) {
    double x[3];
    for (double &v : x)
      v = rng.uniform(-1, 1);
    for (int j = 0; j < 3; ++j)
      ds.x.set(3 * i + j, x[j]);
    ds.y.set(i, 2 * x[0] - x[1] + 0.5 * x[2] + 0.3);
  }
  return ds;
}

class TrainLoopTest : public ::testing::Test {
protected:
  void SetUp() override { fake::resetAbiViolations(); }
  // Every descriptor the runtime passed must have been well formed.
  void TearDown() override { EXPECT_EQ(fake::abiViolations(), 0); }
};

} // namespace

// Training the fake linear regression drives the loss towards zero and the
// params towards the generating weights; test metrics are reported on every
// logged epoch.
TEST_F(TrainLoopTest, LossDecreasesAndParamsConverge) {
  std::string manifest = fake::linearManifest("f64", 8);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  Model model(abi, defaultAllocator());
  initParams(model.params(), model.manifest().params, 5);
  Dataset train = linearData(100, DType::F64, 1),
          test = linearData(30, DType::F64, 2);
  double initialLoss = evaluate(model, train).meanLoss;

  std::ostringstream log;
  TrainOptions opts;
  opts.epochs = 40;
  opts.seed = 5;
  opts.lr = 0.1;
  opts.logEvery = 10;
  opts.log = &log;
  Metrics m = trainModel(model, train, &test, opts);

  ASSERT_TRUE(m.trainLoss && m.testLoss);
  EXPECT_FALSE(m.testAccuracy); // a regression: no thresholded accuracy
  EXPECT_LT(*m.trainLoss, initialLoss / 100);
  EXPECT_LT(*m.testLoss, 1e-3);
  EXPECT_EQ(*m.epochs, 40);
  EXPECT_GT(*m.samplesPerSecond, 0);
  EXPECT_NEAR(model.params()[0].get(0), 2.0, 0.05);
  EXPECT_NEAR(model.params()[0].get(1), -1.0, 0.05);
  EXPECT_NEAR(model.params()[1].get(0), 0.3, 0.05);
  // log_every 10 over 40 epochs: epochs 10, 20, 30, 40.
  std::string text = log.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  EXPECT_NE(text.find("epoch  10/40  train_loss "), std::string::npos) << text;
  EXPECT_NE(text.find("test_loss "), std::string::npos);
  EXPECT_EQ(text.find("test_acc"), std::string::npos);
  EXPECT_NE(text.find(" samples/s"), std::string::npos);
}

// Same seeds give bit-identical training; the per-epoch shuffle depends on the
// seed.
TEST_F(TrainLoopTest, TrainingIsDeterministic) {
  std::string manifest = fake::linearManifest("f32", 4);
  dlnrt_model_abi abi = fake::linearAbi(false, manifest.c_str());
  Dataset train = linearData(21, DType::F32, 3);
  auto run = [&](uint64_t seed) {
    Model model(abi, defaultAllocator());
    initParams(model.params(), model.manifest().params, 1);
    TrainOptions opts;
    opts.epochs = 3;
    opts.seed = seed;
    opts.lr = 0.05;
    trainModel(model, train, nullptr, opts);
    return std::vector<float>(model.params()[0].as<float>(),
                              model.params()[0].as<float>() + 3);
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

// A training set smaller than one batch trains as one smaller batch, as a
// PyTorch DataLoader would; with drop_last that leaves nothing, an error.
TEST_F(TrainLoopTest, DatasetSmallerThanBatch) {
  std::string manifest = fake::linearManifest("f64", 16);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  Model model(abi, defaultAllocator());
  Dataset train = linearData(10, DType::F64, 1);
  TrainCounters done;
  trainModel(model, train, nullptr, TrainOptions(), &done);
  EXPECT_EQ(done.step, 1);
  TrainOptions dropLast;
  dropLast.dropLast = true;
  try {
    trainModel(model, train, nullptr, dropLast);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "training set has 10 samples, fewer than one batch of 16"),
              std::string::npos)
        << e.what();
  }
}

// `batch = all` takes the whole training split in one step per epoch,
// whatever its size (the compiled code takes any batch).
TEST_F(TrainLoopTest, BatchAllTakesTheWholeSplit) {
  std::string manifest = fake::linearManifest(
      "f64", 4, {{"train", {{"batch_covers_dataset", true}}}});
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  Model model(abi, defaultAllocator());
  ASSERT_TRUE(model.manifest().batchCoversDataset);
  TrainOptions opts;
  opts.epochs = 2;
  for (int64_t n : {8, 3, 4}) {
    TrainCounters done;
    trainModel(model, linearData(n, DType::F64, 1), nullptr, opts, &done);
    EXPECT_EQ(done.step, 2) << n << " samples";
  }
}

// A parameter that overflows to inf stops training even though the step's
// loss (computed before the update) is finite. Scanning after every step names
// that step, counted across a resume; by default the next step's loss shows it.
TEST_F(TrainLoopTest, StopsWhenAParamOverflows) {
  std::string manifest = fake::linearManifest("f64", 2);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  // x = 0, y = 1e100 and zero params: loss 1e200, d loss / d b = -2e100, so
  // lr 1e300 sends b to inf while w stays 0.
  Dataset train = linearData(4, DType::F64, 1);
  for (int64_t i = 0; i < train.count; ++i) {
    for (int j = 0; j < 3; ++j)
      train.x.set(3 * i + j, 0);
    train.y.set(i, 1e100);
  }
  auto errorOf = [&](int64_t scanEvery) {
    Model model(abi, defaultAllocator());
    TrainOptions opts;
    opts.epochs = 3;
    opts.lr = 1e300;
    opts.scanEvery = scanEvery;
    TrainCounters progress; // resumed after epoch 1 (2 steps)
    progress.epoch = 1;
    progress.step = 2;
    try {
      trainModel(model, train, nullptr, opts, &progress);
      ADD_FAILURE() << "expected an error";
    } catch (const Error &e) {
      EXPECT_EQ(e.code(), DLNRT_DATA_ERROR);
      // The counters a save would record have not moved.
      EXPECT_EQ(progress.epoch, 1);
      EXPECT_EQ(progress.step, 2);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(errorOf(1), "training diverged at epoch 2, step 3: parameter 'b' "
                        "holds a non-finite value (inf at index [0]); nothing "
                        "saved, existing checkpoints are kept");
  std::string err = errorOf(16);
  EXPECT_EQ(err.rfind("training diverged at epoch 2, step 4: loss is inf and "
                      "parameter '",
                      0),
            0u)
      << err;
}

namespace {
// A train_step that reports loss 0.5 and writes nan into w[1] on call
// poisonAt: a param gone bad that the loss never shows. Entry points take no
// user data, hence the file-level counters (test code only).
int poisonAt = 0, trainCalls = 0;
void poisoningTrainStep(void **args) {
  // Arguments: w, b, x, y, lr, loss; descriptor word 1 is the aligned pointer.
  auto data = [&](int i) {
    return reinterpret_cast<double *>(static_cast<int64_t *>(args[i])[1]);
  };
  *data(5) = 0.5;
  if (++trainCalls == poisonAt)
    data(0)[1] = NAN;
}
} // namespace

// Params are scanned every scanEvery steps and after each epoch's last step;
// a param found bad by a scan is reported with the steps since the last clean
// one, and a non-finite start is refused before any step.
TEST_F(TrainLoopTest, ScansParamsEveryFewStepsAndAtEpochEnd) {
  std::string manifest = fake::linearManifest("f64", 2);
  dlnrt_model_abi fakeAbi = fake::linearAbi(true, manifest.c_str());
  std::vector<dlnrt_entry_point> table(
      fakeAbi.entry_points, fakeAbi.entry_points + fakeAbi.num_entry_points);
  for (dlnrt_entry_point &e : table)
    if (std::string(e.name) == "train_step")
      e.fn = poisoningTrainStep;
  dlnrt_model_abi abi = fakeAbi;
  abi.entry_points = table.data();
  Dataset train = linearData(40, DType::F64, 1); // 20 steps an epoch
  struct Case {
    int poisonAt;
    std::string expect;
  } cases[] = {
      {3, "at epoch 1, between steps 1 and 16: parameter 'w' holds a "
          "non-finite value (nan at index [1, 0])"},
      {18, "at epoch 1, between steps 17 and 20: parameter 'w'"},
      {21, "at epoch 2, between steps 21 and 32: parameter 'w'"},
      {37, "at epoch 2, between steps 33 and 40: parameter 'w'"},
  };
  for (const Case &c : cases) {
    Model model(abi, defaultAllocator());
    poisonAt = c.poisonAt;
    trainCalls = 0;
    TrainOptions opts;
    opts.epochs = 2;
    try {
      trainModel(model, train, nullptr, opts);
      ADD_FAILURE() << "expected an error for call " << c.poisonAt;
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find("training diverged " + c.expect),
                std::string::npos)
          << e.what();
    }
  }
  Model model(abi, defaultAllocator());
  model.params()[1].set(0, -HUGE_VAL);
  trainCalls = 0;
  try {
    trainModel(model, train, nullptr, TrainOptions());
    ADD_FAILURE() << "expected an error";
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot train: parameter 'b' holds a non-finite value (-inf at "
              "index [0]) before the first step");
  }
  EXPECT_EQ(trainCalls, 0);
}

// Correct f64 gradients agree with central differences to ~1e-9.
TEST_F(TrainLoopTest, GradCheckPassesInF64) {
  std::string manifest = fake::linearManifest("f64", 8);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  Model model(abi, defaultAllocator());
  GradCheckOptions opts;
  opts.seed = 3;
  GradCheckResult r = gradCheck(model, opts);
  EXPECT_TRUE(r.pass);
  EXPECT_LT(r.maxRelErr, 1e-7);
  EXPECT_DOUBLE_EQ(r.eps, 1e-4);
  EXPECT_DOUBLE_EQ(r.tol, 1e-6);
  ASSERT_EQ(r.params.size(), 2u);
  EXPECT_EQ(r.params[0].name, "w");
  EXPECT_EQ(r.params[0].coords,
            3); // fewer elements than --samples: all of them
  EXPECT_EQ(r.params[1].coords, 1);
}

// f32 uses the looser defaults and still passes.
TEST_F(TrainLoopTest, GradCheckPassesInF32) {
  std::string manifest = fake::linearManifest("f32", 8);
  dlnrt_model_abi abi = fake::linearAbi(false, manifest.c_str());
  Model model(abi, defaultAllocator());
  GradCheckResult r = gradCheck(model, GradCheckOptions());
  EXPECT_DOUBLE_EQ(r.eps, 1e-2);
  EXPECT_DOUBLE_EQ(r.tol, 1e-3);
  EXPECT_TRUE(r.pass) << r.maxRelErr;
}

// A wrong gradient is caught.
TEST_F(TrainLoopTest, GradCheckFailsOnWrongGradient) {
  std::string manifest = fake::linearManifest("f64", 8);
  dlnrt_model_abi abi =
      fake::linearAbi(true, manifest.c_str(), /*wrongGradient=*/true);
  Model model(abi, defaultAllocator());
  GradCheckResult r = gradCheck(model, GradCheckOptions());
  EXPECT_FALSE(r.pass);
  EXPECT_GT(r.params[0].maxRelErr, 0.1);
  EXPECT_LT(r.params[1].maxRelErr, 1e-7);
}

// Training 2 epochs, checkpointing, and resuming into a fresh model for the
// remaining 3 gives the same bits as 5 epochs in one go.
TEST_F(TrainLoopTest, ResumeFromCheckpointIsBitIdentical) {
  std::string manifest = fake::linearManifest("f32", 4);
  dlnrt_model_abi abi = fake::linearAbi(false, manifest.c_str());
  Dataset train = linearData(22, DType::F32, 4);
  TrainOptions opts;
  opts.epochs = 5;
  opts.seed = 9;
  opts.lr = 0.05;

  Model straight(abi, defaultAllocator());
  initParams(straight.params(), straight.manifest().params, 1);
  TrainCounters all;
  trainModel(straight, train, nullptr, opts, &all);
  EXPECT_EQ(all.epoch, 5);
  EXPECT_EQ(all.step, 5 * 6); // 5 batches of 4 and one of 2 per epoch
  EXPECT_EQ(all.seed, 9u);

  Model first(abi, defaultAllocator());
  initParams(first.params(), first.manifest().params, 1);
  TrainOptions partial = opts;
  partial.epochs = 2;
  TrainCounters saved;
  trainModel(first, train, nullptr, partial, &saved);
  std::string bytes = serializeCheckpoint(
      paramTensors(first.manifest(), first.params()), saved);

  Model resumed(abi, defaultAllocator());
  std::optional<TrainCounters> progress = deserializeCheckpoint(
      bytes, "mid.npz", paramTensors(resumed.manifest(), resumed.params()));
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->epoch, 2);
  trainModel(resumed, train, nullptr, opts, &*progress);
  EXPECT_EQ(progress->epoch, all.epoch);
  EXPECT_EQ(progress->step, all.step);
  for (size_t i = 0; i < straight.params().size(); ++i)
    EXPECT_EQ(std::memcmp(straight.params()[i].data(),
                          resumed.params()[i].data(),
                          straight.params()[i].bytes()),
              0)
        << straight.manifest().params[i].name;
  // The bits differ from the 2-epoch model, so the comparison means something.
  EXPECT_NE(std::memcmp(straight.params()[0].data(), first.params()[0].data(),
                        first.params()[0].bytes()),
            0);
}
