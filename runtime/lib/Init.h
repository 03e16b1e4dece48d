//===- Init.h - Parameter initialization from manifest rules ----*- C++ -*-===//
//
// Turns a param line's init= rule (PyTorch/Keras conventions, fans supplied by
// the compiler) into values. All params draw from one kStreamInit generator in
// manifest order, so a seed fixes the whole initial model.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_INIT_H
#define DLNRT_LIB_INIT_H

#include "Manifest.h"
#include "Rng.h"
#include "Tensor.h"

#include <vector>

namespace dlnrt {

/// Fills `t` according to `spec`, drawing from `rng`.
void initTensor(Tensor &t, const InitSpec &spec, Rng &rng);

/// Initializes params[i] from specs[i] with a fresh generator for `seed`.
void initParams(std::vector<Tensor> &params,
                const std::vector<ParamSpec> &specs, uint64_t seed);
/// Initializes optimizer state the same way, from its own generator stream so
/// adding state never changes the params' initial values.
void initState(std::vector<Tensor> &state, const std::vector<ParamSpec> &specs,
               uint64_t seed);

} // namespace dlnrt

#endif // DLNRT_LIB_INIT_H
