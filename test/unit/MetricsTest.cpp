//===- MetricsTest.cpp - Progress lines and metrics JSON ------------------===//
#include "Metrics.h"
#include "TempDir.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace dlnrt;

TEST(Metrics, Thousands) {
  EXPECT_EQ(formatThousands(0), "0");
  EXPECT_EQ(formatThousands(999), "999");
  EXPECT_EQ(formatThousands(1000), "1,000");
  EXPECT_EQ(formatThousands(41234), "41,234");
  EXPECT_EQ(formatThousands(1234567), "1,234,567");
  EXPECT_EQ(formatThousands(-1234), "-1,234");
}

TEST(Metrics, EpochAndFinalLines) {
  Metrics m;
  m.trainLoss = 0.41234;
  m.testLoss = 0.45211;
  m.testAccuracy = 0.84123;
  m.trainSeconds = 2.314;
  m.samplesPerSecond = 41234.4;
  EXPECT_EQ(formatEpochLine(3, 5, m),
            "epoch   3/5  train_loss 0.4123  test_loss 0.4521  "
            "test_acc 84.12%  2.31 s  41,234 samples/s");
  Metrics short_;
  short_.trainLoss = 0.1;
  EXPECT_EQ(formatEpochLine(250, 2000, short_),
            "epoch  250/2000  train_loss 0.1000");
  EXPECT_EQ(formatFinalLine(m),
            "final: test_acc 84.12%  test_loss 0.4521  train_loss 0.4123");
  Metrics trainOnly;
  trainOnly.trainLoss = 0.5;
  EXPECT_EQ(formatFinalLine(trainOnly), "final: train_loss 0.5000");
}

TEST(Metrics, JsonFileIsWrittenAtomically) {
  TempDir dir;
  Metrics m;
  m.trainLoss = 0.25;
  m.testLoss = NAN;
  m.testAccuracy = 0.5;
  m.epochs = 3;
  m.samplesPerSecond = 1000;
  m.trainSeconds = 1.5;
  writeMetricsJson(dir.file("m.json"), m);
  EXPECT_EQ(readAll(dir.file("m.json")),
            "{\"train_loss\":0.25,\"test_loss\":null,\"test_accuracy\":0.5,"
            "\"epochs\":3,"
            "\"samples_per_second\":1000.0,\"train_seconds\":1.5}\n");
}

// Class labels add the confusion matrix ([true][predicted]) and each class's
// accuracy (null for a class the split lacks); top-5 and MSE when present.
TEST(Metrics, JsonHasConfusionMatrixAndExtras) {
  Metrics m;
  m.testAccuracy = 0.6;
  m.testTop5Accuracy = 0.9;
  m.numClasses = 3;
  m.confusion = {2, 1, 0, //
                 0, 1, 0, //
                 0, 0, 0};
  EXPECT_EQ(metricsToJson(m),
            "{\"test_accuracy\":0.6,\"test_top5_accuracy\":0.9,"
            "\"test_confusion_matrix\":[[2,1,0],[0,1,0],[0,0,0]],"
            "\"test_per_class_accuracy\":[0.6666666666666666,1.0,null]}\n");
  Metrics regression;
  regression.testMse = 0.25;
  EXPECT_EQ(metricsToJson(regression), "{\"test_mse\":0.25}\n");
}

// Step blocks report each step's objective instead of one train loss.
TEST(Metrics, StepLosses) {
  Metrics m;
  m.stepLosses = {{"discriminator", 1.23456}, {"generator", 0.5}};
  m.trainSeconds = 1.0;
  EXPECT_EQ(formatEpochLine(1, 20, m),
            "epoch   1/20  discriminator_loss 1.2346  generator_loss 0.5000  "
            "1.00 s");
  EXPECT_EQ(formatFinalLine(m),
            "final: discriminator_loss 1.2346  generator_loss 0.5000");
  m.history.push_back({1, 0.1, std::nullopt, {{"generator", NAN}}});
  std::string json = metricsToJson(m);
  EXPECT_NE(json.find(R"("train_step_losses":{"discriminator":1.23456,"generator":0.5})"),
            std::string::npos);
  EXPECT_NE(json.find(R"("history":[{"epoch":1,"lr":0.1,"train_step_losses":{"generator":null}}])"),
            std::string::npos);
}
