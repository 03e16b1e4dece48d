//===- CApiTest.cpp - The embedding C API (dlnrt.h) -----------------------===//
#include "FakeModel.h"
#include "TempDir.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

namespace {

struct CountingAllocator {
  int live = 0, total = 0;
  static void *alloc(void *user, size_t bytes, size_t alignment) {
    auto *self = static_cast<CountingAllocator *>(user);
    ++self->live;
    ++self->total;
    return std::aligned_alloc(alignment, bytes);
  }
  static void release(void *user, void *ptr) {
    --static_cast<CountingAllocator *>(user)->live;
    std::free(ptr);
  }
};

} // namespace

// Create, inspect, init, forward on a non-multiple of the batch, save, load,
// destroy.
TEST(CApi, ModelLifecycle) {
  std::string manifest = fake::linearManifest("f64", 4);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  CountingAllocator counter;
  dlnrt_allocator allocator{&counter, CountingAllocator::alloc,
                            CountingAllocator::release};
  dlnrt_model *model = nullptr;
  ASSERT_EQ(dlnrt_model_create(&abi, &allocator, &model), nullptr);
  ASSERT_NE(model, nullptr);
  EXPECT_GT(counter.live, 0);

  dlnrt_model_info info;
  ASSERT_EQ(dlnrt_model_get_info(model, &info), nullptr);
  EXPECT_STREQ(info.name, "linreg");
  EXPECT_EQ(info.dtype, DLNRT_F64);
  EXPECT_EQ(info.batch_size, 4);
  EXPECT_EQ(info.input_size, 3);
  EXPECT_EQ(info.output_size, 1);
  EXPECT_EQ(info.label_kind, DLNRT_LABEL_REAL);
  EXPECT_EQ(info.param_count, 2u);
  int64_t entries = 0;
  const char *entryName = nullptr;
  ASSERT_EQ(dlnrt_model_num_entry_points(model, &entries), nullptr);
  EXPECT_EQ(entries, 3);
  ASSERT_EQ(dlnrt_model_entry_point_name(model, 2, &entryName), nullptr);
  EXPECT_STREQ(entryName, "loss_and_grad");
  EXPECT_EQ(entryName, abi.entry_points[2].name); // borrowed, not copied
  dlnrt_status bad = dlnrt_model_entry_point_name(model, 3, &entryName);
  EXPECT_EQ(dlnrt_status_get_code(bad), DLNRT_INVALID_ARGUMENT);
  dlnrt_status_free(bad);

  dlnrt_param_info w, b;
  ASSERT_EQ(dlnrt_model_get_param(model, 0, &w), nullptr);
  ASSERT_EQ(dlnrt_model_get_param(model, 1, &b), nullptr);
  EXPECT_STREQ(w.name, "w");
  EXPECT_EQ(w.rank, 2);
  EXPECT_EQ(w.dims[0], 3);
  EXPECT_EQ(w.num_elements, 3);
  ASSERT_EQ(dlnrt_model_init_params(model, 9), nullptr);
  EXPECT_NE(static_cast<double *>(w.data)[0], 0.0);

  // Set weights directly through the borrowed pointers, then forward 6 samples
  // (batch 4).
  double *wd = static_cast<double *>(w.data);
  wd[0] = 1, wd[1] = 2, wd[2] = 3;
  static_cast<double *>(b.data)[0] = 0.5;
  double x[6 * 3], y[6], out[6], losses[6];
  for (int i = 0; i < 18; ++i)
    x[i] = i * 0.1;
  for (int i = 0; i < 6; ++i)
    y[i] = i;
  ASSERT_EQ(dlnrt_model_forward(model, 6, x, y, out, losses), nullptr);
  for (int i = 0; i < 6; ++i) {
    double pred = x[3 * i] + 2 * x[3 * i + 1] + 3 * x[3 * i + 2] + 0.5;
    EXPECT_NEAR(out[i], pred, 1e-12);
    EXPECT_NEAR(losses[i], (pred - y[i]) * (pred - y[i]), 1e-12);
  }
  ASSERT_EQ(dlnrt_model_forward(model, 6, x, nullptr, out, nullptr), nullptr);

  double loss = 0;
  ASSERT_EQ(dlnrt_model_train_batch(model, 4, x, y, 0.01, &loss), nullptr);
  EXPECT_GT(loss, 0);
  EXPECT_NE(wd[0], 1.0);

  TempDir dir;
  std::string path = dir.file("c.params");
  ASSERT_EQ(dlnrt_model_save(model, path.c_str()), nullptr);
  double saved0 = wd[0];
  ASSERT_EQ(dlnrt_model_init_params(model, 1), nullptr);
  ASSERT_EQ(dlnrt_model_load(model, path.c_str()), nullptr);
  EXPECT_EQ(wd[0], saved0);

  dlnrt_model_destroy(model);
  EXPECT_EQ(counter.live,
            0); // every tensor went back through the caller's allocator
}

