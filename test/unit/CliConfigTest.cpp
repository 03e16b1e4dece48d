//===- CliConfigTest.cpp - Named training configurations, end to end ------===//
//
// The fake linear model under two configurations: "full" (batch 8, SGD with
// momentum state, the plain entry points) and "mini" (batch 2, plain SGD, the
// entry points "*.mini"). The fake's functions take their batch from the
// descriptors, so the same code serves both.
//
//===----------------------------------------------------------------------===//
#include "CliRun.h"
#include "FakeModel.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <sstream>

using json = nlohmann::json;

namespace {

json tableRows(int n, int offset) {
  json rows = json::array();
  for (int i = 0; i < n; ++i) {
    double x0 = ((i * 7 + offset) % 11) / 11.0 - 0.5,
           x1 = ((i * 5 + offset) % 13) / 13.0 - 0.5;
    rows.push_back({x0, x1, 0.25, x0 - 2 * x1 + 0.5});
  }
  return rows;
}

class CliConfigTest : public ::testing::Test {
protected:
  void SetUp() override {
    fake::Layout momentum;
    momentum.momentum = true;
    json m = fake::linearManifestJson("f64", 8, momentum);
    json mini = fake::linearManifestJson("f64", 2);
    for (json &e : mini["entry_points"]) {
      e["name"] = e["name"].get<std::string>() + ".mini";
      m["entry_points"].push_back(e);
    }
    m["configs"] = {{{"name", "full"},
                     {"batch", 8},
                     {"epochs", 3},
                     {"seed", 5},
                     {"optimizer", m["train"]["optimizer"]},
                     {"state", m["state"]}},
                    {{"name", "mini"},
                     {"batch", 2},
                     {"epochs", 4},
                     {"seed", 1},
                     {"log_every", 2},
                     {"optimizer", {{"kind", "sgd"}, {"lr", 0.1}}},
                     {"entry_points",
                      {{"train_step", "train_step.mini"},
                       {"eval_step", "eval_step.mini"},
                       {"loss_and_grad", "loss_and_grad.mini"}}}}};
    m["data"] = {
        {"train",
         {{"kind", "table"}, {"columns", 4}, {"rows", tableRows(40, 0)}}},
        {"test",
         {{"kind", "table"}, {"columns", 4}, {"rows", tableRows(10, 3)}}}};
    manifest = m.dump();
    const dlnrt_entry_point *withState =
        fake::linearAbi(true, manifest.c_str(), false, momentum).entry_points;
    const dlnrt_entry_point *plain =
        fake::linearAbi(true, manifest.c_str()).entry_points;
    entries = {withState[0],
               withState[1],
               withState[2],
               {"train_step.mini", plain[0].fn},
               {"eval_step.mini", plain[1].fn},
               {"loss_and_grad.mini", plain[2].fn}};
    abi = {manifest.c_str(), static_cast<int64_t>(entries.size()),
           entries.data()};
    argv0 = dir.file("model");
    fake::resetAbiViolations();
  }
  void TearDown() override { EXPECT_EQ(fake::abiViolations(), 0); }
  TempDir dir;
  std::string manifest, argv0;
  std::vector<dlnrt_entry_point> entries;
  dlnrt_model_abi abi;
};

} // namespace

