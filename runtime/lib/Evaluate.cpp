//===- Evaluate.cpp - Forward passes over many samples --------------------===//
#include "Evaluate.h"

#include "Batcher.h"

#include <algorithm>

namespace dlnrt {

void forEachEvalBatch(Model &model, int64_t n, const void *x, const void *y,
                      const EvalSink &sink, const MetricSink &metricSink) {
  const int64_t batch = std::max<int64_t>(1, std::min(model.batch(), n));
  // Every pass over a split draws the same evaluation noise.
  model.resetEvalRng();
  Tensor xb, yb, losses, outputs;
  std::vector<Tensor> metrics;
  for (int64_t b = 0; b < paddedBatchCount(n, batch); ++b) {
    const int64_t first = b * batch;
    const int64_t valid = std::min(batch, n - first);
    // Buffers of the batch's size: full batches, then a smaller last one.
    if (xb.rank() == 0 || xb.shape()[0] != valid) {
      xb = model.makeBatchX(valid);
      yb = model.makeBatchY(valid);
      losses = model.makeBatchLosses(valid);
      outputs = model.makeBatchOutputs(valid);
      metrics = model.makeBatchMetrics(valid);
    }
    copyRows(x, first, valid, xb);
    copyRows(y, first, valid, yb);
    model.evalStep(xb, yb, losses, outputs, &metrics);
    sink(first, valid, yb, losses, outputs);
    if (metricSink)
      metricSink(valid, metrics);
  }
}

int64_t predictedClass(const Manifest &m, const Tensor &outputs, int64_t row) {
  const int64_t width = m.outputSize();
  const int64_t base = row * width;
  if (width == 1)
    return outputs.get(base) >= 0.5 ? 1 : 0;
  int64_t best = 0;
  for (int64_t j = 1; j < width; ++j)
    if (outputs.get(base + j) > outputs.get(base + best))
      best = j;
  return best;
}

bool isCorrect(const Manifest &m, const Tensor &y, const Tensor &outputs,
               int64_t row) {
  const int64_t width = m.outputSize();
  const int64_t base = row * width;
  if (m.label().kind == LabelKind::Class)
    return predictedClass(m, outputs, row) == y.as<int32_t>()[row];
  const int64_t labelWidth = m.labelSize();
  if (labelWidth != width)
    return false;
  for (int64_t j = 0; j < width; ++j)
    if ((outputs.get(base + j) >= 0.5) != (y.get(row * labelWidth + j) >= 0.5))
      return false;
  return true;
}

/// Whether the true class of `row` is among the 5 highest outputs (ties
/// counted against it, as torch.topk breaks them arbitrarily).
static bool isInTop5(const Manifest &m, const Tensor &y, const Tensor &outputs,
                     int64_t row) {
  const int64_t width = m.outputSize();
  const int64_t base = row * width;
  const double truth = outputs.get(base + y.as<int32_t>()[row]);
  int64_t higher = 0;
  for (int64_t j = 0; j < width; ++j)
    if (j != y.as<int32_t>()[row] && outputs.get(base + j) >= truth)
      ++higher;
  return higher < 5;
}

EvalResult evaluate(Model &model, const Dataset &ds) {
  const Manifest &m = model.manifest();
  const bool isClass = m.hasLabel() && m.label().kind == LabelKind::Class &&
                       m.hasOutput();
  // Accuracy compares outputs with labels: a model without labels (an
  // autoencoder) reports its loss and metrics alone.
  const bool hasOutput = m.hasOutput() && m.hasLabel();
  const int64_t width = hasOutput ? m.outputSize() : 0;
  EvalResult res;
  res.count = ds.count;
  res.hasLoss = m.hasLoss();
  if (isClass) {
    res.numClasses = m.label().numClasses;
    res.confusion.assign(res.numClasses * res.numClasses, 0);
  }
  const bool topK = isClass && width > 5;
  const bool regression =
      hasOutput && m.label().kind == LabelKind::Real && m.labelSize() == width;
  std::vector<double> metricSums(m.metrics.size(), 0.0);
  double lossSum = 0, squaredError = 0;
  int64_t correct = 0, top5 = 0;
  // Real-valued labels have an accuracy (outputs thresholded at 0.5) only
  // when every label is 0 or 1: binary and multi-label classification, not
  // regression (an image decoder would report an accuracy near 0).
  bool binaryLabels = true;
  forEachEvalBatch(
      model, ds.count, ds.x.data(), ds.y.data(),
      [&](int64_t, int64_t valid, const Tensor &y, const Tensor &losses,
          const Tensor &outputs) {
        for (int64_t r = 0; r < valid; ++r) {
          lossSum += losses.get(r);
          if (hasOutput)
            correct += isCorrect(m, y, outputs, r) ? 1 : 0;
          if (hasOutput && !isClass && binaryLabels)
            for (int64_t j = 0; j < m.labelSize(); ++j) {
              double label = y.get(r * m.labelSize() + j);
              binaryLabels &= label == 0.0 || label == 1.0;
            }
          if (isClass) {
            int64_t predicted = predictedClass(m, outputs, r);
            if (predicted < res.numClasses)
              ++res.confusion[y.as<int32_t>()[r] * res.numClasses + predicted];
          }
          if (topK)
            top5 += isInTop5(m, y, outputs, r) ? 1 : 0;
          if (regression)
            for (int64_t j = 0; j < width; ++j) {
              double d = outputs.get(r * width + j) - y.get(r * width + j);
              squaredError += d * d;
            }
        }
      },
      [&](int64_t valid, const std::vector<Tensor> &metrics) {
        for (size_t k = 0; k < metrics.size(); ++k)
          for (int64_t r = 0; r < valid; ++r)
            metricSums[k] += metrics[k].get(r);
      });
  if (ds.count) {
    const double n = static_cast<double>(ds.count);
    res.meanLoss = lossSum / n;
    if (hasOutput && (isClass || binaryLabels))
      res.accuracy = correct / n;
    for (size_t k = 0; k < m.metrics.size(); ++k)
      res.metrics.push_back(
          {m.metrics[k].name, m.metrics[k].kind, metricSums[k] / n});
    if (topK)
      res.top5Accuracy = top5 / n;
    if (regression)
      res.mse = squaredError / (n * width);
  }
  return res;
}

void recordTestMetrics(const EvalResult &r, Metrics &m) {
  if (r.hasLoss)
    m.testLoss = r.meanLoss;
  m.testAccuracy = r.accuracy;
  m.testTop5Accuracy = r.top5Accuracy;
  m.testMse = r.mse;
  m.confusion = r.confusion;
  m.numClasses = r.numClasses;
  m.testMetrics = r.metrics;
}

double meanBatchLoss(Model &model, const Tensor &x, const Tensor &y) {
  Tensor losses = model.makeBatchLosses(), outputs = model.makeBatchOutputs();
  model.evalStep(x, y, losses, outputs);
  double sum = 0;
  for (int64_t i = 0; i < losses.size(); ++i)
    sum += losses.get(i);
  return sum / static_cast<double>(losses.size());
}

} // namespace dlnrt
