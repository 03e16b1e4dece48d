//===- Metrics.h - Progress lines and the metrics JSON file -----*- C++ -*-===//
//
// The exact text of the per-epoch and final lines is what users (and e2e tests)
// read, so all of it is formatted here in one place; the JSON file is the
// machine-readable counterpart.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_METRICS_H
#define DLNRT_LIB_METRICS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dlnrt {

/// The mean of a model's `metric` over a split.
struct NamedMetric {
  std::string name;
  std::string kind; ///< "accuracy" (printed as a percentage) or "mean"
  double value = 0;
};

/// One epoch of a training run, for loss curves.
/// The mean objective of one `step` block over an epoch.
struct StepLoss {
  std::string step;
  double value = 0;
};

struct EpochRecord {
  int64_t epoch = 0;
  double lr = 0;
  std::optional<double> trainLoss;
  std::vector<StepLoss> stepLosses;
};

struct Metrics {
  /// The training configuration, for models that have named ones.
  std::optional<std::string> config;
  std::optional<double> trainLoss, testLoss,
      testAccuracy; // accuracy as a fraction
  /// With step blocks, each step's mean objective over the (last) epoch
  /// instead of trainLoss: "NAME_loss" in lines, "train_step_losses" in
  /// JSON.
  std::vector<StepLoss> stepLosses;
  std::optional<int64_t> epochs;
  std::optional<double> samplesPerSecond, trainSeconds;
  /// Test split extras (see EvalResult): top-5 accuracy, MSE, and the
  /// confusion matrix, row-major numClasses x numClasses, rows the true class.
  std::optional<double> testTop5Accuracy, testMse;
  std::vector<int64_t> confusion;
  /// The model's `metric`s on the test split: "test_NAME" in lines, and
  /// "test_metrics": {NAME: value} in JSON.
  std::vector<NamedMetric> testMetrics;
  /// Every epoch trained: "history": [{"epoch", "lr", "train_loss"}].
  std::vector<EpochRecord> history;
  int64_t numClasses = 0;
};

/// 41234 -> "41,234".
std::string formatThousands(int64_t v);

/// "epoch   3/5  train_loss 0.4123  test_loss 0.4521  test_acc 84.12%  2.31 s
/// 41,234 samples/s" (the test fields are left out when there is no test
/// split).
std::string formatEpochLine(int64_t epoch, int64_t epochs, const Metrics &m);

/// "final: test_acc 86.10%  test_loss 0.3912  train_loss 0.3511" with absent
/// fields left out.
std::string formatFinalLine(const Metrics &m);

/// {"config":..,"train_loss":..,"test_loss":..,"test_accuracy":..,...}; absent
/// fields are
/// omitted and non-finite values become null (JSON has no NaN). With class
/// labels, "test_confusion_matrix" ([true][predicted] counts) and
/// "test_per_class_accuracy" (recall of each class, null for a class absent
/// from the split) close the object.
std::string metricsToJson(const Metrics &m);

/// metricsToJson written atomically, or straight into a character device or
/// FIFO such as /dev/stdout.
void writeMetricsJson(const std::string &path, const Metrics &m);

} // namespace dlnrt

#endif // DLNRT_LIB_METRICS_H
