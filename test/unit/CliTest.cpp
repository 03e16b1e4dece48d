//===- CliTest.cpp - The ./model command line, driven in-process ----------===//
#include "CliRun.h"
#include "FakeModel.h"
#include "TempDir.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <sstream>

namespace {

/// CSV rows of y = x0 - 2 x1 + 0.5 (x2 ignored), label in the last column.
std::string csvRows(int n, int offset) {
  std::ostringstream s;
  for (int i = 0; i < n; ++i) {
    double x0 = ((i * 7 + offset) % 11) / 11.0 - 0.5,
           x1 = ((i * 5 + offset) % 13) / 13.0 - 0.5;
    s << x0 << "," << x1 << ",0.25," << (x0 - 2 * x1 + 0.5) << "\n";
  }
  return s.str();
}

class CliTest : public ::testing::Test {
protected:
  void SetUp() override {
    manifest = fake::linearManifest(
        "f64", 4,
        {{"train", {{"log_every", 5}}},
         {"data",
          {{"train", {{"kind", "csv"}, {"path", "train.csv"}, {"label", -1}}},
           {"test", {{"kind", "csv"}, {"path", "test.csv"}, {"label", -1}}}}}});
    abi = fake::linearAbi(true, manifest.c_str());
    dir.write("train.csv", csvRows(40, 0));
    dir.write("test.csv", csvRows(10, 3));
    argv0 = dir.file("model");
  }
  TempDir dir;
  std::string manifest, argv0;
  dlnrt_model_abi abi;
};

/// The value printed after `key ` in `text`.
double valueAfter(const std::string &text, const std::string &key) {
  size_t at = text.find(key + " ");
  return at == std::string::npos ? NAN
                                 : std::stod(text.substr(at + key.size() + 1));
}

} // namespace

// A missing data file: non-zero exit and one error line naming the file.
TEST_F(CliTest, MissingDataFileIsAnError) {
  CliRun r = runCli(abi, argv0, {"train", "--data", dir.file("nowhere")});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("error: " + dir.file("nowhere") +
                       "/train.csv: cannot open CSV file"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fileExists(argv0 + ".npz"));
}

// train -> checkpoint + metrics; eval of that checkpoint reproduces the final
// test metrics.
TEST_F(CliTest, TrainThenEval) {
  CliRun t = runCli(abi, argv0,
                    {"train", "--data", dir.path(), "--epochs", "20", "--lr",
                     "0.2", "--metrics-json", dir.file("m.json")});
  ASSERT_EQ(t.rc, 0) << t.err;
  EXPECT_EQ(t.err, "");
  EXPECT_NE(t.out.find("epoch   5/20  train_loss "), std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("epoch  20/20 "), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("epoch   4/20"), std::string::npos) << t.out;
  // A regression (real, non-binary labels) has a loss and no accuracy.
  EXPECT_NE(t.out.find("final: test_loss "), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("test_acc"), std::string::npos) << t.out;
  EXPECT_TRUE(fileExists(argv0 + ".npz")); // default --save: <argv[0]>.npz
  std::string json = readAll(dir.file("m.json"));
  for (const char *key :
       {"\"train_loss\":", "\"test_loss\":",
        "\"epochs\":20", "\"samples_per_second\":", "\"train_seconds\":"})
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  double trainTestLoss =
      valueAfter(t.out.substr(t.out.find("final:")), "test_loss");
  EXPECT_LT(trainTestLoss, 0.01);

  CliRun e = runCli(abi, argv0,
                    {"eval", "--load", argv0 + ".npz", "--data", dir.path()});
  ASSERT_EQ(e.rc, 0) << e.err;
  EXPECT_EQ(e.out.rfind("final: test_loss ", 0), 0u) << e.out;
  EXPECT_DOUBLE_EQ(valueAfter(e.out, "test_loss"), trainTestLoss);
}

