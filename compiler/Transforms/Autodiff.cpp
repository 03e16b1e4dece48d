//===- Autodiff.cpp - dln-autodiff: reverse-mode differentiation ----------===//
// Source transformation: `dln.value_and_grad @f` becomes a call of a
// generated `@f_vjp_<wrt>` that recomputes f's body, then walks it backwards
// asking each op (Differentiable interface) for its operands' adjoints.
//
// The work is split so region ops can join later: `BlockDifferentiator`
// handles one block, forward then backward, with an activity analysis (only
// values that depend on the differentiated arguments get adjoints). A loop op
// (scan/for) would implement Differentiable by running a nested
// BlockDifferentiator on its body: the forward loop stores each iteration's
// active values (or their recomputation inputs) in tensors indexed by the
// iteration, and the backward loop runs in reverse over them, carrying the
// adjoints of the loop-carried values. Calls differentiate the callee's
// function the same way this pass does for `value_and_grad`.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
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
      active.insert(mapping.lookup(arg));
    for (Operation &op : body.without_terminator()) {
      Operation *clone = builder.clone(op, mapping);
      forward.push_back(clone);
      if (!propagatesActivity(clone))
        continue;
      if (llvm::any_of(clone->getOperands(),
                       [&](Value v) { return active.contains(v); }))
        for (Value result : clone->getResults())
          if (isDifferentiableType(result.getType()))
            active.insert(result);
    }
    return success();
  }

  /// Seeds `value`'s adjoint with `seed` and propagates to every active value.
  LogicalResult propagateBackward(Value value, Value seed) {
    adjoints[value] = seed;
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
          value, splatConstant(builder, loc, valueType, 1.0))))
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
