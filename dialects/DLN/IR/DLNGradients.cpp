//===- DLNGradients.cpp - Reverse-mode rules of the dln primitives --------===//
// One short rule per primitive, written with the primitives themselves so the
// backward pass is ordinary dln IR (fusible, lowerable, differentiable again).
// `dy` is the result adjoint, `x`/`a`/`b` the operands, `y` the result.
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNComposites.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// Terse builders for the rules below.
struct Rule {
  OpBuilder &b;
  Location loc;

  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value neg(Value x) { return NegOp::create(b, loc, x); }
  Value splat(Value like, double v) {
    return splatLike(b, loc, like, v);
  }
  Value compare(ComparePredicate p, Value x, Value y) {
    return CompareOp::create(b, loc, p, x, y);
  }
  Value matmul(Value x, Value y, bool tx, bool ty) {
    return MatmulOp::create(b, loc, x, y, tx, ty);
  }
};
} // namespace

// Element-wise unary.
SmallVector<Value> NegOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  return {r.neg(dy)};
}

SmallVector<Value> ExpOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  return {r.mul(dy, getResult())};
}

SmallVector<Value> LogOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  return {r.div(dy, getInput())};
}

SmallVector<Value> SqrtOp::buildAdjoints(OpBuilder &builder,
                                         ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  return {r.div(r.mul(dy, r.splat(dy, 0.5)), getResult())};
}

SmallVector<Value> AbsOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  return {r.mul(dy, SignOp::create(builder, getLoc(), getInput()))};
}

SmallVector<Value> TanhOp::buildAdjoints(OpBuilder &builder,
                                         ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  Value y = getResult();
  return {r.mul(dy, r.sub(r.splat(y, 1.0), r.mul(y, y)))};
}

SmallVector<Value> SigmoidOp::buildAdjoints(OpBuilder &builder,
                                            ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  Value y = getResult();
  return {r.mul(dy, r.mul(y, r.sub(r.splat(y, 1.0), y)))};
}

SmallVector<Value> ReluOp::buildAdjoints(OpBuilder &builder,
                                         ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  Value x = getInput();
  return {r.mul(dy, r.compare(ComparePredicate::gt, x, r.splat(x, 0.0)))};
}

// Element-wise binary.
SmallVector<Value> AddOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  return {dy, dy};
}

SmallVector<Value> SubOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  return {dy, r.neg(dy)};
}

SmallVector<Value> MulOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  return {r.mul(dy, getRhs()), r.mul(dy, getLhs())};
}

SmallVector<Value> DivOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  Value da = r.div(dy, getRhs());
  return {da, r.neg(r.mul(da, getResult()))};
}

SmallVector<Value> MaxOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  // Ties send the gradient to the left operand, as a subgradient.
  Value da = r.mul(dy, r.compare(ComparePredicate::ge, getLhs(), getRhs()));
  return {da, r.sub(dy, da)};
}

SmallVector<Value> SelectOp::buildAdjoints(OpBuilder &builder,
                                           ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  Value zero = r.splat(dy, 0.0);
  Value c = getCondition();
  return {Value(), SelectOp::create(builder, getLoc(), c, dy, zero),
          SelectOp::create(builder, getLoc(), c, zero, dy)};
}

// Shape ops.
SmallVector<Value> BroadcastOp::buildAdjoints(OpBuilder &builder,
                                              ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  SmallVector<int64_t> added;
  for (int64_t d = 0, e = getShape().size(); d < e; ++d)
    if (!llvm::is_contained(getDims(), d))
      added.push_back(d);
  return {ReduceSumOp::create(builder, getLoc(), dy, added)};
}

SmallVector<Value> ReshapeOp::buildAdjoints(OpBuilder &builder,
                                            ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  auto x = getInput();
  return {reshapeLike(builder, getLoc(), dy, x.getType().getShape(), x)};
}

/// Reversing is its own inverse (and a permutation): the adjoint is the
/// result's adjoint reversed back.
SmallVector<Value> ReverseOp::buildAdjoints(OpBuilder &builder,
                                            ValueRange resultAdjoints) {
  return {ReverseOp::create(builder, getLoc(), resultAdjoints[0], getAxes())};
}

