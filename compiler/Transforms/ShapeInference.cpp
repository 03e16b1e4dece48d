//===- ShapeInference.cpp - dln-shape-inference ---------------------------===//
// Toy-style forward propagation: ops are processed in program order (all
// bodies are straight-line), each refining its results from its operands.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNOps.h"

namespace mlir::dln {
#define GEN_PASS_DEF_SHAPEINFERENCE
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;
using namespace mlir::dln;

namespace {
bool hasUnrankedResult(Operation *op) {
  return llvm::any_of(op->getResultTypes(),
                      [](Type type) { return isa<UnrankedTensorType>(type); });
}

struct ShapeInferencePass
    : public dln::impl::ShapeInferenceBase<ShapeInferencePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      WalkResult result = func.walk([](Operation *op) {
        if (!hasUnrankedResult(op))
          return WalkResult::advance();
        auto shapeOp = dyn_cast<ShapeInference>(op);
        if (!shapeOp) {
          op->emitError() << "cannot infer the result shape of '"
                          << op->getName() << "'";
          return WalkResult::interrupt();
        }
        return failed(shapeOp.inferShapes()) ? WalkResult::interrupt()
                                             : WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
      // Results now have concrete types: make the signature agree.
      auto terminator =
          cast<func::ReturnOp>(func.getBody().back().getTerminator());
      func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                     terminator.getOperandTypes()));
    }
  }
};
} // namespace
