//===- Autodiff.cpp - dln-autodiff: reverse-mode differentiation ----------===//
// Source transformation: the adjoint function recomputes the primal body,
// then walks it backwards asking each op (Differentiable interface) for the
// adjoints of its operands. Bodies are straight-line, so program order is a
// valid topological order.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::dln {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;
using namespace mlir::dln;

namespace {
Value filledConstant(OpBuilder &builder, Location loc, Type type,
                     double value) {
  auto tensorType = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      builder, loc, tensorType,
      DenseElementsAttr::get(
          tensorType,
          builder.getFloatAttr(tensorType.getElementType(), value)));
}

/// Builds `@<callee>_vjp_<wrt...>` returning (value, d value / d args[wrt]).
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

  OpBuilder builder(primal);
  SmallVector<Type> resultTypes(primal.getResultTypes());
  for (int64_t index : wrt)
    resultTypes.push_back(primal.getArgumentTypes()[index]);
  auto adjoint = func::FuncOp::create(
      builder, primal.getLoc(), name,
      builder.getFunctionType(primal.getArgumentTypes(), resultTypes));
  adjoint.setPrivate();
  symbols.insert(adjoint);

  // Recompute the primal values.
  IRMapping mapping;
  Block *entry = adjoint.addEntryBlock();
  for (auto [from, to] :
       llvm::zip(primal.getArguments(), adjoint.getArguments()))
    mapping.map(from, to);
  builder.setInsertionPointToStart(entry);
  SmallVector<Operation *> forwardOps;
  Value value;
  for (Operation &op : primal.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      value = mapping.lookup(ret.getOperand(0));
      break;
    }
    forwardOps.push_back(builder.clone(op, mapping));
  }
  if (!value || !isa<RankedTensorType>(value.getType()) ||
      cast<RankedTensorType>(value.getType()).getRank() != 0)
    return primal.emitError("can only differentiate functions returning a "
                            "ranked scalar tensor (run dln-shape-inference "
                            "first)"),
           failure();

  // Propagate adjoints backwards.
  llvm::DenseMap<Value, Value> adjoints;
  adjoints[value] =
      filledConstant(builder, primal.getLoc(), value.getType(), 1.0);
  auto accumulate = [&](Value target, Value contribution, Location loc) {
    auto [it, inserted] = adjoints.try_emplace(target, contribution);
    if (!inserted)
      it->second = AddOp::create(builder, loc, target.getType(), it->second,
                                 contribution);
  };
  for (Operation *op : llvm::reverse(forwardOps)) {
    SmallVector<Value> resultAdjoints;
    bool active = false;
    for (Value result : op->getResults()) {
      Value adj = adjoints.lookup(result);
      active |= static_cast<bool>(adj);
      resultAdjoints.push_back(adj);
    }
    if (!active || op->getNumOperands() == 0)
      continue;
    auto differentiable = dyn_cast<Differentiable>(op);
    if (!differentiable)
      return op->emitError()
                 << "'" << op->getName() << "' is not differentiable",
             failure();
    for (unsigned i = 0, e = resultAdjoints.size(); i < e; ++i)
      if (!resultAdjoints[i])
        resultAdjoints[i] = filledConstant(builder, op->getLoc(),
                                           op->getResult(i).getType(), 0.0);
    SmallVector<Value> operandAdjoints =
        differentiable.buildAdjoints(builder, resultAdjoints);
    for (auto [operand, adj] : llvm::zip(op->getOperands(), operandAdjoints))
      if (adj)
        accumulate(operand, adj, op->getLoc());
  }

  SmallVector<Value> results{value};
  for (int64_t index : wrt) {
    Value arg = adjoint.getArgument(index);
    Value grad = adjoints.lookup(arg);
    // A parameter the value does not depend on has a zero gradient.
    results.push_back(
        grad ? grad
             : filledConstant(builder, primal.getLoc(), arg.getType(), 0.0));
  }
  func::ReturnOp::create(builder, primal.getLoc(), results);
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
