//===- OutlineLoopNests.cpp - dln-outline-loop-nests ----------------------===//
// A train step is one function holding every layer's loop nests; LLVM's
// function-level analyses (scalar evolution, dominator trees) grow faster
// than linearly with it, so a deep model took minutes to compile. Moving each
// top-level loop nest of an entry point into its own function, called
// `no_inline`,
// keeps every function LLVM optimizes small; one call per nest is noise next
// to the nest's work. Constants are cloned into the outlined function, so
// trip counts and splat values stay known to LLVM.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::dln {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
bool isConstant(Value value) {
  Operation *def = value.getDefiningOp();
  return def && def->hasTrait<OpTrait::ConstantLike>();
}

/// Replaces `nest` by a call of a new private function `name` holding it.
void outline(Operation *nest, StringRef name, SymbolTable &symbols) {
  // Inputs: the nest's operands and the outer values its regions use,
  // constants excepted.
  llvm::SetVector<Value> captured;
  for (Value operand : nest->getOperands())
    captured.insert(operand);
  getUsedValuesDefinedAbove(nest->getRegions(), captured);
  SmallVector<Value> inputs, constants;
  for (Value value : captured)
    (isConstant(value) ? constants : inputs).push_back(value);

  auto module = nest->getParentOfType<ModuleOp>();
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto func = func::FuncOp::create(
      builder, nest->getLoc(), name,
      builder.getFunctionType(ValueRange(inputs).getTypes(),
                              nest->getResultTypes()));
  func.setPrivate();
  symbols.insert(func);
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (Value constant : constants)
    mapping.map(constant,
                builder.clone(*constant.getDefiningOp())->getResult(0));
  mapping.map(inputs, entry->getArguments());
  Operation *clone = builder.clone(*nest, mapping);
  func::ReturnOp::create(builder, nest->getLoc(), clone->getResults());

  builder.setInsertionPoint(nest);
  auto call = func::CallOp::create(builder, nest->getLoc(), func, inputs);
  // A call-site `no_inline` survives the LLVM lowering (a func attribute
  // would not), so LLVM's inliner does not undo the outlining.
  call.setNoInline(true);
  nest->replaceAllUsesWith(call.getResults());
  nest->erase();
}

struct OutlineLoopNestsPass
    : public dln::impl::OutlineLoopNestsBase<OutlineLoopNestsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr("dln.entry_point") && !func.isExternal())
        entries.push_back(func);
    for (func::FuncOp func : entries) {
      SmallVector<Operation *> nests;
      for (Operation &op : func.getBody().front().without_terminator())
        if (op.getNumRegions() > 0)
          nests.push_back(&op);
      for (auto [index, nest] : llvm::enumerate(nests))
        outline(nest, (func.getSymName() + "_nest" + Twine(index)).str(),
                symbols);
    }
  }
};
} // namespace
