//===- Autodiff.cpp - dln-autodiff: reverse-mode differentiation ----------===//
// Source transformation: `dln.value_and_grad @f` becomes a call of a
// generated `@f_vjp_<wrt>` that recomputes f's body, then walks it backwards
// asking each op (Differentiable interface) for its operands' adjoints.
//
// `BlockDifferentiator` handles one block, forward then backward, with an
// activity analysis (only values that depend on the differentiated arguments
// get adjoints). A `dln.scan` is differentiated by a nested
// BlockDifferentiator on its body: the forward scan also stacks each step's
// incoming carries, and the adjoint is a second scan running the other way
// that recomputes the step from them (so only the carries are stored, not
// every intermediate), seeds the step's results with their adjoints, and
// carries the adjoints of the carries and of the values the body captures
// from above (a cell's weights, summed over steps).
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::dln {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;
using namespace mlir::dln;

namespace {
/// Clones a straight-line block and builds the adjoints of its arguments.
class BlockDifferentiator {
public:
  BlockDifferentiator(OpBuilder &builder, IRMapping &mapping)
      : builder(builder), mapping(mapping) {}

  /// Clones the ops of `body` up to its terminator at the builder's
  /// insertion point; values that depend on `activeArgs` become active.
  LogicalResult cloneForward(Block &body, ArrayRef<Value> activeArgs) {
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

  /// Seeds each value's adjoint (seeds of one value add up) and propagates
  /// to every active value.
  LogicalResult
  propagateBackward(ArrayRef<std::pair<Value, Value>> seeds, Location loc) {
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

  /// The adjoint of a (mapped) value, zero when nothing flowed into it.
  Value adjointOf(Value value, Location loc) {
    if (Value adj = adjoints.lookup(value))
      return adj;
    return splatLike(builder, loc, value, 0.0);
  }

private:
  /// What the adjoint of a forward scan clone needs.
  struct ScanRecord {
    /// The primal scan's result count; the clone's results after them
    /// stack each step's incoming carries.
    unsigned primalResults;
    /// Values from above that its body uses and that are active.
    SmallVector<Value> captures;
  };

  /// A scan is active when an operand or a value its body uses from above
  /// is.
  bool isActiveScan(ScanOp scan) {
    auto isActive = [&](Value v) {
      return active.contains(mapping.lookupOrDefault(v));
    };
    if (llvm::any_of(scan->getOperands(), isActive))
      return true;
    llvm::SetVector<Value> above;
    getUsedValuesDefinedAbove(scan.getBody(), above);
    return llvm::any_of(above, isActive);
  }

  void markResultsActive(Operation *op) {
    for (Value result : op->getResults())
      if (isDifferentiableType(result.getType()))
        active.insert(result);
  }

  /// Clones `scan` with each step's incoming carries as extra stacked
  /// outputs, which the adjoint scan recomputes the step from.
  void cloneScanForward(ScanOp scan) {
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

  /// The adjoint of a forward scan clone: a scan the other way whose
  /// carries are the adjoints of the float carries and the running sums of
  /// the captures' adjoints, and whose per-step outputs are the adjoints of
  /// the active sequences' steps.
  LogicalResult buildScanAdjoint(ScanOp scan, ArrayRef<Value> resultAdjoints) {
    Location loc = scan.getLoc();
    // A copy: storeRecomputedValues re-keys the record.
    const ScanRecord record = scanRecords.at(scan);
    size_t carries = scan.getInits().size();
    Block &body = scan.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    ValueRange stepOutputs =
        yield.getValues().slice(carries, record.primalResults - carries);
    ValueRange savedCarries =
        scan.getResults().drop_front(record.primalResults);

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
    for (Operation &op :
         llvm::make_early_inc_range(llvm::reverse(adjointBody)))
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
                 results[floatCarries.size() + record.captures.size() + n],
                 loc);
    return success();
  }

  /// The adjoint scan's body: (carry adjoints, capture sums, saved carries,
  /// sequence steps, output adjoints) to (carry adjoints, capture sums,
  /// sequence step adjoints).
  LogicalResult buildScanAdjointBody(ScanOp scan, ScanOp adjointScan,
                                     ArrayRef<unsigned> floatCarries,
                                     ArrayRef<unsigned> activeSequences,
                                     ArrayRef<unsigned> seededOutputs,
                                     ArrayRef<Value> resultAdjoints,
                                     IRMapping &stepMapping,
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
      (carryAdjoints.size() < floatCarries.size() ? carryAdjoints
                                                  : captureSums)
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
      outputAdjoints.push_back(adjointBody->addArgument(
          ScanOp::stepType(
              cast<RankedTensorType>(resultAdjoints[carries + j].getType())),
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
      seeds.push_back({stepMapping.lookupOrDefault(stepOutputs[j]),
                       outputAdjoints[n]});
    if (failed(step.propagateBackward(seeds, loc)))
      return failure();
    SmallVector<Value> yielded;
    for (unsigned i : floatCarries)
      yielded.push_back(step.adjointOf(stepMapping.lookup(body.getArgument(i)), loc));
    for (auto [capture, sum] : llvm::zip(record.captures, captureSums)) {
      Value contribution = step.adjoints.lookup(capture);
      yielded.push_back(contribution
                            ? AddOp::create(builder, loc, sum, contribution)
                            : sum);
    }
    for (unsigned k : activeSequences)
      yielded.push_back(step.adjointOf(
          stepMapping.lookup(body.getArgument(carries + k)), loc));
    YieldOp::create(builder, loc, yielded);
    recomputed.assign(step.forward.begin(), step.forward.end());
    return success();
  }

  /// Replaces the recomputation of what the adjoint scan's body reads by
  /// per-step outputs of the forward scan: each step-varying value (of rank
  /// at least 1, dynamic only in the batch) that an adjoint rule uses is
  /// stacked by the forward loop and
  /// read back as a sequence, so the backward loop no longer repeats the
  /// step's products (about a third of its work for a recurrent cell).
  /// Returns the adjoint scan, rebuilt when anything was stored.
  ScanOp storeRecomputedValues(ScanOp &scan, ScanOp adjointScan,
                               IRMapping &stepMapping,
                               ArrayRef<Operation *> recomputed) {
    Block &adjointBody = adjointScan.getBody().front();
    llvm::SmallPtrSet<Operation *, 32> recomputedOps(recomputed.begin(),
                                                     recomputed.end());
    // What varies per step: the body's arguments and what they reach.
    llvm::DenseSet<Value> varying(adjointBody.getArguments().begin(),
                                  adjointBody.getArguments().end());
    for (Operation *op : recomputed) {
      bool reads = llvm::any_of(op->getOperands(), [&](Value v) {
        return varying.contains(v);
      });
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
        if (!stackable || !primal ||
            !varying.contains(result) ||
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
      types.push_back(ScanOp::stackedType(
          cast<RankedTensorType>(primal.getType()), length));
    auto forwardScan =
        ScanOp::create(builder, loc, types, scan.getInits(),
                       scan.getSequences(), scan.getStepsAttr(),
                       scan.getReverseAttr());
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

  /// Only float tensors carry derivatives: sizes (`tensor.dim` of an active
  /// tensor, the counts computed from them) are never active.
  static bool isDifferentiableType(Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && isa<FloatType>(tensor.getElementType());
  }

  /// dln ops without a gradient rule are piecewise constant (compare, sign,
  /// one_hot, stop_gradient): their results are inactive. Any other op with
  /// an active operand must be differentiable, which propagateBackward checks.
  static bool propagatesActivity(Operation *op) {
    return !isa<DLNDialect>(op->getDialect()) || isa<Differentiable>(op);
  }

  void accumulate(Value target, Value contribution, Location loc) {
    auto [it, inserted] = adjoints.try_emplace(target, contribution);
    if (!inserted)
      it->second = AddOp::create(builder, loc, it->second, contribution);
  }

  OpBuilder &builder;
  IRMapping &mapping;
  SmallVector<Operation *> forward;
  llvm::DenseMap<Operation *, ScanRecord> scanRecords;
  llvm::DenseSet<Value> active;
  llvm::DenseMap<Value, Value> adjoints;
};

/// Builds `@<callee>_vjp_<wrt...>` returning (value, aux..., d value /
/// d args[wrt]).
FailureOr<func::FuncOp> buildAdjointFunction(func::FuncOp primal,
                                             ArrayRef<int64_t> wrt,
                                             SymbolTable &symbols) {
  std::string name = (primal.getSymName() + "_vjp").str();
  for (int64_t index : wrt)
    name += "_" + std::to_string(index);
  if (auto existing = symbols.lookup<func::FuncOp>(name))
    return existing;
  if (!llvm::hasSingleElement(primal.getBody()))
    return primal.emitError("autodiff supports single-block functions only"),
           failure();
  auto primalReturn =
      cast<func::ReturnOp>(primal.getBody().front().getTerminator());
  auto valueType =
      dyn_cast<RankedTensorType>(primalReturn.getOperand(0).getType());
  if (primalReturn.getNumOperands() == 0 || !valueType ||
      valueType.getRank() != 0)
    return primal.emitError("can only differentiate functions returning a "
                            "scalar tensor first"),
           failure();

  // Results: the value, the primal's other results (auxiliary outputs, not
  // differentiated), the gradients.
  OpBuilder builder(primal);
  SmallVector<Type> resultTypes(primal.getResultTypes());
  for (int64_t index : wrt)
    resultTypes.push_back(primal.getArgumentTypes()[index]);
  auto adjoint = func::FuncOp::create(
      builder, primal.getLoc(), name,
      builder.getFunctionType(primal.getArgumentTypes(), resultTypes));
  adjoint.setPrivate();
  symbols.insert(adjoint);

  IRMapping mapping;
  Block *entry = adjoint.addEntryBlock();
  mapping.map(primal.getArguments(), adjoint.getArguments());
  builder.setInsertionPointToStart(entry);

  SmallVector<Value> activeArgs;
  for (int64_t index : wrt)
    activeArgs.push_back(primal.getArgument(index));
  BlockDifferentiator differentiator(builder, mapping);
  if (failed(differentiator.cloneForward(primal.getBody().front(), activeArgs)))
    return failure();
  Value value = mapping.lookup(primalReturn.getOperand(0));
  Location loc = primalReturn.getLoc();
  if (failed(differentiator.propagateBackward(
          {{value, splatConstant(builder, loc, valueType, 1.0)}}, loc)))
    return failure();

  SmallVector<Value> results{value};
  for (Value aux : primalReturn.getOperands().drop_front())
    results.push_back(mapping.lookup(aux));
  for (int64_t index : wrt)
    results.push_back(
        differentiator.adjointOf(adjoint.getArgument(index), loc));
  func::ReturnOp::create(builder, loc, results);
  // Rules build every operand's adjoint; drop those nothing reads (inactive
  // operands) so the generated IR shows only the work that is done.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op))
      op.erase();
  return adjoint;
}

struct AutodiffPass : public dln::impl::AutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<ValueAndGradOp> requests;
    module.walk([&](ValueAndGradOp op) { requests.push_back(op); });
    for (ValueAndGradOp op : requests) {
      auto primal = symbols.lookup<func::FuncOp>(op.getCallee());
      FailureOr<func::FuncOp> adjoint =
          buildAdjointFunction(primal, op.getWrt(), symbols);
      if (failed(adjoint))
        return signalPassFailure();
      OpBuilder builder(op);
      auto call = func::CallOp::create(builder, op.getLoc(), *adjoint,
                                       op.getOperands());
      op.replaceAllUsesWith(call.getResults());
      op.erase();
    }
  }
};
} // namespace
