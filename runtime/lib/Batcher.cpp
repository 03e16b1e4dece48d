//===- Batcher.cpp - Shuffling and filling fixed-size batches -------------===//
#include "Batcher.h"

#include "Rng.h"

#include <cstring>

namespace dlnrt {

/// Fisher-Yates over the identity: for i = n-1 down to 1, swap i with
/// rng.below(i + 1).
static std::vector<int64_t> permutation(int64_t n, Rng rng) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    order[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t j = static_cast<int64_t>(rng.below(static_cast<uint64_t>(i) + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

std::vector<int64_t> shuffledOrder(int64_t n, uint64_t seed, int64_t epoch) {
  return permutation(n,
                     Rng(seed, kStreamShuffle + static_cast<uint64_t>(epoch)));
}

std::vector<int64_t> splitOrder(int64_t n, uint64_t seed) {
  return permutation(n, Rng(seed, kStreamSplit));
}

static size_t rowBytes(const Tensor &t) {
  return t.shape().empty() || t.shape()[0] == 0 ? 0 : t.bytes() / t.shape()[0];
}

void gatherRows(const Dataset &ds, const int64_t *indices, int64_t count,
                Tensor &x, Tensor &y) {
  const size_t xRow = rowBytes(x), yRow = rowBytes(y);
  auto *xDst = static_cast<char *>(x.data());
  auto *yDst = static_cast<char *>(y.data());
  const auto *xSrc = static_cast<const char *>(ds.x.data());
  const auto *ySrc = static_cast<const char *>(ds.y.data());
  for (int64_t r = 0; r < count; ++r) {
    std::memcpy(xDst + r * xRow, xSrc + indices[r] * xRow, xRow);
    std::memcpy(yDst + r * yRow, ySrc + indices[r] * yRow, yRow);
  }
  std::memset(xDst + count * xRow, 0, x.bytes() - count * xRow);
  std::memset(yDst + count * yRow, 0, y.bytes() - count * yRow);
}

void copyRows(const void *src, int64_t first, int64_t count, Tensor &dst) {
  const size_t row = rowBytes(dst);
  auto *d = static_cast<char *>(dst.data());
  size_t copied = 0;
  if (src) {
    copied = count * row;
    std::memcpy(d, static_cast<const char *>(src) + first * row, copied);
  }
  std::memset(d + copied, 0, dst.bytes() - copied);
}

} // namespace dlnrt
