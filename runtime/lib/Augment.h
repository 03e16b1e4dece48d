//===- Augment.h - data.augment on training batches -------------*- C++ -*-===//
//
// Random augmentation of training samples (random_crop, random_flip,
// noise), applied in order to each row of a gathered batch after the
// transforms. The draws come from one Rng per epoch, Rng(seed, 2000 +
// epoch), consumed row by row in batch order, so a run (and a resumed run)
// sees the same augmented samples.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_AUGMENT_H
#define DLNRT_LIB_AUGMENT_H

#include "Manifest.h"
#include "Rng.h"
#include "Tensor.h"

#include <vector>

namespace dlnrt {

/// Augments the first `rows` rows of `x` ([B] + `sample`, f32 or f64).
void augmentRows(const std::vector<AugmentSpec> &augments,
                 const Shape &sample, Tensor &x, int64_t rows, Rng &rng);

} // namespace dlnrt

#endif // DLNRT_LIB_AUGMENT_H
