//===- ScanAdjoint.cpp - Reverse mode through dln.scan --------------------===//
// The forward clone of an active scan also stacks each step's incoming
// carries. Its adjoint is a second scan running the other way: its carries
// are the adjoints of the float carries and the running sums of the
// adjoints of the values the body captures from above (a cell's weights);
// its body, built by a nested BlockDifferentiator, recomputes the step,
// seeds the new carries and outputs with their adjoints and walks back.
// Then every step-varying value the rules read is taken from the forward
// loop's stacked outputs instead, so the backward loop repeats none of the
// step's products.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/BlockDifferentiator.h"

#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace mlir::dln;

bool BlockDifferentiator::isActiveScan(ScanOp scan) {
  auto isActive = [&](Value v) {
    return active.contains(mapping.lookupOrDefault(v));
  };
  if (llvm::any_of(scan->getOperands(), isActive))
    return true;
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(scan.getBody(), above);
  return llvm::any_of(above, isActive);
}

void BlockDifferentiator::cloneScanForward(ScanOp scan) {
  Location loc = scan.getLoc();
  SmallVector<Type> resultTypes(scan.getResultTypes());
  int64_t length = scan.getStaticLength();
  for (Value init : scan.getInits())
    resultTypes.push_back(
        ScanOp::stackedType(cast<RankedTensorType>(init.getType()), length));
  SmallVector<Value> inits, sequences;
  for (Value v : scan.getInits())
    inits.push_back(mapping.lookupOrDefault(v));
  for (Value v : scan.getSequences())
    sequences.push_back(mapping.lookupOrDefault(v));
  auto clone = ScanOp::create(builder, loc, resultTypes, inits, sequences,
                              scan.getStepsAttr(), scan.getReverseAttr());
  IRMapping bodyMapping = mapping;
  Block &body = scan.getBody().front();
  Block *cloneBody = builder.createBlock(&clone.getBody());
  for (BlockArgument arg : body.getArguments())
    bodyMapping.map(arg, cloneBody->addArgument(arg.getType(), loc));
  for (Operation &op : body.without_terminator())
    builder.clone(op, bodyMapping);
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> yielded;
  for (Value v : yield.getValues())
    yielded.push_back(bodyMapping.lookupOrDefault(v));
  llvm::append_range(yielded,
                     cloneBody->getArguments().take_front(inits.size()));
  YieldOp::create(builder, yield.getLoc(), yielded);
  builder.setInsertionPointAfter(clone);

  ScanRecord record{scan.getNumResults(), {}};
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(clone.getBody(), above);
  for (Value v : above)
    if (active.contains(v))
      record.captures.push_back(v);
  scanRecords[clone] = std::move(record);
  for (auto [old, result] : llvm::zip(scan.getResults(), clone.getResults()))
    mapping.map(old, result);
  forward.push_back(clone);
  markResultsActive(clone);
}

LogicalResult
BlockDifferentiator::buildScanAdjoint(ScanOp scan,
                                      ArrayRef<Value> resultAdjoints) {
  Location loc = scan.getLoc();
  // A copy: storeRecomputedValues re-keys the record.
  const ScanRecord record = scanRecords.at(scan);
  size_t carries = scan.getInits().size();
  Block &body = scan.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  ValueRange stepOutputs =
      yield.getValues().slice(carries, record.primalResults - carries);
  ValueRange savedCarries = scan.getResults().drop_front(record.primalResults);

  SmallVector<unsigned> floatCarries, activeSequences, seededOutputs;
  for (auto [i, init] : llvm::enumerate(scan.getInits()))
    if (isDifferentiableType(init.getType()))
      floatCarries.push_back(i);
  for (auto [i, sequence] : llvm::enumerate(scan.getSequences()))
    if (active.contains(sequence))
      activeSequences.push_back(i);
  for (unsigned j = 0; j < stepOutputs.size(); ++j)
    if (resultAdjoints[carries + j] &&
        isDifferentiableType(stepOutputs[j].getType()))
      seededOutputs.push_back(j);

  SmallVector<Value> inits, sequences;
  for (unsigned i : floatCarries)
    inits.push_back(resultAdjoints[i]
                        ? resultAdjoints[i]
                        : splatLike(builder, loc, scan.getResult(i), 0.0));
  for (Value capture : record.captures)
    inits.push_back(splatLike(builder, loc, capture, 0.0));
  llvm::append_range(sequences, savedCarries);
  llvm::append_range(sequences, scan.getSequences());
  for (unsigned j : seededOutputs)
    sequences.push_back(resultAdjoints[carries + j]);
  SmallVector<Type> resultTypes(ValueRange(inits).getTypes());
  for (unsigned k : activeSequences)
    resultTypes.push_back(scan.getSequences()[k].getType());
  auto adjointScan = ScanOp::create(
      builder, loc, resultTypes, inits, sequences, scan.getStepsAttr(),
      scan.getReverse() ? UnitAttr() : builder.getUnitAttr());

  IRMapping stepMapping;
  SmallVector<Operation *> recomputed;
  if (failed(buildScanAdjointBody(scan, adjointScan, floatCarries,
                                  activeSequences, seededOutputs,
                                  resultAdjoints, stepMapping, recomputed)))
    return failure();
  adjointScan =
      storeRecomputedValues(scan, adjointScan, stepMapping, recomputed);
  // The step's dead recomputation (what no adjoint needs) goes.
  Block &adjointBody = adjointScan.getBody().front();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(adjointBody)))
    if (isOpTriviallyDead(&op))
      op.erase();
  ValueRange results = adjointScan.getResults();
  for (auto [n, i] : llvm::enumerate(floatCarries))
    if (active.contains(scan.getInits()[i]))
      accumulate(scan.getInits()[i], results[n], loc);
  for (auto [n, capture] : llvm::enumerate(record.captures))
    accumulate(capture, results[floatCarries.size() + n], loc);
  for (auto [n, k] : llvm::enumerate(activeSequences))
    accumulate(scan.getSequences()[k],
               results[floatCarries.size() + record.captures.size() + n], loc);
  return success();
}

