//===- Rng.cpp - Deterministic, platform-independent random numbers -------===//
#include "Rng.h"

#include <cmath>

namespace dlnrt {

static uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

Rng::Rng(uint64_t seed, uint64_t stream) {
  // Mix the stream in through a second splitmix pass so nearby (seed, stream)
  // pairs diverge.
  uint64_t st = seed;
  uint64_t mixedSeed = splitmix64(st);
  uint64_t state = mixedSeed ^ (stream * 0xD1B54A32D192ED03ULL);
  for (uint64_t &w : s_)
    w = splitmix64(state);
}

uint64_t Rng::nextU64() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() {
  return static_cast<double>(nextU64() >> 11) * 0x1.0p-53;
}

uint64_t Rng::below(uint64_t bound) {
  // Rejection keeps the draw exactly uniform; a modulo alone would favour small
  // values.
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do
    x = nextU64();
  while (x >= limit);
  return x % bound;
}

double Rng::normal() {
  double u1 = 1.0 - uniform(); // (0, 1]: log(0) is never taken
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

} // namespace dlnrt
