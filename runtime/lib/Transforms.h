//===- Transforms.h - data.transforms on the feature matrices ---*- C++ -*-===//
//
// Feature preprocessing the program asked for (standardize, scale, normalize,
// binarize), applied in order to x of every split after loading. Statistics
// are fitted on the training split only, as scikit-learn's StandardScaler is
// fitted on the training data, so the test split never leaks into them.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_TRANSFORMS_H
#define DLNRT_LIB_TRANSFORMS_H

#include "DataSource.h"
#include "Manifest.h"

#include <vector>

namespace dlnrt {

/// Whether some transform takes statistics from the training split.
bool transformsNeedTrain(const std::vector<TransformSpec> &transforms);

/// Applies `transforms` in order to train->x and test->x (either may be
/// null). standardize subtracts each feature's mean and divides by its
/// population standard deviation (ddof 0), both computed in double from the
/// training split as the preceding transforms left it; a feature with
/// standard deviation 0 is only centred. Throws when standardize has no
/// training split.
void applyTransforms(const std::vector<TransformSpec> &transforms,
                     Dataset *train, Dataset *test);

} // namespace dlnrt

#endif // DLNRT_LIB_TRANSFORMS_H