LogicalResult BlockDifferentiator::buildScanAdjointBody(
    ScanOp scan, ScanOp adjointScan, ArrayRef<unsigned> floatCarries,
    ArrayRef<unsigned> activeSequences, ArrayRef<unsigned> seededOutputs,
    ArrayRef<Value> resultAdjoints, IRMapping &stepMapping,
    SmallVectorImpl<Operation *> &recomputed) {
  Location loc = scan.getLoc();
  const ScanRecord &record = scanRecords.at(scan);
  size_t carries = scan.getInits().size();
  Block &body = scan.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  ValueRange stepOutputs =
      yield.getValues().slice(carries, record.primalResults - carries);
  ValueRange inits = adjointScan.getInits();
  OpBuilder::InsertionGuard guard(builder);
  Block *adjointBody = builder.createBlock(&adjointScan.getBody());
  SmallVector<Value> carryAdjoints, captureSums;
  for (Value init : inits)
    (carryAdjoints.size() < floatCarries.size() ? carryAdjoints : captureSums)
        .push_back(adjointBody->addArgument(init.getType(), loc));
  SmallVector<Value> activeArgs;
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    Type type = arg.getType();
    stepMapping.map(arg, adjointBody->addArgument(type, loc));
    bool isCarry = i < carries;
    if ((isCarry && isDifferentiableType(type)) ||
        (!isCarry && llvm::is_contained(activeSequences, i - carries)))
      activeArgs.push_back(arg);
  }
  SmallVector<Value> outputAdjoints;
  for (unsigned j : seededOutputs)
    outputAdjoints.push_back(
        adjointBody->addArgument(ScanOp::stepType(cast<RankedTensorType>(
                                     resultAdjoints[carries + j].getType())),
                                 loc));
  llvm::append_range(activeArgs, record.captures);

  BlockDifferentiator step(builder, stepMapping);
  if (failed(step.cloneForward(body, activeArgs)))
    return failure();
  SmallVector<std::pair<Value, Value>> seeds;
  for (auto [n, i] : llvm::enumerate(floatCarries))
    seeds.push_back(
        {stepMapping.lookupOrDefault(yield.getValues()[i]), carryAdjoints[n]});
  for (auto [n, j] : llvm::enumerate(seededOutputs))
    seeds.push_back(
        {stepMapping.lookupOrDefault(stepOutputs[j]), outputAdjoints[n]});
  if (failed(step.propagateBackward(seeds, loc)))
    return failure();
  SmallVector<Value> yielded;
  for (unsigned i : floatCarries)
    yielded.push_back(
        step.adjointOf(stepMapping.lookup(body.getArgument(i)), loc));
  for (auto [capture, sum] : llvm::zip(record.captures, captureSums)) {
    Value contribution = step.adjoints.lookup(capture);
    yielded.push_back(
        contribution ? AddOp::create(builder, loc, sum, contribution) : sum);
  }
  for (unsigned k : activeSequences)
    yielded.push_back(
        step.adjointOf(stepMapping.lookup(body.getArgument(carries + k)), loc));
  YieldOp::create(builder, loc, yielded);
  recomputed.assign(step.forward.begin(), step.forward.end());
  return success();
}