// Errors come back as owned status objects with a code and message; nothing
// throws or aborts.
TEST(CApi, StatusReporting) {
  EXPECT_EQ(dlnrt_status_get_code(nullptr), DLNRT_OK);
  EXPECT_STREQ(dlnrt_status_message(nullptr), "");
  dlnrt_status_free(nullptr);

  std::string f16 = fake::linearManifest("f64", 4, {{"dtype", "f16"}});
  dlnrt_model_abi broken = fake::linearAbi(true, f16.c_str());
  dlnrt_model *model = reinterpret_cast<dlnrt_model *>(0x1);
  dlnrt_status s = dlnrt_model_create(&broken, nullptr, &model);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(dlnrt_status_get_code(s), DLNRT_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dlnrt_status_message(s))
                .find("manifest: $.dtype: unknown value 'f16'"),
            std::string::npos);
  dlnrt_status_free(s);

  s = dlnrt_model_create(nullptr, nullptr, &model);
  EXPECT_EQ(dlnrt_status_get_code(s), DLNRT_INVALID_ARGUMENT);
  dlnrt_status_free(s);

  std::string manifest = fake::linearManifest("f32", 2);
  dlnrt_model_abi abi = fake::linearAbi(false, manifest.c_str());
  ASSERT_EQ(dlnrt_model_create(&abi, nullptr, &model), nullptr);
  dlnrt_param_info p;
  s = dlnrt_model_get_param(model, 5, &p);
  EXPECT_EQ(dlnrt_status_get_code(s), DLNRT_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dlnrt_status_message(s)).find("index 5 out of range"),
            std::string::npos);
  dlnrt_status_free(s);
  s = dlnrt_model_load(model, "/nonexistent/file.params");
  EXPECT_EQ(dlnrt_status_get_code(s), DLNRT_IO_ERROR);
  dlnrt_status_free(s);
  float x[3] = {1, 2, 3}, out[1];
  s = dlnrt_model_forward(model, 1, x, nullptr, out, out);
  EXPECT_NE(
      std::string(dlnrt_status_message(s)).find("out_losses requires labels"),
      std::string::npos);
  dlnrt_status_free(s);
  dlnrt_model_destroy(model);
  dlnrt_model_destroy(nullptr);
}

namespace {

/// The status message of `s` (freed), or "" for success.
std::string takeMessage(dlnrt_status s, dlnrt_status_code expect) {
  EXPECT_EQ(dlnrt_status_get_code(s), expect);
  std::string message = dlnrt_status_message(s);
  dlnrt_status_free(s);
  return message;
}

} // namespace

