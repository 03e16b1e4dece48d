//===- MergeDuplicateFunctions.cpp - dln-merge-duplicate-functions --------===//
// After outlining, a deep model holds many copies of the same loop nest: every
// hidden layer of one width has the same forward and backward nests, and the
// train, gradient-check and eval entry points repeat the forward pass. LLVM
// would optimize and code-generate each copy, so compile time grew with the
// number of layers rather than with the number of distinct layer shapes.
// Private functions whose bodies are structurally equal (locations aside)
// are merged into one, as IREE deduplicates its executables.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::dln {
#define GEN_PASS_DEF_MERGEDUPLICATEFUNCTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
constexpr auto kStructural = OperationEquivalence::IgnoreLocations;

/// A hash of the body's structure: op names, attributes, types and nesting,
/// independent of which SSA values the operands are. Equal functions hash
/// equally; `isRegionEquivalentTo` settles collisions.
llvm::hash_code structuralHash(func::FuncOp func) {
  llvm::hash_code hash = hash_value(func.getFunctionType());
  func.getBody().walk([&](Operation *op) {
    hash = llvm::hash_combine(
        hash, OperationEquivalence::computeHash(
                  op, OperationEquivalence::ignoreHashValue,
                  OperationEquivalence::ignoreHashValue, kStructural));
  });
  return hash;
}

bool isStructurallyEqual(func::FuncOp lhs, func::FuncOp rhs) {
  return lhs.getFunctionType() == rhs.getFunctionType() &&
         lhs.getArgAttrsAttr() == rhs.getArgAttrsAttr() &&
         lhs.getResAttrsAttr() == rhs.getResAttrsAttr() &&
         lhs->getDiscardableAttrDictionary() ==
             rhs->getDiscardableAttrDictionary() &&
         OperationEquivalence::isRegionEquivalentTo(
             &lhs.getBody(), &rhs.getBody(), kStructural);
}

struct MergeDuplicateFunctionsPass
    : public dln::impl::MergeDuplicateFunctionsBase<
          MergeDuplicateFunctionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Only private functions: nothing outside the module can tell them apart.
    llvm::DenseMap<llvm::hash_code, SmallVector<func::FuncOp, 1>> kept;
    llvm::DenseMap<StringAttr, FlatSymbolRefAttr> replacement;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPrivate() || func.isExternal())
        continue;
      SmallVector<func::FuncOp, 1> &candidates = kept[structuralHash(func)];
      auto original = llvm::find_if(candidates, [&](func::FuncOp other) {
        return isStructurallyEqual(other, func);
      });
      if (original == candidates.end())
        candidates.push_back(func);
      else
        replacement[func.getSymNameAttr()] =
            FlatSymbolRefAttr::get((*original).getSymNameAttr());
    }
    if (replacement.empty())
      return;
    // One walk redirects every call (a walk per duplicate was quadratic).
    module.walk([&](CallOpInterface call) {
      auto callee = dyn_cast<SymbolRefAttr>(call.getCallableForCallee());
      if (!callee || callee.getNestedReferences().size())
        return;
      if (FlatSymbolRefAttr target =
              replacement.lookup(callee.getRootReference()))
        call.setCalleeFromCallable(target);
    });
    // A duplicate still referenced some other way (not a call) stays.
    if (std::optional<SymbolTable::UseRange> uses =
            SymbolTable::getSymbolUses(module))
      for (const SymbolTable::SymbolUse &use : *uses)
        replacement.erase(use.getSymbolRef().getRootReference());
    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (replacement.contains(func.getSymNameAttr()))
        func.erase();
  }
};
} // namespace