ScanOp
BlockDifferentiator::storeRecomputedValues(ScanOp &scan, ScanOp adjointScan,
                                           IRMapping &stepMapping,
                                           ArrayRef<Operation *> recomputed) {
  Block &adjointBody = adjointScan.getBody().front();
  llvm::SmallPtrSet<Operation *, 32> recomputedOps(recomputed.begin(),
                                                   recomputed.end());
  // What varies per step: the body's arguments and what they reach.
  llvm::DenseSet<Value> varying(adjointBody.getArguments().begin(),
                                adjointBody.getArguments().end());
  for (Operation *op : recomputed) {
    bool reads = llvm::any_of(op->getOperands(),
                              [&](Value v) { return varying.contains(v); });
    if (!reads && op->getNumRegions()) {
      llvm::SetVector<Value> above;
      getUsedValuesDefinedAbove(op->getRegions(), above);
      reads = llvm::any_of(above, [&](Value v) { return varying.contains(v); });
    }
    if (reads)
      varying.insert(op->result_begin(), op->result_end());
  }
  // The forward body's value of each recomputed one.
  llvm::DenseMap<Value, Value> primalOf;
  for (auto [from, to] : stepMapping.getValueMap())
    primalOf[to] = from;
  auto readByAdjoint = [&](OpOperand &use) {
    Operation *owner = adjointBody.findAncestorOpInBlock(*use.getOwner());
    return owner && !recomputedOps.contains(owner);
  };
  SmallVector<Value> stored, primals;
  for (Operation *op : recomputed)
    for (Value result : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      Value primal = primalOf.lookup(result);
      // Stacked outputs may be dynamic in the batch dimension only.
      bool stackable =
          type && type.getRank() > 0 &&
          llvm::none_of(type.getShape().drop_front(), ShapedType::isDynamic);
      if (!stackable || !primal || !varying.contains(result) ||
          llvm::none_of(result.getUses(), readByAdjoint))
        continue;
      stored.push_back(result);
      primals.push_back(primal);
    }
  if (stored.empty())
    return adjointScan;

  OpBuilder::InsertionGuard guard(builder);
  Location loc = scan.getLoc();
  int64_t length = scan.getStaticLength();
  // A value the forward scan already outputs per step (a cell's new state)
  // is read from that output; the others become extra outputs.
  size_t carries = scan.getInits().size();
  ValueRange yielded =
      cast<YieldOp>(scan.getBody().front().getTerminator()).getValues();
  SmallVector<int64_t> existing;
  SmallVector<Value> added;
  for (Value primal : primals) {
    existing.push_back(-1);
    for (unsigned j = carries; j < yielded.size(); ++j)
      if (yielded[j] == primal) {
        existing.back() = j;
        break;
      }
    if (existing.back() < 0)
      added.push_back(primal);
  }
  // The forward scan, with the stored values as extra per-step outputs.
  builder.setInsertionPoint(scan);
  SmallVector<Type> types(scan.getResultTypes());
  for (Value primal : added)
    types.push_back(
        ScanOp::stackedType(cast<RankedTensorType>(primal.getType()), length));
  auto forwardScan =
      ScanOp::create(builder, loc, types, scan.getInits(), scan.getSequences(),
                     scan.getStepsAttr(), scan.getReverseAttr());
  forwardScan.getBody().takeBody(scan.getBody());
  cast<YieldOp>(forwardScan.getBody().front().getTerminator())
      .getValuesMutable()
      .append(added);
  for (auto [old, result] :
       llvm::zip(scan.getResults(), forwardScan.getResults()))
    old.replaceAllUsesWith(result);
  SmallVector<std::pair<Value, Value>> remapped;
  for (auto [from, to] : mapping.getValueMap())
    if (to.getDefiningOp() == scan)
      remapped.push_back(
          {from, forwardScan.getResult(cast<OpResult>(to).getResultNumber())});
  for (auto [from, to] : remapped)
    mapping.map(from, to);
  scanRecords[forwardScan] = scanRecords.at(scan);
  scanRecords.erase(scan);
  *llvm::find(forward, scan.getOperation()) = forwardScan;
  markResultsActive(forwardScan);
  scan.erase();
  scan = forwardScan;

  // The adjoint scan, reading them as sequences.
  builder.setInsertionPoint(adjointScan);
  SmallVector<Value> sequences(adjointScan.getSequences());
  unsigned next = scan.getNumResults() - added.size();
  for (int64_t index : existing)
    sequences.push_back(forwardScan.getResult(index < 0 ? next++ : index));
  auto rebuilt = ScanOp::create(
      builder, loc, adjointScan.getResultTypes(), adjointScan.getInits(),
      sequences, adjointScan.getStepsAttr(), adjointScan.getReverseAttr());
  rebuilt.getBody().takeBody(adjointScan.getBody());
  Block &body = rebuilt.getBody().front();
  for (Value value : stored)
    value.replaceUsesWithIf(body.addArgument(value.getType(), loc),
                            readByAdjoint);
  adjointScan.erase();
  return rebuilt;
}