// The default is the first configuration; --config picks another, whose
// batch, epochs, logging and entry points are used; both name themselves.
TEST_F(CliConfigTest, TrainsTheSelectedConfiguration) {
  CliRun d =
      runCli(abi, argv0, {"train", "--metrics-json", dir.file("d.json")});
  ASSERT_EQ(d.rc, 0) << d.err;
  EXPECT_EQ(d.out.rfind("configuration: full\nmodel linreg: 40 train / 10 "
                        "test samples, batch 8, 3 epochs, lr 0.05\n",
                        0),
            0u)
      << d.out;
  EXPECT_EQ(readAll(dir.file("d.json")).rfind("{\"config\":\"full\",", 0), 0u);

  CliRun r = runCli(abi, argv0,
                    {"train", "--config", "mini", "--save", dir.file("m.npz"),
                     "--metrics-json", dir.file("m.json")});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("configuration: mini\nmodel linreg: 40 train / 10 "
                        "test samples, batch 2, 4 epochs, lr 0.1\n",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("epoch   2/4"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("epoch   1/4"), std::string::npos) << r.out;
  std::string metrics = readAll(dir.file("m.json"));
  EXPECT_EQ(metrics.rfind("{\"config\":\"mini\",", 0), 0u) << metrics;
  EXPECT_NE(metrics.find("\"epochs\":4"), std::string::npos) << metrics;

  // eval and gradcheck run the configuration's entry points too.
  CliRun e = runCli(abi, argv0,
                    {"eval", "--config", "mini", "--load", dir.file("m.npz"),
                     "--metrics-json", dir.file("e.json")});
  ASSERT_EQ(e.rc, 0) << e.err;
  EXPECT_EQ(readAll(dir.file("e.json")).rfind("{\"config\":\"mini\",", 0), 0u);
  CliRun g = runCli(abi, argv0, {"gradcheck", "--config", "mini"});
  EXPECT_EQ(g.rc, 0) << g.out << g.err;
}

// Unknown names are usage errors listing the choices; info lists them all.
TEST_F(CliConfigTest, UnknownConfigurationAndInfo) {
  for (const char *command : {"train", "eval", "gradcheck", "info"}) {
    CliRun r = runCli(abi, argv0, {command, "--config", "huge"});
    EXPECT_EQ(r.rc, 2) << command;
    EXPECT_EQ(r.err, "error: --config: unknown configuration 'huge' "
                     "(available: full, mini)\n")
        << command;
  }
  CliRun i = runCli(abi, argv0, {"info", "--config", "mini"});
  ASSERT_EQ(i.rc, 0) << i.err;
  EXPECT_NE(i.out.find("configs:\n"
                       "  full: batch 8, epochs 3, optimizer sgd lr=0.05 "
                       "momentum=0.9\n"
                       "* mini: batch 2, epochs 4, optimizer sgd lr=0.1\n"
                       "training: batch 2, epochs 4, seed 1, optimizer sgd "
                       "lr=0.1, log_every 2\n"),
            std::string::npos)
      << i.out;
  EXPECT_NE(i.out.find("entry points: train_step eval_step loss_and_grad\n"),
            std::string::npos)
      << i.out;
  EXPECT_NE(i.out.find("  train table 40 rows x 4 columns (label column -1)"),
            std::string::npos)
      << i.out;
}

// Checkpoints hold the selected configuration's state: resuming a "mini"
// checkpoint (no momentum) under "full" names the missing state.
TEST_F(CliConfigTest, CheckpointStateFollowsTheConfiguration) {
  ASSERT_EQ(runCli(abi, argv0,
                   {"train", "--quiet", "--config", "mini", "--save",
                    dir.file("mini.npz")})
                .rc,
            0);
  CliRun r = runCli(abi, argv0,
                    {"train", "--resume", dir.file("mini.npz"), "--save",
                     dir.file("full.npz")});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("checkpoint has no array 'w.momentum'"),
            std::string::npos)
      << r.err;
  CliRun ok = runCli(abi, argv0,
                     {"train", "--quiet", "--config", "mini", "--resume",
                      dir.file("mini.npz"), "--epochs", "6", "--save",
                      dir.file("more.npz")});
  EXPECT_EQ(ok.rc, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind("final: ", 0), 0u) << ok.out;
  // State the selected configuration does not have is refused by name.
  ASSERT_EQ(runCli(abi, argv0,
                   {"train", "--quiet", "--save", dir.file("full.npz")})
                .rc,
            0);
  CliRun e = runCli(abi, argv0,
                    {"eval", "--config", "mini", "--load", dir.file("full.npz")});
  EXPECT_EQ(e.rc, 1);
  EXPECT_NE(e.err.find("unexpected array 'b.momentum' (not a param or state "
                       "of this model)"),
            std::string::npos)
      << e.err;
}
