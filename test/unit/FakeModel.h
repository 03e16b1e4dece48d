//===- FakeModel.h - Hand-written stand-in for a model ----------*- C++ -*-===//
//
// Linear regression pred = x . w + b with per-sample loss (pred - y)^2,
// implementing train_step, eval_step and loss_and_grad over memref descriptors
// exactly as dlnc's output would, with the JSON manifest and entry-point table
// that describe them. Lets the runtime be tested end to end without the
// compiler. It also checks every descriptor it receives (rank, sizes,
// row-major strides, 64-byte alignment) and counts violations.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_TEST_FAKEMODEL_H
#define DLNRT_TEST_FAKEMODEL_H

#include "dlnrt/dlnrt.h"

#include <nlohmann/json.hpp>

#include <string>

namespace fake {

constexpr int kFeatures = 3;
constexpr double kMomentum = 0.9;

/// Variants of the compiled code; the manifest must be made with the same.
struct Layout {
  /// Entry points take y before x (checks binding by role, not position).
  bool labelFirst = false;
  /// SGD with momentum: state tensors w.momentum and b.momentum, updated by
  /// train_step (v = kMomentum v + g; p -= lr v).
  bool momentum = false;
};

/// Entry-point table for dtype f32 (f64 = false) or f64. When
/// `wrongGradient` is set, loss_and_grad returns a gradient off by a factor,
/// so gradcheck must fail.
dlnrt_model_abi linearAbi(bool f64, const char *manifest,
                          bool wrongGradient = false, Layout layout = {});

/// The manifest of the fake as JSON: params w [3,1] and b [1], input x [3],
/// label y real [1], output pred [1], loss "loss", and the entry points of
/// `layout`. `patch` is merged in (RFC 7386), e.g. to add "data".
nlohmann::json linearManifestJson(const std::string &dtype, int batch,
                                  Layout layout = {});
std::string linearManifest(const std::string &dtype, int batch,
                           const nlohmann::json &patch = nullptr,
                           Layout layout = {});

/// A manifest without entry points, for tests below Model: input x
/// [inputSize], output o [outputSize], `label` (JSON object) and `params`
/// (JSON array).
std::string bareManifest(const std::string &dtype, int batch, int64_t inputSize,
                         const std::string &label, int64_t outputSize,
                         const std::string &params = "[]");

/// Descriptor problems seen by any fake entry point since the last reset.
int abiViolations();
void resetAbiViolations();

} // namespace fake

#endif // DLNRT_TEST_FAKEMODEL_H
