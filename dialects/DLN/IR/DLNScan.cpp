//===- DLNScan.cpp - dln.scan: shape rules and verifier --------------------===//
// A scan's types tie together: the body's arguments are the carries and one
// time step of each sequence, its yield the new carries (same types) and the
// per-step outputs, and the results the final carries and those outputs
// stacked along dimension 1. Errors name the value and both types.
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::dln;

RankedTensorType ScanOp::stepType(RankedTensorType stacked) {
  SmallVector<int64_t> shape(stacked.getShape());
  shape.erase(shape.begin() + 1);
  return RankedTensorType::get(shape, stacked.getElementType());
}

RankedTensorType ScanOp::stackedType(RankedTensorType step, int64_t length) {
  SmallVector<int64_t> shape(step.getShape());
  shape.insert(shape.begin() + 1, length);
  return RankedTensorType::get(shape, step.getElementType());
}

int64_t ScanOp::getStaticLength() {
  if (std::optional<int64_t> steps = getSteps())
    return *steps;
  for (Value sequence : getSequences()) {
    int64_t length = cast<RankedTensorType>(sequence.getType()).getDimSize(1);
    if (!ShapedType::isDynamic(length))
      return length;
  }
  return ShapedType::kDynamic;
}

LogicalResult ScanOp::verify() {
  if (getSequences().empty() && !getSteps())
    return emitOpError("without sequences needs 'steps'");
  if (std::optional<int64_t> steps = getSteps(); steps && *steps < 0)
    return emitOpError("'steps' must not be negative, got ") << *steps;
  int64_t length = getStaticLength();
  for (auto [index, sequence] : llvm::enumerate(getSequences())) {
    auto type = cast<RankedTensorType>(sequence.getType());
    if (type.getRank() < 2)
      return emitOpError("sequence #")
             << index << " must be [batch, time, ...], got " << type;
    int64_t own = type.getDimSize(1);
    if (!ShapedType::isDynamic(own) && !ShapedType::isDynamic(length) &&
        own != length)
      return emitOpError("sequence #")
             << index << " has " << own << " time steps, expected " << length;
  }
  size_t carries = getInits().size();
  if (getResults().size() < carries)
    return emitOpError("has fewer results than carries");
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip(getInits(), getFinals())))
    if (std::get<0>(pair).getType() != std::get<1>(pair).getType())
      return emitOpError("final carry #")
             << index << " has type " << std::get<1>(pair).getType()
             << ", but its init has type " << std::get<0>(pair).getType();
  for (auto [index, result] : llvm::enumerate(getStacked())) {
    auto type = cast<RankedTensorType>(result.getType());
    if (type.getRank() < 2)
      return emitOpError("stacked output #")
             << index << " must be [batch, time, ...], got " << type;
    if (type.getDimSize(1) != length)
      return emitOpError("stacked output #")
             << index << " has " << dimText(type.getDimSize(1))
             << " time steps, expected " << dimText(length);
  }
  return success();
}

LogicalResult ScanOp::verifyRegions() {
  Block &body = getBody().front();
  SmallVector<Type> expected(getInits().getTypes());
  for (Value sequence : getSequences())
    expected.push_back(stepType(cast<RankedTensorType>(sequence.getType())));
  if (body.getNumArguments() != expected.size())
    return emitOpError("body takes ")
           << body.getNumArguments() << " arguments, expected "
           << expected.size() << " (the carries, then one step of each "
           << "sequence)";
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip(body.getArgumentTypes(), expected)))
    if (std::get<0>(pair) != std::get<1>(pair))
      return emitOpError("body argument #")
             << index << " has type " << std::get<0>(pair) << ", expected "
             << std::get<1>(pair);
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end with dln.yield");
  size_t carries = getInits().size();
  if (yield.getValues().size() != getResults().size())
    return yield.emitOpError("yields ")
           << yield.getValues().size() << " values, expected "
           << getResults().size() << " (the carries, then the per-step "
           << "outputs)";
  for (auto [index, pair] : llvm::enumerate(
           llvm::zip(yield.getValues().take_front(carries), getInits())))
    if (std::get<0>(pair).getType() != std::get<1>(pair).getType())
      return yield.emitOpError("new carry #")
             << index << " has type " << std::get<0>(pair).getType()
             << ", but its init has type " << std::get<1>(pair).getType();
  for (auto [index, pair] : llvm::enumerate(llvm::zip(
           yield.getValues().drop_front(carries), getStacked()))) {
    auto step = dyn_cast<RankedTensorType>(std::get<0>(pair).getType());
    auto stacked = cast<RankedTensorType>(std::get<1>(pair).getType());
    if (!step || step.getRank() < 1 ||
        stackedType(step, stacked.getDimSize(1)) != stacked)
      return yield.emitOpError("per-step output #")
             << index << " has type " << std::get<0>(pair).getType()
             << ", which does not stack to " << stacked;
  }
  return success();
}
