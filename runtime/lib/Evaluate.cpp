//===- Evaluate.cpp - Forward passes over many samples --------------------===//
#include "Evaluate.h"

#include "Batcher.h"

#include <algorithm>

namespace dlnrt {

void forEachEvalBatch(Model &model, int64_t n, const void *x, const void *y,
                      const EvalSink &sink) {
  const int64_t batch = model.manifest().batch;
  Tensor xb = model.makeBatchX(), yb = model.makeBatchY();
  Tensor losses = model.makeBatchLosses(), outputs = model.makeBatchOutputs();
  for (int64_t b = 0; b < paddedBatchCount(n, batch); ++b) {
    const int64_t first = b * batch;
    const int64_t valid = std::min(batch, n - first);
    copyRows(x, first, valid, xb);
    copyRows(y, first, valid, yb);
    model.evalStep(xb, yb, losses, outputs);
    sink(first, valid, yb, losses, outputs);
  }
}

bool isCorrect(const Manifest &m, const Tensor &y, const Tensor &outputs,
               int64_t row) {
  const int64_t width = m.outputSize();
  const int64_t base = row * width;
  if (m.label().kind == LabelKind::Class) {
    const int64_t label = y.as<int32_t>()[row];
    if (width == 1)
      return (outputs.get(base) >= 0.5 ? 1 : 0) == label;
    int64_t best = 0;
    for (int64_t j = 1; j < width; ++j)
      if (outputs.get(base + j) > outputs.get(base + best))
        best = j;
    return best == label;
  }
  const int64_t labelWidth = m.labelSize();
  if (labelWidth != width)
    return false;
  for (int64_t j = 0; j < width; ++j)
    if ((outputs.get(base + j) >= 0.5) != (y.get(row * labelWidth + j) >= 0.5))
      return false;
  return true;
}

EvalResult evaluate(Model &model, const Dataset &ds) {
  double lossSum = 0;
  int64_t correct = 0;
  forEachEvalBatch(model, ds.count, ds.x.data(), ds.y.data(),
                   [&](int64_t, int64_t valid, const Tensor &y,
                       const Tensor &losses, const Tensor &outputs) {
                     for (int64_t r = 0; r < valid; ++r) {
                       lossSum += losses.get(r);
                       correct +=
                           isCorrect(model.manifest(), y, outputs, r) ? 1 : 0;
                     }
                   });
  EvalResult res;
  res.count = ds.count;
  res.meanLoss = ds.count ? lossSum / ds.count : 0;
  res.accuracy = ds.count ? static_cast<double>(correct) / ds.count : 0;
  return res;
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
