//===- Rng.h - Deterministic, portable random numbers -----------*- C++ -*-===//
//
// Results must be bit-identical across compilers and standard libraries, which
// rules out the <random> distributions (their algorithms are
// implementation-defined). This is xoshiro256** seeded through splitmix64, with
// our own uniform, bounded-integer and Box-Muller normal draws. A (seed,
// stream) pair selects an independent sequence so that, e.g., parameter init
// and data shuffling never perturb each other.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_RNG_H
#define DLNRT_LIB_RNG_H

#include <cstdint>

namespace dlnrt {

/// Well-known stream ids; callers derive per-epoch streams by adding the epoch.
enum RngStream : uint64_t {
  kStreamInit = 1,
  kStreamGradCheckData = 2,
  kStreamGradCheckCoords = 3,
  kStreamInitState = 4,
  kStreamSplit = 5,      // data splits: Rng(split seed, kStreamSplit)
  kStreamShuffle = 1000, // + epoch
  kStreamAugment = 2000, // + epoch
};

class Rng {
public:
  Rng(uint64_t seed, uint64_t stream);

  uint64_t nextU64();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Unbiased integer in [0, bound); bound > 0.
  uint64_t below(uint64_t bound);
  /// Standard normal via Box-Muller (one draw per call; the pair's sine half is
  /// discarded so a draw's value depends only on how many draws preceded it).
  double normal();

private:
  uint64_t s_[4];
};

} // namespace dlnrt

#endif // DLNRT_LIB_RNG_H
