//===- Augment.cpp - data.augment on training batches ---------------------===//
#include "Augment.h"

#include <algorithm>
#include <vector>

namespace dlnrt {

namespace {
/// Index `i` of a padded axis of size `n` (padding p on each side) in the
/// unpadded one, or -1 for a zero.
int64_t sourceIndex(int64_t i, int64_t n, AugmentSpec::PaddingMode mode) {
  if (i >= 0 && i < n)
    return i;
  switch (mode) {
  case AugmentSpec::PaddingMode::Zeros:
    return -1;
  case AugmentSpec::PaddingMode::Circular:
    return ((i % n) + n) % n;
  case AugmentSpec::PaddingMode::Reflect:
    // Mirrored without repeating the edge, as F.pad(mode="reflect").
    return i < 0 ? -i : 2 * (n - 1) - i;
  }
  return -1;
}

/// One sample [C, H, W] (H = 1 for [C, L]) as doubles, augmented in place.
struct Image {
  std::vector<double> &v;
  int64_t c, h, w;
  double &at(int64_t k, int64_t y, int64_t x) { return v[(k * h + y) * w + x]; }
};

void randomCrop(Image img, const AugmentSpec &a, Rng &rng,
                std::vector<double> &scratch) {
  const int64_t p = a.padding;
  // The window's top-left corner in padded coordinates: [0, 2p] per axis
  // (height only when the sample has one).
  const int64_t dy = img.h > 1 ? static_cast<int64_t>(rng.below(2 * p + 1)) : p;
  const int64_t dx = static_cast<int64_t>(rng.below(2 * p + 1));
  scratch.assign(img.v.begin(), img.v.end());
  Image from{scratch, img.c, img.h, img.w};
  for (int64_t k = 0; k < img.c; ++k)
    for (int64_t y = 0; y < img.h; ++y) {
      const int64_t sy = sourceIndex(y + dy - p, img.h, a.mode);
      for (int64_t x = 0; x < img.w; ++x) {
        const int64_t sx = sourceIndex(x + dx - p, img.w, a.mode);
        img.at(k, y, x) = sy < 0 || sx < 0 ? 0.0 : from.at(k, sy, sx);
      }
    }
}

void randomFlip(Image img, const AugmentSpec &a, Rng &rng) {
  // One draw per enabled axis, as RandomHorizontalFlip then
  // RandomVerticalFlip.
  const bool flipX = a.horizontal && rng.uniform() < a.p;
  const bool flipY = a.vertical && img.h > 1 && rng.uniform() < a.p;
  for (int64_t k = 0; k < img.c; ++k) {
    if (flipX)
      for (int64_t y = 0; y < img.h; ++y)
        std::reverse(&img.at(k, y, 0), &img.at(k, y, 0) + img.w);
    if (flipY)
      for (int64_t y = 0; y < img.h / 2; ++y)
        std::swap_ranges(&img.at(k, y, 0), &img.at(k, y, 0) + img.w,
                         &img.at(k, img.h - 1 - y, 0));
  }
}
} // namespace

void augmentRows(const std::vector<AugmentSpec> &augments, const Shape &sample,
                 Tensor &x, int64_t rows, Rng &rng) {
  if (augments.empty())
    return;
  const int64_t size = numElements(sample);
  const int64_t c = sample.empty() ? 1 : sample[0];
  const int64_t h = sample.size() == 3 ? sample[1] : 1;
  const int64_t w = sample.empty() ? 1 : sample.back();
  std::vector<double> values(static_cast<size_t>(size)), scratch;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = r * size;
    for (int64_t i = 0; i < size; ++i)
      values[i] = x.get(base + i);
    Image img{values, c, h, w};
    for (const AugmentSpec &a : augments) {
      switch (a.kind) {
      case AugmentSpec::Kind::RandomCrop:
        randomCrop(img, a, rng, scratch);
        break;
      case AugmentSpec::Kind::RandomFlip:
        randomFlip(img, a, rng);
        break;
      case AugmentSpec::Kind::Noise:
        for (double &v : values)
          v += a.std * rng.normal();
        break;
      }
    }
    for (int64_t i = 0; i < size; ++i)
      x.set(base + i, values[i]);
  }
}

} // namespace dlnrt
