//===- Schedule.h - Learning-rate schedules ---------------------*- C++ -*-===//
//
// A train block's `lr_schedule` (manifest train.lr_schedule, docs/runtime.md)
// gives the learning rate of each epoch from the base rate, as
// torch.optim.lr_scheduler's closed forms do when stepped once per epoch.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_SCHEDULE_H
#define DLNRT_LIB_SCHEDULE_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dlnrt {

struct ScheduleSpec {
  /// "step", "multistep", "exponential", "cosine" or "warmup".
  std::string kind;
  double gamma = 0.1;
  int64_t stepSize = 1;
  std::vector<int64_t> milestones;
  double minLr = 0;
  int64_t epochs = 0; ///< cosine's period (0: the rest of the run), warm-up's
  double start = 1.0 / 3.0;
  /// What follows a warm-up (null: the base rate).
  std::shared_ptr<ScheduleSpec> then;
};

/// The learning rate of epoch `epoch` (0 for the first) of a run of
/// `totalEpochs` epochs starting from `base`.
double scheduledLr(const ScheduleSpec &schedule, double base, int64_t epoch,
                   int64_t totalEpochs);

} // namespace dlnrt

#endif // DLNRT_LIB_SCHEDULE_H
