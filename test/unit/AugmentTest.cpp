//===- AugmentTest.cpp - random_crop, random_flip and noise ---------------===//
#include "Augment.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <set>

using namespace dlnrt;

namespace {

/// `rows` samples of `sample`, element i of each holding i + 1 (so a zero
/// can only come from zero padding).
Tensor counting(const Shape &sample, int64_t rows) {
  Shape shape{rows};
  shape.insert(shape.end(), sample.begin(), sample.end());
  Tensor x(DType::F64, shape, defaultAllocator());
  const int64_t size = numElements(sample);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < size; ++i)
      x.set(r * size + i, i + 1);
  return x;
}

std::vector<double> row(const Tensor &x, int64_t r, int64_t size) {
  std::vector<double> out(size);
  for (int64_t i = 0; i < size; ++i)
    out[i] = x.get(r * size + i);
  return out;
}

AugmentSpec crop(int64_t h, int64_t w, int64_t padding,
                 AugmentSpec::PaddingMode mode) {
  AugmentSpec a;
  a.kind = AugmentSpec::Kind::RandomCrop;
  a.height = h;
  a.width = w;
  a.padding = padding;
  a.mode = mode;
  return a;
}

} // namespace

// A padded crop is a shifted window: every output pixel is the input pixel
// at one common offset (dy, dx) in [-p, p]^2, or the padding's value.
TEST(Augment, CropIsAShiftedWindow) {
  const Shape sample{2, 5, 6};
  const int64_t rows = 200, size = 60, p = 2;
  for (auto mode :
       {AugmentSpec::PaddingMode::Zeros, AugmentSpec::PaddingMode::Circular,
        AugmentSpec::PaddingMode::Reflect}) {
    Tensor x = counting(sample, rows);
    Rng rng(7, kStreamAugment);
    augmentRows({crop(5, 6, p, mode)}, sample, x, rows, rng);
    std::set<std::pair<int64_t, int64_t>> offsets;
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<double> v = row(x, r, size);
      bool matched = false;
      for (int64_t dy = -p; dy <= p && !matched; ++dy)
        for (int64_t dx = -p; dx <= p && !matched; ++dx) {
          bool all = true;
          for (int64_t k = 0; k < 2 && all; ++k)
            for (int64_t y = 0; y < 5 && all; ++y)
              for (int64_t xx = 0; xx < 6 && all; ++xx) {
                int64_t sy = y + dy, sx = xx + dx;
                double expected;
                auto wrap = [&](int64_t i, int64_t n) -> int64_t {
                  if (i >= 0 && i < n)
                    return i;
                  if (mode == AugmentSpec::PaddingMode::Circular)
                    return (i + n) % n;
                  if (mode == AugmentSpec::PaddingMode::Reflect)
                    return i < 0 ? -i : 2 * (n - 1) - i;
                  return -1;
                };
                sy = wrap(sy, 5);
                sx = wrap(sx, 6);
                expected = sy < 0 || sx < 0 ? 0 : (k * 5 + sy) * 6 + sx + 1;
                all = v[(k * 5 + y) * 6 + xx] == expected;
              }
          if (all) {
            matched = true;
            offsets.insert({dy, dx});
          }
        }
      ASSERT_TRUE(matched) << "row " << r << " is not a shifted window";
    }
    // 200 draws over 25 offsets reach nearly all of them.
    EXPECT_GE(offsets.size(), 20u);
  }
}

// Without padding a crop of the full size changes nothing.
TEST(Augment, UnpaddedCropIsIdentity) {
  const Shape sample{1, 4, 4};
  Tensor x = counting(sample, 3);
  Rng rng(1, kStreamAugment);
  augmentRows({crop(4, 4, 0, AugmentSpec::PaddingMode::Zeros)}, sample, x, 3,
              rng);
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t i = 0; i < 16; ++i)
      EXPECT_EQ(x.get(r * 16 + i), i + 1);
}

