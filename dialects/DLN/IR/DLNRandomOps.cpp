//===- DLNRandomOps.cpp - Shape rules of dln.random and dln.gibbs_sweep ---===//
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::dln;

static LogicalResult fail(std::optional<Location> loc, const Twine &message) {
  return emitOptionalError(loc, message);
}

LogicalResult RandomOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RankedTensorType key = cast<RankedTensorType>(adaptor.getKey().getType());
  if (key.getRank() != 1 || key.getDimSize(0) != 2)
    return fail(loc, "random needs a key of two i64 (seed, step), got " +
                         shapeText(key.getShape()));
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (static_cast<size_t>(llvm::count_if(shape, ShapedType::isDynamic)) !=
      adaptor.getDynamicSizes().size())
    return fail(loc, "random shape " + shapeText(shape) +
                         " needs one size operand per '?'");
  if (llvm::any_of(shape, [](int64_t d) {
        return !ShapedType::isDynamic(d) && d <= 0;
      }))
    return fail(loc, "random shape " + shapeText(shape) +
                         " must have positive sizes");
  inferred.push_back(RankedTensorType::get(shape, adaptor.getDtype()));
  return success();
}

LogicalResult GibbsSweepOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  auto state = cast<RankedTensorType>(adaptor.getState().getType());
  if (state.getRank() != 2 || ShapedType::isDynamic(state.getDimSize(1)))
    return fail(loc, "gibbs_sweep needs a [B, N] state with static N, got " +
                         shapeText(state.getShape()));
  int64_t n = state.getDimSize(1);
  SmallVector<int64_t> square{n, n}, vector{n};
  if (shapeOf(adaptor.getWeights()) != ArrayRef<int64_t>(square) ||
      shapeOf(adaptor.getBias()) != ArrayRef<int64_t>(vector) ||
      shapeOf(adaptor.getClamp()) != ArrayRef<int64_t>(vector) ||
      shapeOf(adaptor.getUniform()) != state.getShape())
    return fail(loc, "gibbs_sweep of " + Twine(n) +
                         " units needs weights [" + Twine(n) + ", " +
                         Twine(n) + "], bias and clamp [" + Twine(n) +
                         "] and uniforms shaped like the state, got " +
                         shapeText(shapeOf(adaptor.getWeights())) + ", " +
                         shapeText(shapeOf(adaptor.getBias())) + ", " +
                         shapeText(shapeOf(adaptor.getClamp())) + ", " +
                         shapeText(shapeOf(adaptor.getUniform())));
  inferred.push_back(state);
  return success();
}
