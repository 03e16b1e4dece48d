//===- DLNRecurrent.cpp - Recurrent cell composites -----------------------===//
#include "dialects/DLN/IR/DLNRecurrent.h"

#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {

/// rows [B, F] times weight [G * H, F] transposed, plus bias: [B, G * H].
FailureOr<Value> affine(OpBuilder &builder, Location loc, Value rows,
                        Value weight, Value bias) {
  auto rowType = cast<RankedTensorType>(rows.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  if (rowType.getRank() != 2 || weightType.getRank() != 2 ||
      rowType.getDimSize(1) != weightType.getDimSize(1))
    return emitError(loc) << "recurrent cell expects per-sample vectors of "
                          << weightType.getDimSize(1) << " features, got "
                          << shapeText(rowType.getShape().drop_front()),
           failure();
  Value product =
      MatmulOp::create(builder, loc, rows, weight, /*transpose_lhs=*/false,
                       /*transpose_rhs=*/true);
  if (!bias)
    return product;
  return broadcastingBinary<AddOp>(builder, loc, product, bias);
}

/// Columns [index * H, (index + 1) * H) of a [B, G * H] tensor.
Value gate(OpBuilder &builder, Location loc, Value all, int64_t index,
           int64_t hidden) {
  auto type = cast<RankedTensorType>(all.getType());
  return SliceOp::create(builder, loc, all, {0, index * hidden},
                         {type.getDimSize(0), hidden}, {1, 1});
}

LogicalResult checkState(Location loc, Value h, int64_t hidden) {
  auto type = cast<RankedTensorType>(h.getType());
  if (type.getRank() == 2 && type.getDimSize(1) == hidden)
    return success();
  return emitError(loc) << "recurrent cell expects a state of " << hidden
                        << " features per sample, got "
                        << shapeText(type.getShape().drop_front()),
         failure();
}

} // namespace

FailureOr<Value> dln::rnnCell(OpBuilder &builder, Location loc, Value h,
                              Value x, const CellWeights &w, bool relu) {
  int64_t hidden =
      cast<RankedTensorType>(w.hiddenWeight.getType()).getDimSize(0);
  if (failed(checkState(loc, h, hidden)))
    return failure();
  FailureOr<Value> fromInput = affine(builder, loc, x, w.inputWeight, w.inputBias);
  FailureOr<Value> fromState =
      affine(builder, loc, h, w.hiddenWeight, w.hiddenBias);
  if (failed(fromInput) || failed(fromState))
    return failure();
  Value sum = AddOp::create(builder, loc, *fromInput, *fromState);
  if (relu)
    return ReluOp::create(builder, loc, sum).getResult();
  return TanhOp::create(builder, loc, sum).getResult();
}

FailureOr<Value> dln::gruCell(OpBuilder &builder, Location loc, Value h,
                              Value x, const CellWeights &w) {
  int64_t hidden =
      cast<RankedTensorType>(w.hiddenWeight.getType()).getDimSize(0) / 3;
  if (failed(checkState(loc, h, hidden)))
    return failure();
  FailureOr<Value> gi = affine(builder, loc, x, w.inputWeight, w.inputBias);
  FailureOr<Value> gh = affine(builder, loc, h, w.hiddenWeight, w.hiddenBias);
  if (failed(gi) || failed(gh))
    return failure();
  auto part = [&](Value all, int64_t index) {
    return gate(builder, loc, all, index, hidden);
  };
  Value r = SigmoidOp::create(
      builder, loc, AddOp::create(builder, loc, part(*gi, 0), part(*gh, 0)));
  Value z = SigmoidOp::create(
      builder, loc, AddOp::create(builder, loc, part(*gi, 1), part(*gh, 1)));
  Value n = TanhOp::create(
      builder, loc,
      AddOp::create(builder, loc, part(*gi, 2),
                    MulOp::create(builder, loc, r, part(*gh, 2))));
  // (1 - z) * n + z * h = n + z * (h - n).
  Value blended = MulOp::create(builder, loc, z,
                                SubOp::create(builder, loc, h, n));
  return AddOp::create(builder, loc, n, blended).getResult();
}

FailureOr<std::pair<Value, Value>>
dln::lstmCell(OpBuilder &builder, Location loc, Value h, Value c, Value x,
              const CellWeights &w) {
  int64_t hidden =
      cast<RankedTensorType>(w.hiddenWeight.getType()).getDimSize(0) / 4;
  if (failed(checkState(loc, h, hidden)) || failed(checkState(loc, c, hidden)))
    return failure();
  FailureOr<Value> gi = affine(builder, loc, x, w.inputWeight, w.inputBias);
  FailureOr<Value> gh = affine(builder, loc, h, w.hiddenWeight, w.hiddenBias);
  if (failed(gi) || failed(gh))
    return failure();
  Value gates = AddOp::create(builder, loc, *gi, *gh);
  auto part = [&](int64_t index) {
    return gate(builder, loc, gates, index, hidden);
  };
  Value i = SigmoidOp::create(builder, loc, part(0));
  Value f = SigmoidOp::create(builder, loc, part(1));
  Value g = TanhOp::create(builder, loc, part(2));
  Value o = SigmoidOp::create(builder, loc, part(3));
  Value cNext = AddOp::create(builder, loc, MulOp::create(builder, loc, f, c),
                              MulOp::create(builder, loc, i, g));
  Value hNext =
      MulOp::create(builder, loc, o, TanhOp::create(builder, loc, cNext));
  return std::make_pair(hNext, cNext);
}