// With standardize, eval fits the statistics on the training split again, so
// it reproduces training's final test metrics; the output is unchanged.
TEST_F(CliTest, StandardizedEvalMatchesTraining) {
  std::string standardized = fake::linearManifest(
      "f64", 4,
      {{"data",
        {{"train", {{"kind", "csv"}, {"path", "train.csv"}}},
         {"test", {{"kind", "csv"}, {"path", "test.csv"}}},
         {"transforms",
          {{{"kind", "scale"}, {"factor", 3}}, {{"kind", "standardize"}}}}}}});
  dlnrt_model_abi s = fake::linearAbi(true, standardized.c_str());
  CliRun t = runCli(s, argv0,
                    {"train", "--data", dir.path(), "--quiet",
                     "--metrics-json", dir.file("t.json")});
  ASSERT_EQ(t.rc, 0) << t.err;
  auto testLoss = [&](const dlnrt_model_abi &a, const std::string &json) {
    CliRun e = runCli(a, argv0,
                      {"eval", "--load", argv0 + ".npz", "--data", dir.path(),
                       "--metrics-json", dir.file(json)});
    EXPECT_EQ(e.rc, 0) << e.err;
    EXPECT_EQ(e.err, "");
    EXPECT_EQ(e.out.rfind("final: test_loss ", 0), 0u) << e.out;
    return nlohmann::json::parse(readAll(dir.file(json)))["test_loss"]
        .get<double>();
  };
  const double trained =
      nlohmann::json::parse(readAll(dir.file("t.json")))["test_loss"]
          .get<double>();
  EXPECT_EQ(testLoss(s, "e.json"), trained);
  // Without the statistics the same checkpoint scores differently.
  EXPECT_NE(testLoss(abi, "raw.json"), trained);
}

// Without data.test nothing is reported as "test": no test fields in the
// epoch, final or JSON output (the training set is never evaluated in its
// place), and eval refuses to run.
TEST_F(CliTest, NoTestSplitReportsNoTestMetrics) {
  std::string trainOnly = fake::linearManifest(
      "f64", 4,
      {{"data",
        {{"train", {{"kind", "csv"}, {"path", "train.csv"}, {"label", -1}}}}}});
  dlnrt_model_abi noTest = fake::linearAbi(true, trainOnly.c_str());
  CliRun t = runCli(noTest, argv0,
                    {"train", "--data", dir.path(), "--epochs", "2",
                     "--metrics-json", dir.file("m.json")});
  ASSERT_EQ(t.rc, 0) << t.err;
  EXPECT_NE(t.out.find("40 train / no test samples"), std::string::npos)
      << t.out;
  EXPECT_EQ(t.out.find("test_"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("final: train_loss "), std::string::npos) << t.out;
  std::string json = readAll(dir.file("m.json"));
  EXPECT_EQ(json.find("test"), std::string::npos) << json;
  EXPECT_NE(json.find("\"train_loss\":"), std::string::npos) << json;
  CliRun e = runCli(noTest, argv0,
                    {"eval", "--load", argv0 + ".npz", "--data", dir.path()});
  EXPECT_EQ(e.rc, 1);
  EXPECT_NE(e.err.find("error: manifest has no data.test; nothing to "
                       "evaluate on"),
            std::string::npos)
      << e.err;
  EXPECT_EQ(e.out, "");
}

// An unwritable --save destination is refused before any training time is
// spent.
TEST_F(CliTest, UnwritableSavePathFailsBeforeTraining) {
  std::string save = dir.file("missing/dir/m.params");
  CliRun r =
      runCli(abi, argv0, {"train", "--data", dir.path(), "--save", save});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("error: " + save + ": cannot write to directory"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("epoch"), std::string::npos) << r.out;
}

// --quiet prints only the final line; --save picks the checkpoint path.
TEST_F(CliTest, QuietPrintsOnlyFinalLine) {
  CliRun r = runCli(abi, argv0,
                    {"train", "--quiet", "--data=" + dir.path(), "--save",
                     dir.file("q.params")});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_EQ(r.out.rfind("final: ", 0), 0u);
  EXPECT_TRUE(fileExists(dir.file("q.params")));
  EXPECT_FALSE(fileExists(argv0 + ".npz"));
}

// Usage errors exit with 2 and say what is wrong.
TEST_F(CliTest, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  } cases[] = {
      {{}, "missing command"},
      {{"fly"}, "unknown command 'fly'"},
      {{"train", "--eps", "1"}, "option --eps is not valid for 'train'"},
      {{"train", "--epochs", "abc"}, "--epochs expects a non-negative integer"},
      {{"train", "--lr"}, "--lr: 1 required X missing"},
      {{"eval"}, "eval needs --load FILE"},
      {{"gradcheck", "extra"}, "unexpected argument 'extra'"},
      {{"train", "--eps=1"}, "option --eps is not valid for 'train'"},
      {{"train", "eval"}, "unexpected argument 'eval'"},
      {{"train", "--data="}, "--data: 1 required DIR missing"},
      {{"train", "--save", ""}, "--save needs a non-empty value"},
      {{"train", "--seed", "-1"}, "--seed expects a non-negative integer"},
      {{"gradcheck", "--samples", "0"}, "--samples expects a positive integer"},
      {{"eval", "--load", "x", "--lr", "1"},
       "option --lr is not valid for 'eval'"},
      {{"--bogus"}, "unknown command '--bogus'"},
      {{"train", "--config", "big"},
       "--config big: this model has no named training configurations"},
      {{"info", "--config=big"},
       "--config big: this model has no named training configurations"},
  };
  for (const Case &c : cases) {
    CliRun r = runCli(abi, argv0, c.args);
    EXPECT_EQ(r.rc, 2);
    EXPECT_NE(r.err.find("error: " + c.expect), std::string::npos) << r.err;
  }
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"-h"},
                                        {"help"},
                                        {"train", "--help"},
                                        {"eval", "-h"}}) {
    CliRun h = runCli(abi, argv0, args);
    EXPECT_EQ(h.rc, 0) << args[0];
    EXPECT_EQ(h.out.rfind("usage:\n  " + argv0 + " train", 0), 0u) << h.out;
  }
}