// Flips mirror whole rows / columns of every channel, about p of the time.
TEST(Augment, FlipMirrorsWithProbabilityP) {
  const Shape sample{3, 2, 4};
  const int64_t rows = 2000, size = 24;
  Tensor x = counting(sample, rows);
  AugmentSpec flip;
  flip.kind = AugmentSpec::Kind::RandomFlip;
  flip.horizontal = true;
  flip.vertical = true;
  flip.p = 0.25;
  Rng rng(3, kStreamAugment);
  augmentRows({flip}, sample, x, rows, rng);
  int64_t horizontal = 0, vertical = 0;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> v = row(x, r, size);
    // Which flips explain the row?
    bool explained = false;
    for (int fy = 0; fy < 2 && !explained; ++fy)
      for (int fx = 0; fx < 2 && !explained; ++fx) {
        bool all = true;
        for (int64_t k = 0; k < 3; ++k)
          for (int64_t y = 0; y < 2; ++y)
            for (int64_t xx = 0; xx < 4; ++xx) {
              int64_t sy = fy ? 1 - y : y, sx = fx ? 3 - xx : xx;
              all &= v[(k * 2 + y) * 4 + xx] == (k * 2 + sy) * 4 + sx + 1;
            }
        if (all) {
          explained = true;
          horizontal += fx;
          vertical += fy;
        }
      }
    ASSERT_TRUE(explained) << "row " << r << " is not a flip of the input";
  }
  // Binomial(2000, 0.25): mean 500, sd ~19.
  EXPECT_NEAR(horizontal, 500, 100);
  EXPECT_NEAR(vertical, 500, 100);
}

// A [C, L] sample flips along L; vertical flips have no axis to act on.
TEST(Augment, SequenceFlip) {
  const Shape sample{2, 5};
  Tensor x = counting(sample, 1);
  AugmentSpec flip;
  flip.kind = AugmentSpec::Kind::RandomFlip;
  flip.vertical = true;
  flip.p = 1;
  Rng rng(3, kStreamAugment);
  augmentRows({flip}, sample, x, 1, rng);
  EXPECT_EQ(row(x, 0, 10),
            (std::vector<double>{5, 4, 3, 2, 1, 10, 9, 8, 7, 6}));
}

// Noise adds N(0, std^2) independently per element; the same (seed,
// stream) draws the same noise.
TEST(Augment, NoiseStatisticsAndDeterminism) {
  const Shape sample{100};
  Tensor a(DType::F32, {50, 100}, defaultAllocator());
  Tensor b(DType::F32, {50, 100}, defaultAllocator());
  AugmentSpec noise;
  noise.kind = AugmentSpec::Kind::Noise;
  noise.std = 0.5;
  Rng ra(11, kStreamAugment + 1), rb(11, kStreamAugment + 1);
  augmentRows({noise}, sample, a, 50, ra);
  augmentRows({noise}, sample, b, 50, rb);
  double sum = 0, squares = 0;
  for (int64_t i = 0; i < 5000; ++i) {
    ASSERT_EQ(a.get(i), b.get(i));
    sum += a.get(i);
    squares += a.get(i) * a.get(i);
  }
  EXPECT_NEAR(sum / 5000, 0, 0.03);
  EXPECT_NEAR(std::sqrt(squares / 5000), 0.5, 0.03);
}

// Only the first `rows` rows change: the padded tail of a last batch is
// left alone.
TEST(Augment, LeavesRowsPastTheCount) {
  const Shape sample{4};
  Tensor x(DType::F32, {3, 4}, defaultAllocator());
  AugmentSpec noise;
  noise.kind = AugmentSpec::Kind::Noise;
  noise.std = 1;
  Rng rng(1, kStreamAugment);
  augmentRows({noise}, sample, x, 2, rng);
  for (int64_t i = 8; i < 12; ++i)
    EXPECT_EQ(x.get(i), 0);
  EXPECT_NE(x.get(0), 0);
}
