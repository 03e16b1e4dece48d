//===- FakeModel.h - Hand-written stand-in for a model ----------*- C++ -*-===//
//
// Linear regression pred = x . w + b with per-sample loss (pred - y)^2,
// implementing the three compiled entry points over memref descriptors exactly
// as dlnc's output would. Lets the runtime be tested end to end without the
// compiler. It also checks every descriptor it receives (rank, sizes, row-major
// strides, 64-byte alignment) and counts violations.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_TEST_FAKEMODEL_H
#define DLNRT_TEST_FAKEMODEL_H

#include "dlnrt/dlnrt.h"

#include <string>

namespace fake {

constexpr int kFeatures = 3;

/// Entry points for dtype f32 (f64 = false) or f64. When `wrongGradient` is
/// set, loss_and_grad returns a gradient off by a factor, so gradcheck must
/// fail.
dlnrt_model_abi linearAbi(bool f64, const char *manifest,
                          bool wrongGradient = false);

/// A manifest for the fake: params w 3x1 and b 1, input x 3, label y real 1,
/// output pred 1.
std::string linearManifest(const std::string &dtype, int batch,
                           const std::string &extraLines = "");

/// Descriptor problems seen by any fake entry point since the last reset.
int abiViolations();
void resetAbiViolations();

} // namespace fake

#endif // DLNRT_TEST_FAKEMODEL_H