// Class ids outside [0, C) never reach the compiled code: train_batch and
// forward (when labels are given) refuse them; valid ids get past the check.
TEST(CApi, RejectsClassLabelsOutOfRange) {
  std::string manifest = fake::bareManifest(
      "f32", 2, 3, R"({"name": "y", "kind": "class", "classes": 3})", 3);
  dlnrt_model_abi abi{manifest.c_str(), 0, nullptr};
  dlnrt_model *model = nullptr;
  ASSERT_EQ(dlnrt_model_create(&abi, nullptr, &model), nullptr);
  float x[2 * 3] = {0}, out[2 * 3], losses[2];
  double loss = 0;
  for (int32_t bad : {3, -1, 1000}) {
    int32_t y[2] = {0, bad};
    const std::string want =
        "label " + std::to_string(bad) + " of sample 1 is outside [0, 3)";
    std::string msg =
        takeMessage(dlnrt_model_train_batch(model, 2, x, y, 0.1, &loss),
                    DLNRT_INVALID_ARGUMENT);
    EXPECT_NE(msg.find("dlnrt_model_train_batch: " + want), std::string::npos)
        << msg;
    msg = takeMessage(dlnrt_model_forward(model, 2, x, y, out, losses),
                      DLNRT_INVALID_ARGUMENT);
    EXPECT_NE(msg.find("dlnrt_model_forward: " + want), std::string::npos)
        << msg;
  }
  // In range: the call gets as far as the (absent) compiled entry points.
  int32_t y[2] = {0, 2};
  EXPECT_NE(takeMessage(dlnrt_model_train_batch(model, 2, x, y, 0.1, &loss),
                        DLNRT_INVALID_ARGUMENT)
                .find("no entry point 'train_step'"),
            std::string::npos);
  EXPECT_NE(takeMessage(dlnrt_model_forward(model, 2, x, y, out, losses),
                        DLNRT_INVALID_ARGUMENT)
                .find("no entry point 'eval_step'"),
            std::string::npos);
  dlnrt_model_destroy(model);
}

// A non-finite or non-positive learning rate and NULL data pointers are
// argument errors that leave the parameters untouched.
TEST(CApi, RejectsBadLearningRateAndNullData) {
  std::string manifest = fake::linearManifest("f64", 2);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  dlnrt_model *model = nullptr;
  ASSERT_EQ(dlnrt_model_create(&abi, nullptr, &model), nullptr);
  ASSERT_EQ(dlnrt_model_init_params(model, 3), nullptr);
  dlnrt_param_info w;
  ASSERT_EQ(dlnrt_model_get_param(model, 0, &w), nullptr);
  const double w0 = static_cast<double *>(w.data)[0];
  double x[2 * 3] = {1, 2, 3, 4, 5, 6}, y[2] = {1, 2}, out[2], loss = 0;
  const double inf = HUGE_VAL;
  for (double lr : {0.0, -0.1, std::nan(""), inf, -inf}) {
    std::string msg =
        takeMessage(dlnrt_model_train_batch(model, 2, x, y, lr, &loss),
                    DLNRT_INVALID_ARGUMENT);
    EXPECT_NE(msg.find("lr must be a positive finite number"),
              std::string::npos)
        << lr << ": " << msg;
  }
  takeMessage(dlnrt_model_train_batch(model, 2, nullptr, y, 0.1, &loss),
              DLNRT_INVALID_ARGUMENT);
  takeMessage(dlnrt_model_train_batch(model, 2, x, nullptr, 0.1, &loss),
              DLNRT_INVALID_ARGUMENT);
  takeMessage(dlnrt_model_train_batch(model, 2, x, y, 0.1, nullptr),
              DLNRT_INVALID_ARGUMENT);
  takeMessage(dlnrt_model_train_batch(nullptr, 2, x, y, 0.1, &loss),
              DLNRT_INVALID_ARGUMENT);
  EXPECT_EQ(static_cast<double *>(w.data)[0], w0);

  takeMessage(dlnrt_model_forward(model, 2, nullptr, y, out, nullptr),
              DLNRT_INVALID_ARGUMENT);
  takeMessage(dlnrt_model_forward(model, 2, x, y, nullptr, nullptr),
              DLNRT_INVALID_ARGUMENT);
  takeMessage(dlnrt_model_forward(nullptr, 2, x, y, out, nullptr),
              DLNRT_INVALID_ARGUMENT);
  takeMessage(dlnrt_model_forward(model, -1, x, y, out, nullptr),
              DLNRT_INVALID_ARGUMENT);
  // Zero samples need no buffers.
  EXPECT_EQ(dlnrt_model_forward(model, 0, nullptr, nullptr, nullptr, nullptr),
            nullptr);
  ASSERT_EQ(dlnrt_model_train_batch(model, 2, x, y, 0.01, &loss), nullptr);
  EXPECT_NE(static_cast<double *>(w.data)[0], w0);
  dlnrt_model_destroy(model);
}

