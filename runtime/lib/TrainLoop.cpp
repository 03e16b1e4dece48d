//===- TrainLoop.cpp - Epochs of mini-batch training ----------------------===//
#include "TrainLoop.h"

#include "Augment.h"
#include "Batcher.h"
#include "Divergence.h"
#include "Error.h"
#include "Evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace dlnrt {

static bool isLoggedEpoch(int64_t epoch, int64_t epochs, int64_t logEvery) {
  return logEvery <= 0 || epoch % logEvery == 0 || epoch == epochs;
}

/// `what` went bad at step `last`, or somewhere in steps first..last when
/// only a scan found it.
[[noreturn]] static void diverged(int64_t epoch, int64_t first, int64_t last,
                                  const std::string &what) {
  std::string steps = first == last ? "step " + std::to_string(last)
                                    : "between steps " + std::to_string(first) +
                                          " and " + std::to_string(last);
  fail(DLNRT_DATA_ERROR, "training diverged at epoch " + std::to_string(epoch) +
                             ", " + steps + ": " + what +
                             "; nothing saved, existing checkpoints are kept");
}

Metrics trainModel(Model &model, const Dataset &train, const Dataset *test,
                   const TrainOptions &options, TrainCounters *progress) {
  TrainCounters local;
  TrainCounters &at = progress ? *progress : local;
  at.seed = options.seed;
  model.setRngSeed(options.seed);
  // `batch = all` takes the whole training split, whatever its size now.
  const int64_t batch =
      model.manifest().batchCoversDataset ? train.count : model.batch();
  const bool dropLast = options.dropLast;
  if (train.count == 0 || (dropLast && train.count < batch))
    fail(DLNRT_INVALID_ARGUMENT,
         train.source + ": training set has " + std::to_string(train.count) +
             " samples, fewer than one batch of " + std::to_string(batch));
  // A bad start (a checkpoint holding nan) is not the run's divergence.
  if (std::string bad = describeDivergence(model, 0); !bad.empty())
    fail(DLNRT_DATA_ERROR, "cannot train: " + bad + " before the first step");
  using Clock = std::chrono::steady_clock;
  // Entry points take batches of any size: a partial last batch is a
  // smaller step of its own, with buffers of its size.
  Tensor x = model.makeBatchX(batch), y = model.makeBatchY(batch);
  const int64_t remainder = train.count % batch;
  Tensor xLast, yLast;
  if (remainder && !dropLast) {
    xLast = model.makeBatchX(remainder);
    yLast = model.makeBatchY(remainder);
  }
  const int64_t batches = dropLast ? fullBatchCount(train.count, batch)
                                   : paddedBatchCount(train.count, batch);
  const int64_t samplesPerEpoch = dropLast ? batches * batch : train.count;
  const int64_t scanEvery = std::max<int64_t>(1, options.scanEvery);
  // A model trained only by update rules has no loss to report or check.
  const bool hasLoss = model.manifest().hasLoss();
  // Step blocks (docs 14.4): each iteration runs the scheduled steps on its
  // batch, each reporting its own objective.
  const std::vector<StepSpec> &steps = model.manifest().steps;
  const std::vector<size_t> &stepOrder = model.manifest().stepOrder;
  int64_t clean = at.step; // params and state were last scanned finite here

  Metrics final;
  final.config = options.config;
  final.epochs = options.epochs;
  bool evaluated = false;
  double totalSeconds = 0;
  int64_t totalSamples = 0;
  for (int64_t epoch = at.epoch + 1; epoch <= options.epochs; ++epoch) {
    std::vector<int64_t> order =
        shuffledOrder(train.count, options.seed, epoch);
    Rng augmentRng(options.seed, kStreamAugment + static_cast<uint64_t>(epoch));
    // Schedules step once per epoch, from the epoch number alone, so a
    // resumed run continues them exactly.
    const double lr = options.lrSchedule
                          ? scheduledLr(*options.lrSchedule, options.lr,
                                        epoch - 1, options.epochs)
                          : options.lr;
    for (const auto &[name, base] : options.groupLrs)
      model.setGroupLr(name, options.lrSchedule
                                 ? scheduledLr(*options.lrSchedule, base,
                                               epoch - 1, options.epochs)
                                 : base);
    double lossSum = 0;
    std::vector<double> stepSums(steps.size(), 0);
    std::vector<int64_t> stepRuns(steps.size(), 0);
    // Timing covers gathering and the train step: what the user waits for,
    // minus evaluation.
    auto start = Clock::now();
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t first = b * batch;
      const int64_t valid = std::min(batch, train.count - first);
      Tensor &xb = valid == batch ? x : xLast;
      Tensor &yb = valid == batch ? y : yLast;
      gatherRows(train, order.data() + first, valid, xb, yb);
      augmentRows(model.manifest().augments, model.manifest().input().shape,
                  xb, valid, augmentRng);
      // Dropout and noise draw from the global step, so a resumed run
      // draws what the uninterrupted one would have.
      const int64_t iteration = at.step + b;
      double loss = 0;
      if (steps.empty()) {
        model.setRngStep(iteration);
        loss = model.trainStep(xb, yb, lr);
      }
      for (size_t k = 0; k < stepOrder.size(); ++k) {
        const StepSpec &spec = steps[stepOrder[k]];
        if (iteration % spec.every != 0)
          continue;
        // Every execution of a step draws fresh numbers.
        model.setRngStep(iteration * static_cast<int64_t>(stepOrder.size()) +
                         static_cast<int64_t>(k));
        const double stepLoss = model.trainStep(spec.entryPoint, xb, yb, lr);
        stepSums[stepOrder[k]] += stepLoss;
        ++stepRuns[stepOrder[k]];
        // Non-finite if any step's is: the check below then reports it.
        loss += stepLoss;
      }
      // Diverged params are worthless: stop before anything saves them. The
      // loss is free to check; scanning every param and state element costs
      // a few percent of a small model's step, so it runs every scanEvery
      // steps and always after an epoch's last step, before any save.
      const int64_t step = at.step + b + 1;
      if (!std::isfinite(loss) || step % scanEvery == 0 || b + 1 == batches) {
        std::string bad = describeDivergence(model, loss);
        if (!bad.empty())
          diverged(epoch, std::isfinite(loss) ? clean + 1 : step, step, bad);
        clean = step;
      }
      lossSum += loss;
    }
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    totalSeconds += seconds;
    totalSamples += samplesPerEpoch;
    std::vector<StepLoss> stepLosses;
    for (size_t i = 0; i < steps.size(); ++i)
      if (stepRuns[i] > 0)
        stepLosses.push_back(
            {steps[i].name, stepSums[i] / static_cast<double>(stepRuns[i])});
    const bool oneLoss = hasLoss && steps.empty();
    if (oneLoss)
      final.trainLoss = lossSum / static_cast<double>(batches);
    final.stepLosses = stepLosses;
    at.epoch = epoch;
    at.step += batches;
    final.history.push_back(
        {epoch, lr,
         oneLoss ? std::optional<double>(lossSum / batches) : std::nullopt,
         stepLosses});

    if (!isLoggedEpoch(epoch, options.epochs, options.logEvery))
      continue;
    Metrics line;
    line.trainLoss = final.trainLoss;
    line.stepLosses = final.stepLosses;
    line.trainSeconds = seconds;
    line.samplesPerSecond = seconds > 0 ? samplesPerEpoch / seconds : NAN;
    if (test) {
      EvalResult r = evaluate(model, *test);
      recordTestMetrics(r, line);
      recordTestMetrics(r, final);
      evaluated = true;
    }
    if (options.log)
      *options.log << formatEpochLine(epoch, options.epochs, line) << "\n"
                   << std::flush;
  }
  // Zero epochs still reports where the initial parameters stand.
  if (test && !evaluated) {
    recordTestMetrics(evaluate(model, *test), final);
  }
  final.trainSeconds = totalSeconds;
  final.samplesPerSecond = totalSeconds > 0 ? totalSamples / totalSeconds : 0;
  return final;
}

} // namespace dlnrt
