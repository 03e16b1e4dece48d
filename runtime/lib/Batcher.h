//===- Batcher.h - Shuffling and filling batches ----------------*- C++ -*-===//
//
// Compiled entry points take batches of any size B. Training feeds batches of
// a per-epoch shuffle, the last one smaller unless `drop_last` skips it;
// evaluation walks the samples in order, its last batch smaller too.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_BATCHER_H
#define DLNRT_LIB_BATCHER_H

#include "DataSource.h"
#include "Tensor.h"

#include <cstdint>
#include <vector>

namespace dlnrt {

/// A permutation of [0, n) that depends only on (seed, epoch): Fisher-Yates
/// over the identity.
std::vector<int64_t> shuffledOrder(int64_t n, uint64_t seed, int64_t epoch);

/// The permutation of [0, n) that a data split with seed `seed` divides:
/// the same Fisher-Yates over the identity, driven by Rng(seed, kStreamSplit).
std::vector<int64_t> splitOrder(int64_t n, uint64_t seed);

/// Number of training batches with the incomplete trailing batch dropped.
inline int64_t fullBatchCount(int64_t n, int64_t batch) { return n / batch; }
/// Number of batches when the last one may be partial.
inline int64_t paddedBatchCount(int64_t n, int64_t batch) {
  return (n + batch - 1) / batch;
}

/// Copies rows indices[0..count) of `ds` into rows 0..count of x and y, zeroing
/// the rest.
void gatherRows(const Dataset &ds, const int64_t *indices, int64_t count,
                Tensor &x, Tensor &y);

/// Copies `count` contiguous rows starting at row `first` of `src` (rows of
/// dst's row size) into dst and zeroes the remaining rows. A null src
/// zero-fills the whole of dst.
void copyRows(const void *src, int64_t first, int64_t count, Tensor &dst);

} // namespace dlnrt

#endif // DLNRT_LIB_BATCHER_H
