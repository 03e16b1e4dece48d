//===- EmitPackedEntryPoints.cpp - dln-emit-packed-entry-points -----------===//
// The runtime calls entry points of any arity through one signature:
//   void dln_<name>(void **args)   // args[i] -> memref descriptor i
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::dln {
#define GEN_PASS_DEF_EMITPACKEDENTRYPOINTS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
constexpr StringLiteral kCInterfacePrefix = "_mlir_ciface_";

struct EmitPackedEntryPointsPass
    : public dln::impl::EmitPackedEntryPointsBase<EmitPackedEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(context);
    auto voidType = LLVM::LLVMVoidType::get(context);

    SmallVector<LLVM::LLVMFuncOp> wrappers;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func.getName().starts_with(kCInterfacePrefix) && !func.isExternal())
        wrappers.push_back(func);

    OpBuilder builder(context);
    SmallVector<LLVM::LLVMFuncOp> packed;
    for (LLVM::LLVMFuncOp wrapper : wrappers) {
      std::string name =
          ("dln_" + wrapper.getName().drop_front(kCInterfacePrefix.size()))
              .str();
      if (module.lookupSymbol(name)) {
        wrapper.emitError() << "symbol '" << name << "' already exists";
        return signalPassFailure();
      }
      Location loc = wrapper.getLoc();
      builder.setInsertionPointToEnd(module.getBody());
      auto func = LLVM::LLVMFuncOp::create(
          builder, loc, name, LLVM::LLVMFunctionType::get(voidType, {ptrType}));
      Block *entry = func.addEntryBlock(builder);
      builder.setInsertionPointToStart(entry);
      Value args = entry->getArgument(0);
      SmallVector<Value> operands;
      for (unsigned i = 0, e = wrapper.getNumArguments(); i < e; ++i) {
        Value slot = LLVM::GEPOp::create(
            builder, loc, ptrType, ptrType, args,
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        operands.push_back(LLVM::LoadOp::create(builder, loc, ptrType, slot));
      }
      LLVM::CallOp::create(builder, loc, wrapper, operands);
      LLVM::ReturnOp::create(builder, loc, ValueRange{});
      packed.push_back(func);
    }

    // Only the packed entry points (and the manifest) are exported.
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      if (func.isExternal() || llvm::is_contained(packed, func))
        continue;
      func.setLinkage(LLVM::Linkage::Internal);
    }
  }
};
} // namespace
