//===- DLNNormalization.cpp - Batch normalization composites --------------===//
#include "dialects/DLN/IR/DLNNormalization.h"

#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// Every dimension of `x` but the channels (1).
SmallVector<int64_t> nonChannelAxes(Value x) {
  SmallVector<int64_t> axes{0};
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  return axes;
}

/// A [C] value broadcast along dimension 1 of `like`.
Value alongChannels(OpBuilder &builder, Location loc, Value perChannel,
                    Value like) {
  return expandReduced(builder, loc, perChannel, like, nonChannelAxes(like));
}
} // namespace

ChannelStatistics dln::channelStatistics(OpBuilder &builder, Location loc,
                                         Value x) {
  SmallVector<int64_t> axes = nonChannelAxes(x);
  auto type = cast<RankedTensorType>(x.getType());
  Value mean = reduceMean(builder, loc, x, axes);
  Value centered =
      SubOp::create(builder, loc, x, alongChannels(builder, loc, mean, x));
  Value variance = reduceMean(
      builder, loc, MulOp::create(builder, loc, centered, centered), axes);
  // n = B * S1 * ...: the batch is a run-time size.
  int64_t spatial = 1;
  for (int64_t d = 2; d < type.getRank(); ++d)
    spatial *= type.getDimSize(d);
  Type element = type.getElementType();
  Value rows = arith::IndexCastOp::create(builder, loc, builder.getI64Type(),
                                          dimSize(builder, loc, x, 0));
  Value n = arith::MulFOp::create(
      builder, loc, arith::SIToFPOp::create(builder, loc, element, rows),
      arith::ConstantOp::create(builder, loc,
                                builder.getFloatAttr(element, spatial)));
  // n / max(n - 1, 1): one sample per channel has no spread to correct.
  Value one =
      arith::ConstantOp::create(builder, loc, builder.getFloatAttr(element, 1));
  Value denominator = arith::MaximumFOp::create(
      builder, loc, arith::SubFOp::create(builder, loc, n, one), one);
  Value factor = arith::DivFOp::create(builder, loc, n, denominator);
  Value besselFactor = tensor::FromElementsOp::create(
      builder, loc, RankedTensorType::get({}, element), factor);
  return {mean, variance, besselFactor};
}

Value dln::normalizeChannels(OpBuilder &builder, Location loc, Value x,
                             Value mean, Value variance, Value gamma,
                             Value beta, double eps) {
  // 1 / sqrt(var + eps) per channel first: C divisions, not B * C * S.
  Value inverse = DivOp::create(
      builder, loc, splatLike(builder, loc, variance, 1.0),
      SqrtOp::create(builder, loc,
                     AddOp::create(builder, loc, variance,
                                   splatLike(builder, loc, variance, eps))));
  Value scaleBy = gamma ? MulOp::create(builder, loc, inverse, gamma).getResult()
                        : inverse;
  Value centered =
      SubOp::create(builder, loc, x, alongChannels(builder, loc, mean, x));
  Value y = MulOp::create(builder, loc, centered,
                          alongChannels(builder, loc, scaleBy, x));
  if (beta)
    y = AddOp::create(builder, loc, y, alongChannels(builder, loc, beta, x));
  return y;
}
