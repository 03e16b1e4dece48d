//===- DLNConvolutions.h - Convolution and pooling composites ---*- C++ -*-===//
//
// Convolutions and pooling over batched images [B, C, S1..Sn] (n = 1 or 2
// spatial dimensions, channel-first as PyTorch), built from dln.pad,
// dln.slice, dln.patches (im2col) and matmul: a convolution is its weights
// times the image's windows; pooling reduces the windows. Autodiff sees only
// those primitives. Shape errors are located and name the per-sample shapes.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNCONVOLUTIONS_H
#define DLNC_DIALECTS_DLN_IR_DLNCONVOLUTIONS_H

#include "dialects/DLN/IR/DLNComposites.h"

namespace mlir::dln {

/// How a convolution fills the border: zeros, the image as a torus
/// (circular), mirrored without the edge (reflect) or the edge repeated.
enum class PaddingMode { Zeros, Circular, Reflect, Replicate };

/// One entry per spatial dimension.
struct WindowOptions {
  SmallVector<int64_t> window, strides, dilations, padLow, padHigh;
  PaddingMode mode = PaddingMode::Zeros;
};

/// Pads the spatial dimensions of `x` ([B, C, S...]) by `low`/`high` per
/// dimension: with `value` (zeros mode) or from the image itself.
FailureOr<Value> padSpatial(OpBuilder &builder, Location loc, Value x,
                            ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                            PaddingMode mode, double value = 0.0);

/// `y` ([B, O, S...]) plus `bias` ([O]) along the channels; `y` when `bias`
/// is null.
Value addChannelBias(OpBuilder &builder, Location loc, Value y, Value bias);

/// `y[b, o] = bias[o] + sum over c in o's group and the window of w[o, c, k]
/// x[b, c, s * stride + k * dilation - padLow]`; `w` is [O, C / groups, K...]
/// (PyTorch's layout), `bias` [O] or null.
FailureOr<Value> convolution(OpBuilder &builder, Location loc, Value x,
                             Value w, Value bias, const WindowOptions &options,
                             int64_t groups);

/// The transposed convolution (the gradient of a convolution with respect
/// to its input, as PyTorch's conv_transpose): `w` is [I, O / groups, K...],
/// the output size `(S - 1) * stride - padLow - padHigh + dilation * (K - 1)
/// + outputPadding + 1`, the extra rows (outputPadding < stride) at the
/// high end.
FailureOr<Value> convolutionTranspose(OpBuilder &builder, Location loc,
                                      Value x, Value w, Value bias,
                                      const WindowOptions &options,
                                      ArrayRef<int64_t> outputPadding,
                                      int64_t groups);

/// Deformable convolution v1 (`mask` null) and v2, as torchvision's
/// deform_conv2d: x [B, C, H, W] is sampled bilinearly (zeros outside) at
/// each tap's position plus its offset, offsets [B, 2 * og * K, H', W'] as
/// (dy, dx) per tap, the mask [B, og * K, H', W'] scaling each sample; the
/// channels are split into `offsetGroups` (og) groups with their own
/// offsets. `w` is [O, C / groups, kh, kw], `bias` [O] or null.
FailureOr<Value> deformableConvolution(OpBuilder &builder, Location loc,
                                       Value x, Value offsets, Value mask,
                                       Value w, Value bias,
                                       const WindowOptions &options,
                                       int64_t groups, int64_t offsetGroups);

/// `parts` joined along `axis` (all other sizes equal): each placed by a
/// pad, summed.
FailureOr<Value> concatenate(OpBuilder &builder, Location loc,
                             ArrayRef<Value> parts, int64_t axis);

enum class PoolKind { Max, Average };

/// Max or average over each window; average divides by the window size, or
/// with `countIncludePad = false` by the count of image elements in it.
/// `overhang` (per spatial axis, or empty) extends the high padding for
/// ceil_mode's last windows; it never counts in an average.
FailureOr<Value> pool(OpBuilder &builder, Location loc, Value x, PoolKind kind,
                      const WindowOptions &options, bool countIncludePad,
                      ArrayRef<int64_t> overhang = {});

/// Resamples each spatial axis of [B, C, S...] to floor(S * scale), as
/// PyTorch's F.interpolate with scale_factor: nearest (source floor(o /
/// scale)) or linear interpolation (half-pixel centres, or with
/// `alignCorners` the corner pixels aligned). Each axis is a product with a
/// constant [S, S'] interpolation matrix, so the gradient is its transpose.
FailureOr<Value> upsample(OpBuilder &builder, Location loc, Value x,
                          double scale, bool linear, bool alignCorners);

/// Max or mean over all spatial positions: [B, C, S...] -> [B, C].
FailureOr<Value> globalPool(OpBuilder &builder, Location loc, Value x,
                            PoolKind kind);

} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNCONVOLUTIONS_H
