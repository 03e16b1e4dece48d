//===- DLNRandomOps.cpp - The shape rule of dln.random --------------------===//
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