// eval of a damaged checkpoint fails cleanly.
TEST_F(CliTest, EvalRejectsCorruptCheckpoint) {
  ASSERT_EQ(runCli(abi, argv0, {"train", "--quiet", "--data", dir.path()}).rc,
            0);
  std::string bytes = readAll(argv0 + ".npz");
  // First data byte of w: after the local header, name and 64-byte NPY header.
  bytes[bytes.find("w.npy") + 5 + 64] ^= 1;
  dir.write("model.npz", bytes);
  CliRun r = runCli(abi, argv0,
                    {"eval", "--load", argv0 + ".npz", "--data", dir.path()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("error: " + argv0 +
                       ".npz: checksum mismatch in member 'w.npy' "
                       "(file is corrupt)"),
            std::string::npos)
      << r.err;
}

// gradcheck prints one line per param and exits 0 iff it passes.
TEST_F(CliTest, GradCheckExitCode) {
  CliRun ok = runCli(abi, argv0, {"gradcheck", "--samples", "2"});
  EXPECT_EQ(ok.rc, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("param w  max_rel_err "), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("(2 coords)"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("gradcheck: PASS max_rel_err "), std::string::npos)
      << ok.out;
  dlnrt_model_abi wrong =
      fake::linearAbi(true, manifest.c_str(), /*wrongGradient=*/true);
  CliRun bad = runCli(wrong, argv0, {"gradcheck"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("gradcheck: FAIL"), std::string::npos) << bad.out;
}

// info summarizes params, shapes and data.
TEST_F(CliTest, InfoAndBadManifest) {
  CliRun r = runCli(abi, argv0, {"info"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("model linreg (f64)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3x1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total 4 params"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("csv train.csv"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("entry points: train_step eval_step loss_and_grad"),
            std::string::npos)
      << r.out;
  std::string bogus = fake::linearManifest("f64", 4, {{"batch", "four"}});
  dlnrt_model_abi broken = fake::linearAbi(true, bogus.c_str());
  CliRun b = runCli(broken, argv0, {"info"});
  EXPECT_EQ(b.rc, 1);
  EXPECT_NE(b.err.find("error: manifest: $.batch: expected an integer"),
            std::string::npos)
      << b.err;
}

// train --epochs 2, then --resume to 5 epochs, writes the very same file as an
// uninterrupted 5-epoch run (params and counters).
TEST_F(CliTest, ResumeMatchesUninterruptedRun) {
  auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"train",    "--quiet", "--data",
                                     dir.path(), "--lr",    "0.2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runCli(abi, argv0, args);
  };
  ASSERT_EQ(train({"--epochs", "2", "--save", dir.file("part.npz")}).rc, 0);
  CliRun r = train({"--epochs", "5", "--resume", dir.file("part.npz"), "--save",
                    dir.file("resumed.npz")});
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_EQ(train({"--epochs", "5", "--save", dir.file("full.npz")}).rc, 0);
  EXPECT_EQ(readAll(dir.file("resumed.npz")), readAll(dir.file("full.npz")));
  EXPECT_NE(readAll(dir.file("part.npz")), readAll(dir.file("full.npz")));

  CliRun seed = train({"--epochs", "5", "--seed", "6", "--resume",
                       dir.file("part.npz"), "--save", dir.file("x.npz")});
  EXPECT_EQ(seed.rc, 1);
  EXPECT_NE(seed.err.find("error: --seed 6 differs from seed 5 that " +
                          dir.file("part.npz") + " was trained with"),
            std::string::npos)
      << seed.err;
  CliRun past = train({"--epochs", "1", "--resume", dir.file("part.npz"),
                       "--save", dir.file("x.npz")});
  EXPECT_EQ(past.rc, 1);
  EXPECT_NE(past.err.find("checkpoint is after epoch 2, beyond the 1 epochs "
                          "requested"),
            std::string::npos)
      << past.err;
  EXPECT_FALSE(fileExists(dir.file("x.npz")));
}

// Outputs that would overwrite an input, each other, the running program or a
// device are refused before training, and the file is left as it was.
TEST_F(CliTest, OutputsNeverClobberInputs) {
  std::string data = readAll(dir.file("train.csv"));
  char self[4096] = {};
  ASSERT_GT(::readlink("/proc/self/exe", self, sizeof self - 1), 0);
  ASSERT_EQ(::symlink(dir.file("m.json").c_str(), dir.file("alias").c_str()),
            0);
  dir.write("ckpt.npz", "not touched");
  dir.write("m.json", "old metrics");
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  } cases[] = {
      {{"--save", dir.path() + "/./train.csv"},
       "is the same file as train data"},
      {{"--metrics-json", dir.file("test.csv")},
       "is the same file as test data"},
      {{"--save", self}, "is the same file as the running executable"},
      {{"--save", dir.file("m.json"), "--metrics-json", dir.file("alias")},
       "is the same file as --metrics-json"},
      {{"--resume", dir.file("ckpt.npz"), "--metrics-json",
        dir.file("ckpt.npz")},
       "is the same file as --resume"},
      {{"--save", "/dev/null"}, "/dev/null: not a regular file"},
  };
  for (const Case &c : cases) {
    std::vector<std::string> args = {"train", "--data", dir.path()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CliRun r = runCli(abi, argv0, args);
    EXPECT_EQ(r.rc, 1) << c.expect;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("epoch"), std::string::npos) << r.out;
  }
  EXPECT_EQ(readAll(dir.file("train.csv")), data);
  EXPECT_EQ(readAll(dir.file("ckpt.npz")), "not touched");
  EXPECT_EQ(readAll(dir.file("m.json")), "old metrics");
  CliRun e =
      runCli(abi, argv0,
             {"eval", "--data", dir.path(), "--load", dir.file("ckpt.npz"),
              "--metrics-json", dir.file("ckpt.npz")});
  EXPECT_NE(e.err.find("is the same file as --load"), std::string::npos)
      << e.err;
  // A character device is fine for metrics: the user asked for a stream.
  CliRun dev = runCli(abi, argv0,
                      {"train", "--quiet", "--data", dir.path(), "--save",
                       dir.file("ok.npz"), "--metrics-json", "/dev/null"});
  EXPECT_EQ(dev.rc, 0) << dev.err;
}

// A diverging run stops with a message naming where, exits non-zero, and
// leaves the previous checkpoint and metrics alone.
TEST_F(CliTest, NonFiniteLossKeepsLastCheckpoint) {
  std::string save = dir.file("good.npz");
  ASSERT_EQ(runCli(abi, argv0,
                   {"train", "--quiet", "--data", dir.path(), "--save", save})
                .rc,
            0);
  std::string good = readAll(save);
  CliRun r = runCli(abi, argv0,
                    {"train", "--quiet", "--data", dir.path(), "--lr", "1e300",
                     "--save", save, "--metrics-json", dir.file("m.json")});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("error: training diverged at epoch 1, step "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(" holds a non-finite value ("), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("; nothing saved, existing checkpoints are kept\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(readAll(save), good);
  EXPECT_FALSE(fileExists(dir.file("m.json")));
}

// A repeated option takes its last value, in either spelling.
TEST_F(CliTest, RepeatedOptionTakesLastValue) {
  CliRun r = runCli(abi, argv0,
                    {"train", "--quiet", "--data", dir.path(), "--epochs", "1",
                     "--epochs=2", "--metrics-json", dir.file("m.json")});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(readAll(dir.file("m.json")).find("\"epochs\":2"),
            std::string::npos);
}

// Optimizer state is checkpointed beside the params: a resumed momentum run
// matches an uninterrupted one bit for bit, resuming from a file without the
// state is an error naming it, and eval --load does not need it.
TEST_F(CliTest, MomentumStateSurvivesResume) {
  fake::Layout momentum;
  momentum.momentum = true;
  std::string withState = fake::linearManifest(
      "f64", 4, {{"data", nlohmann::json::parse(manifest)["data"]}}, momentum);
  dlnrt_model_abi mabi =
      fake::linearAbi(true, withState.c_str(), false, momentum);
  auto train = [&](const dlnrt_model_abi &a, std::vector<std::string> extra) {
    std::vector<std::string> args = {"train",    "--quiet", "--data",
                                     dir.path(), "--lr",    "0.05"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runCli(a, argv0, args);
  };
  ASSERT_EQ(train(mabi, {"--epochs", "2", "--save", dir.file("part.npz")}).rc,
            0);
  CliRun r = train(mabi, {"--epochs", "5", "--resume", dir.file("part.npz"),
                          "--save", dir.file("resumed.npz")});
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_EQ(train(mabi, {"--epochs", "5", "--save", dir.file("full.npz")}).rc,
            0);
  EXPECT_EQ(readAll(dir.file("resumed.npz")), readAll(dir.file("full.npz")));
  // Plain SGD gives other params: the state really took part.
  ASSERT_EQ(train(abi, {"--epochs", "5", "--save", dir.file("sgd.npz")}).rc, 0);
  EXPECT_NE(readAll(dir.file("sgd.npz")), readAll(dir.file("full.npz")));

  CliRun noState =
      train(mabi, {"--epochs", "5", "--resume", dir.file("sgd.npz"), "--save",
                   dir.file("x.npz")});
  EXPECT_EQ(noState.rc, 1);
  EXPECT_NE(noState.err.find("checkpoint has no array 'w.momentum'"),
            std::string::npos)
      << noState.err;
  CliRun eval =
      runCli(mabi, argv0,
             {"eval", "--data", dir.path(), "--load", dir.file("sgd.npz")});
  EXPECT_EQ(eval.rc, 0) << eval.err;
  // A model without that state takes the file for another model's.
  CliRun evalPlain =
      runCli(abi, argv0,
             {"eval", "--data", dir.path(), "--load", dir.file("full.npz")});
  EXPECT_EQ(evalPlain.rc, 1);
  EXPECT_NE(evalPlain.err.find("unexpected array 'b.momentum'"),
            std::string::npos)
      << evalPlain.err;
}
