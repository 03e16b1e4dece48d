//===- TrainLoop.cpp - Epochs of mini-batch training ----------------------===//
#include "TrainLoop.h"

#include "Batcher.h"
#include "Error.h"
#include "Evaluate.h"

#include <chrono>
#include <cmath>

namespace dlnrt {

static bool isLoggedEpoch(int64_t epoch, int64_t epochs, int64_t logEvery) {
  return logEvery <= 0 || epoch % logEvery == 0 || epoch == epochs;
}

Metrics trainModel(Model &model, const Dataset &train, const Dataset *test,
                   const TrainOptions &options, TrainCounters *progress) {
  TrainCounters local;
  TrainCounters &at = progress ? *progress : local;
  at.seed = options.seed;
  const int64_t batch = model.manifest().batch;
  if (train.count < batch)
    fail(DLNRT_INVALID_ARGUMENT,
         train.source + ": training set has " + std::to_string(train.count) +
             " samples, fewer than one batch of " + std::to_string(batch));
  using Clock = std::chrono::steady_clock;
  Tensor x = model.makeBatchX(), y = model.makeBatchY();
  const int64_t batches = fullBatchCount(train.count, batch);

  Metrics final;
  final.epochs = options.epochs;
  double totalSeconds = 0;
  int64_t totalSamples = 0;
  for (int64_t epoch = at.epoch + 1; epoch <= options.epochs; ++epoch) {
    std::vector<int64_t> order =
        shuffledOrder(train.count, options.seed, epoch);
    double lossSum = 0;
    // Timing covers gathering and the train step: what the user waits for,
    // minus evaluation.
    auto start = Clock::now();
    for (int64_t b = 0; b < batches; ++b) {
      gatherRows(train, order.data() + b * batch, batch, x, y);
      double loss = model.trainStep(x, y, options.lr);
      // Diverged params are worthless: stop before anything saves them.
      if (!std::isfinite(loss))
        fail(DLNRT_DATA_ERROR,
             "training diverged: loss is " + std::to_string(loss) +
                 " at epoch " + std::to_string(epoch) + ", step " +
                 std::to_string(at.step + b + 1) +
                 "; nothing saved, existing checkpoints are kept");
      lossSum += loss;
    }
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    totalSeconds += seconds;
    totalSamples += batches * batch;
    final.trainLoss = lossSum / static_cast<double>(batches);
    at.epoch = epoch;
    at.step += batches;

    if (!isLoggedEpoch(epoch, options.epochs, options.logEvery))
      continue;
    Metrics line;
    line.trainLoss = final.trainLoss;
    line.trainSeconds = seconds;
    line.samplesPerSecond = seconds > 0 ? batches * batch / seconds : NAN;
    if (test) {
      EvalResult r = evaluate(model, *test);
      line.testLoss = final.testLoss = r.meanLoss;
      line.testAccuracy = final.testAccuracy = r.accuracy;
    }
    if (options.log)
      *options.log << formatEpochLine(epoch, options.epochs, line) << "\n"
                   << std::flush;
  }
  // Zero epochs still reports where the initial parameters stand.
  if (test && !final.testLoss) {
    EvalResult r = evaluate(model, *test);
    final.testLoss = r.meanLoss;
    final.testAccuracy = r.accuracy;
  }
  final.trainSeconds = totalSeconds;
  final.samplesPerSecond = totalSeconds > 0 ? totalSamples / totalSeconds : 0;
  return final;
}

} // namespace dlnrt
