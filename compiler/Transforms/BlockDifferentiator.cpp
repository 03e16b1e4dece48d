//===- BlockDifferentiator.cpp - Reverse mode over one block --------------===//
#include "compiler/Transforms/BlockDifferentiator.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace mlir;
using namespace mlir::dln;

LogicalResult BlockDifferentiator::cloneForward(Block &body,
                                                ArrayRef<Value> activeArgs) {
  for (Value arg : activeArgs)
    active.insert(mapping.lookupOrDefault(arg));
  for (Operation &op : body.without_terminator()) {
    if (auto scan = dyn_cast<ScanOp>(op); scan && isActiveScan(scan)) {
      cloneScanForward(scan);
      continue;
    }
    Operation *clone = builder.clone(op, mapping);
    forward.push_back(clone);
    if (!propagatesActivity(clone))
      continue;
    if (llvm::any_of(clone->getOperands(),
                     [&](Value v) { return active.contains(v); }))
      markResultsActive(clone);
  }
  return success();
}

LogicalResult
BlockDifferentiator::propagateBackward(ArrayRef<std::pair<Value, Value>> seeds,
                                       Location loc) {
  for (auto [value, seed] : seeds)
    accumulate(value, seed, loc);
  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultAdjoints;
    bool any = false;
    for (Value result : op->getResults()) {
      Value adj = adjoints.lookup(result);
      any |= static_cast<bool>(adj);
      resultAdjoints.push_back(adj);
    }
    if (!any)
      continue;
    if (auto scan = dyn_cast<ScanOp>(op)) {
      if (failed(buildScanAdjoint(scan, resultAdjoints)))
        return failure();
      continue;
    }
    auto differentiable = dyn_cast<Differentiable>(op);
    if (!differentiable)
      return op->emitError()
             << "'" << op->getName() << "' is not differentiable";
    for (unsigned i = 0, e = resultAdjoints.size(); i < e; ++i)
      if (!resultAdjoints[i])
        resultAdjoints[i] =
            splatLike(builder, op->getLoc(), op->getResult(i), 0.0);
    SmallVector<Value> operandAdjoints =
        differentiable.buildAdjoints(builder, resultAdjoints);
    for (auto [operand, adj] : llvm::zip(op->getOperands(), operandAdjoints))
      if (adj && active.contains(operand))
        accumulate(operand, adj, op->getLoc());
  }
  return success();
}

Value BlockDifferentiator::adjointOf(Value value, Location loc) {
  if (Value adj = adjoints.lookup(value))
    return adj;
  return splatLike(builder, loc, value, 0.0);
}

void BlockDifferentiator::markResultsActive(Operation *op) {
  for (Value result : op->getResults())
    if (isDifferentiableType(result.getType()))
      active.insert(result);
}

bool BlockDifferentiator::isDifferentiableType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

bool BlockDifferentiator::propagatesActivity(Operation *op) {
  return !isa<DLNDialect>(op->getDialect()) || isa<Differentiable>(op);
}

void BlockDifferentiator::accumulate(Value target, Value contribution,
                                     Location loc) {
  auto [it, inserted] = adjoints.try_emplace(target, contribution);
  if (!inserted)
    it->second = AddOp::create(builder, loc, it->second, contribution);
}
