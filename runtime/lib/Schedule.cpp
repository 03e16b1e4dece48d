//===- Schedule.cpp - Learning-rate schedules -----------------------------===//
#include "Schedule.h"

#include <algorithm>
#include <cmath>

namespace dlnrt {

double scheduledLr(const ScheduleSpec &s, double base, int64_t epoch,
                   int64_t totalEpochs) {
  if (s.kind == "step") // StepLR
    return base * std::pow(s.gamma, static_cast<double>(epoch / s.stepSize));
  if (s.kind == "multistep") { // MultiStepLR
    auto passed = std::count_if(s.milestones.begin(), s.milestones.end(),
                                [&](int64_t m) { return m <= epoch; });
    return base * std::pow(s.gamma, static_cast<double>(passed));
  }
  if (s.kind == "exponential") // ExponentialLR
    return base * std::pow(s.gamma, static_cast<double>(epoch));
  if (s.kind == "cosine") { // CosineAnnealingLR, T_max the period
    const double period =
        static_cast<double>(s.epochs > 0 ? s.epochs
                                         : std::max<int64_t>(1, totalEpochs));
    return s.minLr + (base - s.minLr) *
                         (1 + std::cos(M_PI * static_cast<double>(epoch) /
                                       period)) /
                         2;
  }
  // warmup: LinearLR from `start` to 1 over `epochs`, then `then` restarted
  // (SequentialLR with one milestone).
  if (epoch < s.epochs)
    return base * (s.start + (1 - s.start) * static_cast<double>(epoch) /
                                 static_cast<double>(s.epochs));
  if (!s.then)
    return base;
  return scheduledLr(*s.then, base, epoch - s.epochs,
                     std::max<int64_t>(1, totalEpochs - s.epochs));
}

} // namespace dlnrt