SmallVector<Value> TransposeOp::buildAdjoints(OpBuilder &builder,
                                              ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  SmallVector<int64_t> inverse(getPermutation().size());
  for (auto [i, p] : llvm::enumerate(getPermutation()))
    inverse[p] = i;
  return {TransposeOp::create(builder, getLoc(), dy, inverse)};
}

// Reductions.
SmallVector<Value> ReduceSumOp::buildAdjoints(OpBuilder &builder,
                                              ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  return {expandReduced(builder, getLoc(), dy, getInput(), getAxes())};
}

SmallVector<Value> ReduceMaxOp::buildAdjoints(OpBuilder &builder,
                                              ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  // Every element equal to the maximum receives the gradient.
  Value x = getInput();
  Value y = expandReduced(builder, getLoc(), getResult(), x, getAxes());
  Value spread = expandReduced(builder, getLoc(), dy, x, getAxes());
  return {r.mul(spread, r.compare(ComparePredicate::eq, x, y))};
}

// Contraction: C = op(A) op(B).
SmallVector<Value> MatmulOp::buildAdjoints(OpBuilder &builder,
                                           ValueRange resultAdjoints) {
  Rule r{builder, getLoc()};
  Value dy = resultAdjoints[0];
  Value a = getLhs(), b = getRhs();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  if (!ta && !tb) // C = A B
    return {r.matmul(dy, b, false, true), r.matmul(a, dy, true, false)};
  if (ta && !tb) // C = At B
    return {r.matmul(b, dy, false, true), r.matmul(a, dy, false, false)};
  if (!ta && tb) // C = A Bt
    return {r.matmul(dy, b, false, false), r.matmul(dy, a, true, false)};
  // C = At Bt
  return {r.matmul(b, dy, true, true), r.matmul(dy, a, true, true)};
}

// Windows: pad and slice are each other's adjoints, and so are patches and
// unpatches.
SmallVector<Value> PadOp::buildAdjoints(OpBuilder &builder,
                                        ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  SmallVector<int64_t> strides;
  for (int64_t gap : getInterior())
    strides.push_back(gap + 1);
  return {SliceOp::create(builder, getLoc(), dy, getLow(),
                          getInput().getType().getShape(), strides)};
}

SmallVector<Value> SliceOp::buildAdjoints(OpBuilder &builder,
                                          ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  SmallVector<int64_t> high, interior;
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (ShapedType::isDynamic(size)) {
      high.push_back(0);
      interior.push_back(0);
      continue;
    }
    int64_t last = getOffsets()[d] + (getSizes()[d] - 1) * getStrides()[d];
    high.push_back(size - 1 - last);
    interior.push_back(getStrides()[d] - 1);
  }
  return {PadOp::create(builder, getLoc(), dy, getOffsets(), high, interior,
                        0.0)};
}

SmallVector<Value> PatchesOp::buildAdjoints(OpBuilder &builder,
                                            ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  ArrayRef<int64_t> spatial = getInput().getType().getShape().drop_front(2);
  return {UnpatchesOp::create(builder, getLoc(), dy, spatial, getStrides(),
                              getDilations())};
}

SmallVector<Value> UnpatchesOp::buildAdjoints(OpBuilder &builder,
                                              ValueRange resultAdjoints) {
  Value dy = resultAdjoints[0];
  int64_t n = getSpatial().size();
  ArrayRef<int64_t> window = getInput().getType().getShape().slice(1, n);
  return {PatchesOp::create(builder, getLoc(), dy, window, getStrides(),
                            getDilations())};
}

// Pixel reads and writes: each other's adjoint; coordinates are integers
// and take no gradient.
SmallVector<Value> GatherPixelsOp::buildAdjoints(OpBuilder &builder,
                                                 ValueRange resultAdjoints) {
  ArrayRef<int64_t> image = getImage().getType().getShape();
  return {ScatterPixelsOp::create(builder, getLoc(), resultAdjoints[0],
                                  getRows(), getCols(), image.drop_front(2)),
          Value(), Value()};
}

SmallVector<Value> ScatterPixelsOp::buildAdjoints(OpBuilder &builder,
                                                  ValueRange resultAdjoints) {
  return {GatherPixelsOp::create(builder, getLoc(), resultAdjoints[0],
                                 getRows(), getCols()),
          Value(), Value()};
}