// A step that leaves a param non-finite is a data error naming it, even
// though the step's loss is finite; the loss is still reported.
TEST(CApi, TrainBatchReportsDivergence) {
  std::string manifest = fake::linearManifest("f64", 2);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  dlnrt_model *model = nullptr;
  ASSERT_EQ(dlnrt_model_create(&abi, nullptr, &model), nullptr);
  // Zero params, x = 0, y = 1e100: loss 1e200, and lr 1e300 sends b to inf.
  double x[2 * 3] = {0, 0, 0, 0, 0, 0}, y[2] = {1e100, 1e100}, loss = 0;
  std::string msg = takeMessage(
      dlnrt_model_train_batch(model, 2, x, y, 1e300, &loss), DLNRT_DATA_ERROR);
  EXPECT_EQ(msg, "dlnrt_model_train_batch: training diverged: parameter 'b' "
                 "holds a non-finite value (inf at index [0]); the params are "
                 "no longer usable, load the last good checkpoint");
  EXPECT_EQ(loss, 1e200);
  // An embedder that ignores the error still cannot save the diverged params
  // over a good checkpoint.
  TempDir dir;
  std::string path = dir.path() + "/good.npz";
  msg = takeMessage(dlnrt_model_save(model, path.c_str()), DLNRT_DATA_ERROR);
  EXPECT_NE(msg.find("parameter 'b' holds a non-finite value"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("nothing saved"), std::string::npos) << msg;
  EXPECT_FALSE(std::ifstream(path).good());
  dlnrt_model_destroy(model);
}

// A model trained by step blocks: train_batch refuses it and names the
// steps; train_step runs one by name with its own compiled rate; info
// counts the steps and the input kind is reported.
TEST(CApi, StepBlocks) {
  nlohmann::json m = fake::linearManifestJson("f64", 4);
  m["entry_points"][0]["name"] = "train_step.step.fit";
  for (auto &a : m["entry_points"][0]["args"])
    if (a["role"] == "hyper")
      a["name"] = "fit.lr";
  m["train"]["steps"] = nlohmann::json::parse(R"([{"name": "fit",
      "entry_point": "train_step.step.fit", "every": 1,
      "optimizer_groups": [{"lr_name": "fit.lr",
                            "optimizer": {"kind": "sgd", "lr": 0.05},
                            "params": ["w", "b"]}]}])");
  m["train"]["step_order"] = nlohmann::json::parse(R"(["fit"])");
  std::string manifest = m.dump();
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  dlnrt_entry_point entries[3] = {abi.entry_points[0], abi.entry_points[1],
                                  abi.entry_points[2]};
  entries[0].name = "train_step.step.fit";
  abi.entry_points = entries;
  dlnrt_model *model = nullptr;
  ASSERT_EQ(dlnrt_model_create(&abi, nullptr, &model), nullptr);
  dlnrt_model_info info;
  ASSERT_EQ(dlnrt_model_get_info(model, &info), nullptr);
  EXPECT_EQ(info.step_count, 1u);
  EXPECT_EQ(info.input_kind, DLNRT_LABEL_REAL);
  EXPECT_EQ(info.input_classes, 0);
  const char *name = nullptr;
  ASSERT_EQ(dlnrt_model_step_name(model, 0, &name), nullptr);
  EXPECT_STREQ(name, "fit");
  ASSERT_EQ(dlnrt_model_init_params(model, 3), nullptr);

  double x[4 * 3], y[4], first = 0, loss = 0;
  for (int i = 0; i < 12; ++i)
    x[i] = 0.1 * i;
  for (int i = 0; i < 4; ++i)
    y[i] = 1.0 - 0.5 * i;
  std::string msg =
      takeMessage(dlnrt_model_train_batch(model, 4, x, y, 0.1, &loss),
                  DLNRT_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("trains by step blocks (fit): call dlnrt_model_train_step"),
            std::string::npos)
      << msg;
  ASSERT_EQ(dlnrt_model_train_step(model, "fit", 4, x, y, &first), nullptr);
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(dlnrt_model_train_step(model, "fit", 4, x, y, &loss), nullptr);
  EXPECT_LT(loss, first);
  msg = takeMessage(dlnrt_model_train_step(model, "gen", 4, x, y, &loss),
                    DLNRT_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("no step block 'gen' (it has fit)"), std::string::npos)
      << msg;
  dlnrt_model_destroy(model);
}
