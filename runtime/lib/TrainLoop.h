//===- TrainLoop.h - Epochs of mini-batch training --------------*- C++ -*-===//
//
// Shuffle, batch, call train_step, and report: the loop `./model train`
// runs. Parameter initialization and data loading happen before it,
// checkpointing after it, so each can be tested on its own.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_TRAINLOOP_H
#define DLNRT_LIB_TRAINLOOP_H

#include "Checkpoint.h"
#include "DataSource.h"
#include "Metrics.h"
#include "Model.h"

#include <optional>
#include <string>
#include <vector>
#include <ostream>

namespace dlnrt {

struct TrainOptions {
  int64_t epochs = 1; // total, including epochs a resumed run already did
  uint64_t seed = 0;  // shuffling seed
  double lr = 0.1;    // passed only when train_step takes an lr
  /// Each epoch's learning rate from lr (null: lr throughout).
  std::optional<ScheduleSpec> lrSchedule;
  /// Skip an epoch's partial last batch instead of training it as a smaller
  /// batch.
  bool dropLast = false;
  /// The other optimizer groups' base rates ("lr.1", ...), scheduled alike.
  std::vector<std::pair<std::string, double>> groupLrs;
  /// The configuration's name for the metrics, when the model has several.
  std::optional<std::string> config;
  int64_t logEvery = 0;        // 0: every epoch; N: every N epochs and the last
  std::ostream *log = nullptr; // epoch lines; null: silent
  /// The loss is checked after every step; params and state are scanned for
  /// NaN and infinity every scanEvery steps and after each epoch's last step.
  int64_t scanEvery = 16;
};

/// Trains epochs progress.epoch + 1 .. options.epochs on `train`, evaluating
/// on `test` (may be null) after each logged epoch and at the end. Each epoch's
/// shuffle depends only on (seed, epoch), so a run resumed from a checkpoint's
/// counters matches an uninterrupted one bit for bit. `progress` (may be null:
/// start at zero) is advanced after every epoch. Returns the final metrics
/// (last epoch's train loss, total train-step time and throughput). Batches
/// have model.batch() rows (the whole split for a `batch = all` model), the
/// last one fewer. Throws if `train` is empty, or with dropLast has fewer
/// samples than one batch. Stops with DLNRT_DATA_ERROR naming the epoch, the
/// step (or the steps since the last clean scan) and the loss or first param
/// or state tensor that turned NaN or infinite, before anything can save it.
Metrics trainModel(Model &model, const Dataset &train, const Dataset *test,
                   const TrainOptions &options,
                   TrainCounters *progress = nullptr);

} // namespace dlnrt

#endif // DLNRT_LIB_TRAINLOOP_H
