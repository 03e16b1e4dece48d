//===- DLNScan.cpp - dln.scan: shape rules and verifier --------------------===//
// A scan's types tie together: the body's arguments are the carries and one
// time step of each sequence, its yield the new carries (same types) and the
// per-step outputs, and the results the final carries and those outputs
// stacked along dimension 1. Errors name the value and both types. The
// canonicalizations keep loops from storing what nobody reads.
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

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

namespace {
/// Drops stacked outputs nobody uses (each costs a store per step) and
/// sequences the body does not read (a slice per step); the length moves
/// to `steps` when the last sequence goes.
struct DropUnusedScanParts : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScanOp scan,
                                PatternRewriter &rewriter) const override {
    Block &body = scan.getBody().front();
    size_t carries = scan.getInits().size();
    auto yield = cast<YieldOp>(body.getTerminator());
    SmallVector<unsigned> keptOutputs, keptSequences;
    for (auto [index, result] : llvm::enumerate(scan.getStacked()))
      if (!result.use_empty())
        keptOutputs.push_back(index);
    for (auto [index, sequence] : llvm::enumerate(scan.getSequences()))
      if (!body.getArgument(carries + index).use_empty())
        keptSequences.push_back(index);
    int64_t length = scan.getStaticLength();
    // Without sequences the length must be known.
    if (keptSequences.empty() && !scan.getSequences().empty() &&
        ShapedType::isDynamic(length))
      keptSequences.push_back(0);
    if (keptOutputs.size() == scan.getStacked().size() &&
        keptSequences.size() == scan.getSequences().size())
      return failure();

    SmallVector<Type> types(scan.getInits().getTypes());
    for (unsigned j : keptOutputs)
      types.push_back(scan.getStacked()[j].getType());
    SmallVector<Value> sequences;
    for (unsigned k : keptSequences)
      sequences.push_back(scan.getSequences()[k]);
    IntegerAttr steps = scan.getStepsAttr();
    if (sequences.empty() && !steps)
      steps = rewriter.getI64IntegerAttr(length);
    auto replacement =
        ScanOp::create(rewriter, scan.getLoc(), types, scan.getInits(),
                       sequences, steps, scan.getReverseAttr());
    SmallVector<Value> newYield(yield.getValues().take_front(carries));
    for (unsigned j : keptOutputs)
      newYield.push_back(yield.getValues()[carries + j]);
    rewriter.modifyOpInPlace(yield,
                             [&] { yield.getValuesMutable().assign(newYield); });
    llvm::BitVector dropped(body.getNumArguments());
    for (unsigned k = 0; k < scan.getSequences().size(); ++k)
      if (!llvm::is_contained(keptSequences, k))
        dropped.set(carries + k);
    body.eraseArguments(dropped);
    rewriter.inlineRegionBefore(scan.getBody(), replacement.getBody(),
                                replacement.getBody().end());
    SmallVector<Value> results(replacement.getFinals());
    SmallVector<Value> stacked(scan.getStacked().size(), Value());
    for (auto [n, j] : llvm::enumerate(keptOutputs))
      stacked[j] = replacement.getStacked()[n];
    results.append(stacked);
    rewriter.replaceOp(scan, results);
    return success();
  }
};

/// The last step of a stacked output that is also a carry (an RNN's states:
/// `last(hs)`) is the final carry: the slice reads it instead, and the
/// stacked output may become unused.
struct LastStepIsFinalCarry : public OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp slice,
                                PatternRewriter &rewriter) const override {
    auto result = dyn_cast<OpResult>(slice.getInput());
    auto scan = result ? dyn_cast<ScanOp>(result.getOwner()) : ScanOp();
    size_t carries = scan ? scan.getInits().size() : 0;
    if (!scan || result.getResultNumber() < carries)
      return failure();
    int64_t length = scan.getStaticLength();
    auto type = cast<RankedTensorType>(result.getType());
    if (ShapedType::isDynamic(length) || length == 0)
      return failure();
    // Exactly step T-1 (step 0 in reverse), everything else whole.
    int64_t lastStep = scan.getReverse() ? 0 : length - 1;
    for (int64_t dim = 0; dim < type.getRank(); ++dim) {
      bool timeAxis = dim == 1;
      int64_t offset = slice.getOffsets()[dim], size = slice.getSizes()[dim];
      if (slice.getStrides()[dim] != 1 ||
          offset != (timeAxis ? lastStep : 0) ||
          size != (timeAxis ? 1 : type.getDimSize(dim)))
        return failure();
    }
    auto yield = cast<YieldOp>(scan.getBody().front().getTerminator());
    Value output = yield.getValues()[result.getResultNumber()];
    for (unsigned i = 0; i < carries; ++i) {
      if (yield.getValues()[i] != output)
        continue;
      Value final = scan.getFinals()[i];
      auto sliceType = cast<RankedTensorType>(slice.getType());
      SmallVector<Value> dynamicSizes;
      for (int64_t dim = 0; dim < sliceType.getRank(); ++dim)
        if (sliceType.isDynamicDim(dim))
          dynamicSizes.push_back(
              dimSize(rewriter, slice.getLoc(), final, dim > 1 ? dim - 1 : dim));
      rewriter.replaceOpWithNewOp<ReshapeOp>(slice, final, dynamicSizes,
                                             sliceType.getShape());
      return success();
    }
    return failure();
  }
};
} // namespace

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<DropUnusedScanParts, LastStepIsFinalCarry>(context);
}
