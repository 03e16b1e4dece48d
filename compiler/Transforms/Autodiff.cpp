//===- Autodiff.cpp - dln-autodiff: reverse-mode differentiation ----------===//
// Source transformation: `dln.value_and_grad @f` becomes a call of a
// generated `@f_vjp_<wrt>` that recomputes f's body, then walks it backwards
// asking each op (Differentiable interface) for its operands' adjoints; a
// BlockDifferentiator does both for the function's block, and through the
// `dln.scan`s in it (ScanAdjoint.cpp).
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/BlockDifferentiator.h"
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
