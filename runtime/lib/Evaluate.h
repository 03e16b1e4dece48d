//===- Evaluate.h - Forward passes over many samples ------------*- C++ -*-===//
//
// Runs eval_step over any number of rows in batches of the model's batch
// size (the last one smaller) and turns the
// per-sample losses and outputs into mean loss and accuracy. Used by the train
// loop, `./model eval`, gradcheck's numeric loss and the C API's forward pass.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_EVALUATE_H
#define DLNRT_LIB_EVALUATE_H

#include "DataSource.h"
#include "Metrics.h"
#include "Model.h"

#include <functional>
#include <optional>
#include <vector>

namespace dlnrt {

struct EvalResult {
  /// False for a model without losses: meanLoss is then meaningless.
  bool hasLoss = true;
  double meanLoss = 0;
  /// Fraction in [0, 1] of outputs that predict the label (models with an
  /// output).
  std::optional<double> accuracy;
  int64_t count = 0;
  /// Class labels over more than 5 outputs: the true class among the 5
  /// highest.
  std::optional<double> top5Accuracy;
  /// Real labels as wide as the output: mean squared error per element.
  std::optional<double> mse;
  /// Class labels: counts of (true class, predicted class), row-major
  /// numClasses x numClasses.
  std::vector<int64_t> confusion;
  int64_t numClasses = 0;
  /// The model's `metric`s: means over the split, in manifest order.
  std::vector<NamedMetric> metrics;
};

/// Called once per batch with the first row index, the number of rows and the
/// batch's label, loss and output buffers (`valid` rows each).
using EvalSink =
    std::function<void(int64_t first, int64_t valid, const Tensor &y,
                       const Tensor &losses, const Tensor &outputs)>;

/// Evaluates n rows of x (model dtype, row-major) with labels y (null: zero
/// labels).
/// Called once per batch with the number of valid rows and the per-sample
/// metric values (one [B] tensor per manifest metric).
using MetricSink =
    std::function<void(int64_t valid, const std::vector<Tensor> &metrics)>;

void forEachEvalBatch(Model &model, int64_t n, const void *x, const void *y,
                      const EvalSink &sink, const MetricSink &metricSink = {});

/// Whether output row `row` of `outputs` predicts label row `row` of `y`:
/// argmax for class labels (a single output is thresholded at 0.5),
/// element-wise 0.5 thresholds for real labels.
bool isCorrect(const Manifest &m, const Tensor &y, const Tensor &outputs,
               int64_t row);

/// The class output row `row` predicts: the argmax, or for a single output
/// 1 when it is at least 0.5.
int64_t predictedClass(const Manifest &m, const Tensor &outputs, int64_t row);

/// Mean per-sample loss, accuracy and the metrics above over a whole split.
EvalResult evaluate(Model &model, const Dataset &ds);

/// Copies the test metrics of `r` into `m`.
void recordTestMetrics(const EvalResult &r, Metrics &m);

/// Mean of the per-sample losses of one full batch, accumulated in double
/// (gradcheck).
double meanBatchLoss(Model &model, const Tensor &x, const Tensor &y);

} // namespace dlnrt

#endif // DLNRT_LIB_EVALUATE_H
