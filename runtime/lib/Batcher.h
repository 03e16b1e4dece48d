//===- Batcher.h - Shuffling and filling fixed-size batches -----*- C++ -*-===//
//
// Compiled entry points have a static batch B. Training feeds batches of a
// per-epoch shuffle; its last partial batch is padded with rows from the start
// of the order and a mask leaves them out of the step's means (or it is
// dropped: `drop_last`, or a train step without a mask). Evaluation must see
// every sample, so its last batch is zero-padded and callers count only the
// valid rows.
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
/// Number of batches when the last one may be partial (padded).
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
