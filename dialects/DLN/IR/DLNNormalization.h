//===- DLNNormalization.h - Batch normalization composites ------*- C++ -*-===//
//
// Batch normalization over batched values [B, C, S...] (PyTorch's
// BatchNorm1d/2d: channels are dimension 1, statistics are taken over the
// batch and every spatial position), built from reductions and element-wise
// ops so that autodiff differentiates through the batch statistics.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNNORMALIZATION_H
#define DLNC_DIALECTS_DLN_IR_DLNNORMALIZATION_H

#include "dialects/DLN/IR/DLNComposites.h"

namespace mlir::dln {

/// Per-channel statistics of a batch: each [C].
struct ChannelStatistics {
  Value mean;
  /// The biased variance (divided by n), which normalization uses.
  Value variance;
  /// n / (n - 1), rank 0: turns `variance` into the unbiased estimate that
  /// running statistics track.
  Value besselFactor;
};

/// The mean and variance of `x` ([B, C, S...]) per channel.
ChannelStatistics channelStatistics(OpBuilder &builder, Location loc, Value x);

/// `(x - mean) / sqrt(variance + eps) * gamma + beta` with [C] statistics
/// and affine parameters broadcast along dimension 1; `gamma` and `beta` may
/// be null (no affine transform).
Value normalizeChannels(OpBuilder &builder, Location loc, Value x, Value mean,
                        Value variance, Value gamma, Value beta, double eps);

} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNNORMALIZATION_H
