//===- Builtins.cpp - The registry of builtin functions -------------------===//
#include "frontend/Builtins.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "dialects/DLN/IR/DLNConvolutions.h"
#include "dialects/DLN/IR/DLNLosses.h"
#include "dialects/DLN/IR/DLNMetrics.h"

#include <cmath>
#include <cstdio>

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

namespace {
template <typename OpTy> FailureOr<Value> unary(const BuiltinCall &c) {
  return OpTy::create(c.builder, c.loc, c.args[0]).getResult();
}

/// Applies `normalize` (along the last dimension) along the `axis` option:
/// a per-sample axis, negative from the end (-1, the default, is the last);
/// another axis is swapped with the last one around it.
FailureOr<Value> alongAxis(const BuiltinCall &c,
                           Value (*normalize)(OpBuilder &, Location, Value)) {
  Value x = c.args[0];
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t sampleRank = rank - (c.batched ? 1 : 0);
  double axis = c.options[0];
  int64_t resolved = static_cast<int64_t>(axis) + (axis < 0 ? sampleRank : 0);
  if (axis != std::floor(axis) || resolved < 0 || resolved >= sampleRank)
    return emitError(c.loc) << "'axis' " << axis << " is not an axis of a "
                            << sampleRank << "-d value per sample",
           failure();
  int64_t full = resolved + (rank - sampleRank);
  if (full == rank - 1)
    return normalize(c.builder, c.loc, x);
  SmallVector<int64_t> swap = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(swap[full], swap.back());
  Value swapped = TransposeOp::create(c.builder, c.loc, x, swap);
  return TransposeOp::create(c.builder, c.loc,
                             normalize(c.builder, c.loc, swapped), swap)
      .getResult();
}

FailureOr<Value> buildSoftmax(const BuiltinCall &c) {
  return alongAxis(c, softmax);
}

/// max(x, slope * x) for slope < 1: one primitive and its subgradient.
FailureOr<Value> buildLeakyRelu(const BuiltinCall &c) {
  Value x = c.args[0];
  Value slope = splatLike(c.builder, c.loc, x, c.options[0]);
  return MaxOp::create(c.builder, c.loc, x,
                       MulOp::create(c.builder, c.loc, x, slope))
      .getResult();
}

/// 1 where x >= 0, else 0; no derivative.
FailureOr<Value> buildHeaviside(const BuiltinCall &c) {
  Value x = c.args[0];
  return CompareOp::create(c.builder, c.loc, ComparePredicate::ge, x,
                           splatLike(c.builder, c.loc, x, 0.0))
      .getResult();
}

/// x where x > 0, else alpha (exp(x) - 1).
FailureOr<Value> buildElu(const BuiltinCall &c) {
  Value x = c.args[0];
  Value negative = MulOp::create(
      c.builder, c.loc, splatLike(c.builder, c.loc, x, c.options[0]),
      SubOp::create(c.builder, c.loc, ExpOp::create(c.builder, c.loc, x),
                    splatLike(c.builder, c.loc, x, 1.0)));
  Value positive =
      CompareOp::create(c.builder, c.loc, ComparePredicate::gt, x,
                        splatLike(c.builder, c.loc, x, 0.0));
  return SelectOp::create(c.builder, c.loc, positive, x, negative).getResult();
}

/// log(1 + exp(beta x)) / beta, as max(bx, 0) + log(1 + exp(-|bx|)) so that
/// it never overflows; linear where beta x > threshold, as PyTorch.
FailureOr<Value> buildSoftplus(const BuiltinCall &c) {
  double beta = c.options[0], threshold = c.options[1];
  if (beta <= 0)
    return emitError(c.loc) << "softplus expects 'beta' > 0", failure();
  Value x = c.args[0];
  auto constant = [&](double v) { return splatLike(c.builder, c.loc, x, v); };
  Value bx = MulOp::create(c.builder, c.loc, x, constant(beta));
  Value tail = LogOp::create(
      c.builder, c.loc,
      AddOp::create(c.builder, c.loc, constant(1.0),
                    ExpOp::create(c.builder, c.loc,
                                  NegOp::create(c.builder, c.loc,
                                                AbsOp::create(c.builder, c.loc,
                                                              bx)))));
  Value smooth = MulOp::create(
      c.builder, c.loc,
      AddOp::create(c.builder, c.loc,
                    MaxOp::create(c.builder, c.loc, bx, constant(0.0)), tail),
      constant(1.0 / beta));
  Value linear = CompareOp::create(c.builder, c.loc, ComparePredicate::gt, bx,
                                   constant(threshold));
  return SelectOp::create(c.builder, c.loc, linear, x, smooth).getResult();
}

FailureOr<Value> buildLogSoftmax(const BuiltinCall &c) {
  return alongAxis(c, logSoftmax);
}

FailureOr<Value> buildIdentity(const BuiltinCall &c) { return c.args[0]; }

FailureOr<Value> buildSquare(const BuiltinCall &c) {
  return MulOp::create(c.builder, c.loc, c.args[0], c.args[0]).getResult();
}

/// `reduction = sum` of an element-wise loss: its per-sample mean times
/// the sample's element count (the batch is always averaged, docs 13.1).
template <FailureOr<Value> (*PerSampleMean)(OpBuilder &, Location, Value,
                                            Value)>
FailureOr<Value> buildReducedLoss(const BuiltinCall &c) {
  FailureOr<Value> mean = PerSampleMean(c.builder, c.loc, c.args[0], c.args[1]);
  if (failed(mean) || c.options[0] == 0)
    return mean;
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(c.args[0].getType()).getShape();
  int64_t count = 1;
  for (int64_t size : c.batched ? shape.drop_front() : shape)
    count *= size;
  return MulOp::create(c.builder, c.loc, *mean,
                       splatLike(c.builder, c.loc, *mean, count))
      .getResult();
}

/// Binary with real targets in {-1, +1}; multi-class with class labels.
FailureOr<Value> buildHinge(const BuiltinCall &c) {
  auto labels = cast<RankedTensorType>(c.args[1].getType());
  if (isa<IntegerType>(labels.getElementType()))
    return multiMarginHinge(c.builder, c.loc, c.args[0], c.args[1],
                            c.numClasses, c.options[0]);
  return hinge(c.builder, c.loc, c.args[0], c.args[1], c.options[0]);
}

FailureOr<Value> buildCrossEntropy(const BuiltinCall &c) {
  auto labels = cast<RankedTensorType>(c.args[1].getType());
  if (!isa<IntegerType>(labels.getElementType()) || c.numClasses == 0)
    return emitError(c.loc) << "cross_entropy expects class labels (declare "
                               "the label as 'class[N]'); use mse for "
                               "real-valued targets",
           failure();
  double smoothing = c.options[0];
  if (smoothing < 0 || smoothing > 1)
    return emitError(c.loc)
               << "cross_entropy expects 'label_smoothing' in [0, 1]",
           failure();
  return crossEntropy(c.builder, c.loc, c.args[0], c.args[1], c.numClasses,
                      smoothing);
}

FailureOr<Value> buildPerceptronLoss(const BuiltinCall &c) {
  if (isa<IntegerType>(
          cast<RankedTensorType>(c.args[1].getType()).getElementType()))
    return emitError(c.loc) << "perceptron_loss expects targets in {-1, +1} "
                               "(declare the label as f32[K]), not class ids",
           failure();
  return perceptronLoss(c.builder, c.loc, c.args[0], c.args[1]);
}

/// `k` must be a whole number of classes.
FailureOr<Value> buildTopK(const BuiltinCall &c) {
  double k = c.options[0];
  if (k != std::floor(k)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", k);
    return emitError(c.loc) << "top_k expects an integer k, got " << text,
           failure();
  }
  return topK(c.builder, c.loc, c.args[0], c.args[1], c.numClasses,
              static_cast<int64_t>(k));
}

FailureOr<Value> buildLogLikelihood(const BuiltinCall &c) {
  return logLikelihood(c.builder, c.loc, c.args[0], c.args[1], c.numClasses);
}

FailureOr<Value> buildReconstructionError(const BuiltinCall &c) {
  return reconstructionError(c.builder, c.loc, c.args[0], c.args[1]);
}

FailureOr<Value> buildPsnr(const BuiltinCall &c) {
  return psnr(c.builder, c.loc, c.args[0], c.args[1], c.options[0]);
}

/// max_poolNd / avg_poolNd(x, kernel, stride = kernel, padding = 0,
/// dilation = 1 (max only), ceil_mode = false [, count_include_pad = true]):
/// options kernel, stride (0: the kernel), padding, then dilation and
/// ceil_mode (max) or ceil_mode and count_include_pad (average).
template <int64_t Rank, PoolKind Kind>
FailureOr<Value> buildPool(const BuiltinCall &c) {
  auto whole = [&](double v, StringRef name,
                   double minimum) -> FailureOr<int64_t> {
    if (v != std::floor(v) || v < minimum)
      return emitError(c.loc) << "pooling '" << name
                              << "' expects an integer >= " << minimum,
             failure();
    return static_cast<int64_t>(v);
  };
  bool isMax = Kind == PoolKind::Max;
  FailureOr<int64_t> kernel = whole(c.options[0], "kernel", 1);
  FailureOr<int64_t> stride = whole(c.options[1], "stride", 0);
  FailureOr<int64_t> padding = whole(c.options[2], "padding", 0);
  FailureOr<int64_t> dilation =
      isMax ? whole(c.options[3], "dilation", 1) : FailureOr<int64_t>(1);
  if (failed(kernel) || failed(stride) || failed(padding) || failed(dilation))
    return failure();
  bool ceilMode = c.options[isMax ? 4 : 3] != 0;
  // Every window must hold an input element (ONNX allows up to kernel - 1;
  // PyTorch stops at half the kernel).
  if (*padding >= *kernel)
    return emitError(c.loc) << "pooling padding " << *padding
                            << " must be smaller than the kernel " << *kernel
                            << " (a window would hold only padding)",
           failure();
  WindowOptions window;
  window.window.assign(Rank, *kernel);
  window.strides.assign(Rank, *stride ? *stride : *kernel);
  window.dilations.assign(Rank, *dilation);
  window.padLow.assign(Rank, *padding);
  window.padHigh.assign(Rank, *padding);
  // ceil_mode: one more window where the last would be partial, as
  // PyTorch, unless it would start beyond the image and the low padding.
  SmallVector<int64_t> overhang(Rank, 0);
  auto type = cast<RankedTensorType>(c.args[0].getType());
  for (int64_t i = 0; ceilMode && i < Rank && type.getRank() == Rank + 2;
       ++i) {
    int64_t size = type.getDimSize(2 + i), s = window.strides[i];
    int64_t span = *dilation * (*kernel - 1) + 1;
    int64_t room = size + 2 * *padding - span;
    if (ShapedType::isDynamic(size) || room < 0)
      continue; // pool() reports a window that does not fit
    int64_t count = (room + s - 1) / s + 1;
    if ((count - 1) * s >= size + *padding)
      --count;
    // Negative when the dropped window leaves the floor count.
    overhang[i] =
        std::max<int64_t>(0, (count - 1) * s + span - (size + 2 * *padding));
  }
  bool countIncludePad = isMax || c.options[4] != 0;
  return pool(c.builder, c.loc, c.args[0], Kind, window, countIncludePad,
              overhang);
}

/// upsample(x, scale = 2, mode = nearest | bilinear | linear,
/// align_corners = false): bilinear and linear both interpolate linearly
/// along every spatial axis.
FailureOr<Value> buildUpsample(const BuiltinCall &c) {
  bool linear = c.options[1] != 0;
  bool alignCorners = c.options[2] != 0;
  if (alignCorners && !linear)
    return emitError(c.loc) << "align_corners applies to linear "
                               "interpolation (mode = bilinear)",
           failure();
  return upsample(c.builder, c.loc, c.args[0], c.options[0], linear,
                  alignCorners);
}

template <PoolKind Kind> FailureOr<Value> buildGlobalPool(const BuiltinCall &c) {
  return globalPool(c.builder, c.loc, c.args[0], Kind);
}

/// where(c, a, b): `a` where `c` is nonzero, else `b`, broadcast together.
/// The call's tensor arguments broadcast to their common NumPy shape.
FailureOr<SmallVector<Value>> broadcastArguments(const BuiltinCall &c) {
  SmallVector<int64_t> shape;
  for (Value arg : c.args) {
    FailureOr<SmallVector<int64_t>> joined = broadcastShapes(
        c.loc, shape, cast<RankedTensorType>(arg.getType()).getShape());
    if (failed(joined))
      return failure();
    shape = *joined;
  }
  SmallVector<Value> spread;
  for (Value arg : c.args) {
    FailureOr<Value> b = broadcastTo(c.builder, c.loc, arg, shape, c.args);
    if (failed(b))
      return failure();
    spread.push_back(*b);
  }
  return spread;
}

FailureOr<Value> buildWhere(const BuiltinCall &c) {
  FailureOr<SmallVector<Value>> spread = broadcastArguments(c);
  if (failed(spread))
    return failure();
  return SelectOp::create(c.builder, c.loc, (*spread)[0], (*spread)[1],
                          (*spread)[2])
      .getResult();
}

/// kl_normal(mu, logvar) = KL(N(mu, exp(logvar)) || N(0, I)) per sample:
/// -0.5 * sum(1 + logvar - mu^2 - exp(logvar)).
FailureOr<Value> buildKlNormal(const BuiltinCall &c) {
  Value mu = c.args[0], logvar = c.args[1];
  auto type = cast<RankedTensorType>(mu.getType());
  if (type != logvar.getType() || !c.batched || type.getRank() < 2)
    return emitError(c.loc) << "kl_normal expects per-sample mu and logvar of "
                               "one shape, got "
                            << mu.getType() << " and " << logvar.getType(),
           failure();
  OpBuilder &b = c.builder;
  Value terms = SubOp::create(
      b, c.loc,
      SubOp::create(b, c.loc,
                    AddOp::create(b, c.loc, splatLike(b, c.loc, mu, 1.0),
                                  logvar),
                    MulOp::create(b, c.loc, mu, mu)),
      ExpOp::create(b, c.loc, logvar));
  auto axes = llvm::to_vector(llvm::seq<int64_t>(1, type.getRank()));
  Value sum = reduceSum(b, c.loc, terms, axes);
  return MulOp::create(b, c.loc, sum, splatLike(b, c.loc, sum, -0.5))
      .getResult();
}

/// clip(x, lo, hi) = min(max(x, lo), hi), as torch.clamp: the gradient
/// flows where x is inside [lo, hi] (to the bound where it is not).
FailureOr<Value> buildClip(const BuiltinCall &c) {
  FailureOr<SmallVector<Value>> args = broadcastArguments(c);
  if (failed(args))
    return failure();
  ArrayRef<Value> spread = *args;
  Value atLeast = MaxOp::create(c.builder, c.loc, spread[0], spread[1]);
  // min(a, b) = -max(-a, -b).
  Value negated = MaxOp::create(c.builder, c.loc,
                                NegOp::create(c.builder, c.loc, atLeast),
                                NegOp::create(c.builder, c.loc, spread[2]));
  return NegOp::create(c.builder, c.loc, negated).getResult();
}

FailureOr<Value> buildIou(const BuiltinCall &c) {
  return intersectionOverUnion(c.builder, c.loc, c.args[0], c.args[1]);
}

FailureOr<Value> buildNll(const BuiltinCall &c) {
  return nll(c.builder, c.loc, c.args[0], c.args[1], c.numClasses);
}

FailureOr<Value> buildMatmul(const BuiltinCall &c) {
  return createChecked<MatmulOp>(c.builder, c.loc, c.args[0], c.args[1], false,
                                 false);
}

const BuiltinOption axisOptions[] = {{"axis", -1.0}};
const BuiltinOption leakyReluOptions[] = {{"slope", 0.01}};
const BuiltinOption eluOptions[] = {{"alpha", 1.0}};
const BuiltinOption softplusOptions[] = {{"beta", 1.0}, {"threshold", 20.0}};
const BuiltinOption hingeOptions[] = {{"margin", 1.0}};
const BuiltinOption crossEntropyOptions[] = {{"label_smoothing", 0.0}};
const BuiltinOption topKOptions[] = {{"k", 5.0}};
const BuiltinOption psnrOptions[] = {{"max", 1.0}};
const llvm::StringLiteral reductionWords[] = {"mean", "sum"};
const BuiltinOption reductionOptions[] = {{"reduction", 0.0, reductionWords}};
const BuiltinOption maxPoolOptions[] = {{"kernel", 2.0},
                                        {"stride", 0.0},
                                        {"padding", 0.0},
                                        {"dilation", 1.0},
                                        {"ceil_mode", 0.0}};
const llvm::StringLiteral upsampleModes[] = {"nearest", "bilinear",
                                             "linear"};
const BuiltinOption upsampleOptions[] = {
    {"scale", 2.0}, {"mode", 0.0, upsampleModes}, {"align_corners", 0.0}};
const BuiltinOption avgPoolOptions[] = {{"kernel", 2.0},
                                        {"stride", 0.0},
                                        {"padding", 0.0},
                                        {"ceil_mode", 0.0},
                                        {"count_include_pad", 1.0}};

const Builtin builtins[] = {
    // Activations (docs/language.md 9.2).
    {"sigmoid", 1, {}, unary<SigmoidOp>},
    {"tanh", 1, {}, unary<TanhOp>},
    {"relu", 1, {}, unary<ReluOp>},
    {"leaky_relu", 1, leakyReluOptions, buildLeakyRelu},
    {"elu", 1, eluOptions, buildElu},
    {"softplus", 1, softplusOptions, buildSoftplus},
    {"softmax", 1, axisOptions, buildSoftmax},
    {"log_softmax", 1, axisOptions, buildLogSoftmax},
    {"heaviside", 1, {}, buildHeaviside},
    {"sign", 1, {}, unary<SignOp>},
    {"identity", 1, {}, buildIdentity},
    // Element-wise math (9.3).
    {"where", 3, {}, buildWhere},
    {"clip", 3, {}, buildClip},
    {"exp", 1, {}, unary<ExpOp>},
    {"log", 1, {}, unary<LogOp>},
    {"abs", 1, {}, unary<AbsOp>},
    {"sqrt", 1, {}, unary<SqrtOp>},
    {"floor", 1, {}, unary<FloorOp>},
    {"square", 1, {}, buildSquare},
    {"stop_gradient", 1, {}, unary<StopGradientOp>},
    {"matmul", 2, {}, buildMatmul},
    // Losses (11).
    {"mse", 2, reductionOptions, buildReducedLoss<mse>, /*isLoss=*/true},
    // Not `l1`: builtins cannot be shadowed, and layers are often named l1.
    {"mae", 2, reductionOptions, buildReducedLoss<l1Loss>, /*isLoss=*/true},
    {"l1_loss", 2, reductionOptions, buildReducedLoss<l1Loss>,
     /*isLoss=*/true},
    {"binary_cross_entropy", 2, reductionOptions,
     buildReducedLoss<binaryCrossEntropy>, /*isLoss=*/true},
    {"bce", 2, reductionOptions, buildReducedLoss<binaryCrossEntropy>,
     /*isLoss=*/true},
    {"bce_with_logits", 2, reductionOptions, buildReducedLoss<bceWithLogits>,
     /*isLoss=*/true},
    {"hinge", 2, hingeOptions, buildHinge, /*isLoss=*/true},
    {"cross_entropy", 2, crossEntropyOptions, buildCrossEntropy,
     /*isLoss=*/true},
    {"nll", 2, {}, buildNll, /*isLoss=*/true},
    {"kl_normal", 2, {}, buildKlNormal, /*isLoss=*/true},
    // The perceptron criterion: the hinge loss with margin 0.
    {"perceptron_loss", 2, {}, buildPerceptronLoss, /*isLoss=*/true},
    // Metrics (13.3): per-sample values, averaged over a split.
    {"top_k", 2, topKOptions, buildTopK},
    {"log_likelihood", 2, {}, buildLogLikelihood},
    {"reconstruction_error", 2, {}, buildReconstructionError},
    {"psnr", 2, psnrOptions, buildPsnr},
    {"iou", 2, {}, buildIou},
    // Pooling (9.4): per-sample images [C, S...].
    {"max_pool1d", 1, maxPoolOptions, buildPool<1, PoolKind::Max>, false, true},
    {"max_pool2d", 1, maxPoolOptions, buildPool<2, PoolKind::Max>, false, true},
    {"avg_pool1d", 1, avgPoolOptions, buildPool<1, PoolKind::Average>, false,
     true},
    {"avg_pool2d", 1, avgPoolOptions, buildPool<2, PoolKind::Average>, false,
     true},
    {"global_avg_pool", 1, {}, buildGlobalPool<PoolKind::Average>, false,
     true},
    {"global_max_pool", 1, {}, buildGlobalPool<PoolKind::Max>, false, true},
    {"upsample", 1, upsampleOptions, buildUpsample, false, true},
};
} // namespace

const Builtin *dlnc::lookupBuiltin(llvm::StringRef name) {
  for (const Builtin &builtin : builtins)
    if (builtin.name == name)
      return &builtin;
  return nullptr;
}

llvm::ArrayRef<Builtin> dlnc::allBuiltins() { return builtins; }
