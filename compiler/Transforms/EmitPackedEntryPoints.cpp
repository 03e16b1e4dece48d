//===- EmitPackedEntryPoints.cpp - dln-emit-packed-entry-points -----------===//
// The runtime calls entry points of any arity through one signature:
//   void dln_<model>_<entry>(void **args)   // args[i] -> memref descriptor i
// and finds them through one exported table per model:
//   const dlnrt_model_abi dln_<model>_model = {manifest, count, entries};
// whose layout is runtime/include/dlnrt/dlnrt.h's.
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

/// `void name(void **args)` unpacking args into a call of `wrapper`.
LLVM::LLVMFuncOp buildPackedWrapper(OpBuilder &builder, ModuleOp module,
                                    LLVM::LLVMFuncOp wrapper, StringRef name) {
  MLIRContext *context = module.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(context);
  Location loc = wrapper.getLoc();
  builder.setInsertionPointToEnd(module.getBody());
  auto func = LLVM::LLVMFuncOp::create(
      builder, loc, name,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {ptrType}));
  Block *entry = func.addEntryBlock(builder);
  builder.setInsertionPointToStart(entry);
  Value args = entry->getArgument(0);
  SmallVector<Value> operands;
  for (unsigned i = 0, e = wrapper.getNumArguments(); i < e; ++i) {
    Value slot =
        LLVM::GEPOp::create(builder, loc, ptrType, ptrType, args,
                            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
    operands.push_back(LLVM::LoadOp::create(builder, loc, ptrType, slot));
  }
  LLVM::CallOp::create(builder, loc, wrapper, operands);
  LLVM::ReturnOp::create(builder, loc, ValueRange{});
  return func;
}

/// A private NUL-terminated string constant.
LLVM::GlobalOp stringGlobal(OpBuilder &builder, ModuleOp module, Location loc,
                            StringRef symbol, StringRef text) {
  std::string value = (text + Twine('\0')).str();
  auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), value.size());
  builder.setInsertionPointToEnd(module.getBody());
  return LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/true,
                                LLVM::Linkage::Private, symbol,
                                builder.getStringAttr(value));
}

/// A constant global of `type` whose initializer `fill` builds and returns.
void constantGlobal(OpBuilder &builder, ModuleOp module, Location loc,
                    Type type, StringRef symbol, LLVM::Linkage linkage,
                    function_ref<Value(OpBuilder &)> fill) {
  builder.setInsertionPointToEnd(module.getBody());
  auto global = LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/true,
                                       linkage, symbol, Attribute());
  builder.createBlock(&global.getInitializerRegion());
  LLVM::ReturnOp::create(builder, loc, fill(builder));
}

struct EmitPackedEntryPointsPass
    : public dln::impl::EmitPackedEntryPointsBase<EmitPackedEntryPointsPass> {
  using EmitPackedEntryPointsBase::EmitPackedEntryPointsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    std::string prefix =
        ("dln_" + module.getSymName().value_or("model") + "_").str();
    Location loc = module.getLoc();

    SmallVector<LLVM::LLVMFuncOp> wrappers;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func.getName().starts_with(kCInterfacePrefix) && !func.isExternal())
        wrappers.push_back(func);

    OpBuilder builder(context);
    SmallVector<std::pair<std::string, LLVM::LLVMFuncOp>> packed;
    for (LLVM::LLVMFuncOp wrapper : wrappers) {
      StringRef entry = wrapper.getName().drop_front(kCInterfacePrefix.size());
      std::string name = prefix + entry.str();
      if (module.lookupSymbol(name)) {
        wrapper.emitError() << "symbol '" << name << "' already exists";
        return signalPassFailure();
      }
      packed.emplace_back(entry.str(),
                          buildPackedWrapper(builder, module, wrapper, name));
    }

    std::string manifestName = prefix + "manifest";
    if (!module.lookupSymbol<LLVM::GlobalOp>(manifestName)) {
      module.emitError() << "no '" << manifestName
                         << "' global: run dln-emit-manifest first";
      return signalPassFailure();
    }

    // dlnrt_entry_point[] = {{name, fn}, ...}
    auto ptrType = LLVM::LLVMPointerType::get(context);
    auto entryType =
        LLVM::LLVMStructType::getLiteral(context, {ptrType, ptrType});
    auto tableType = LLVM::LLVMArrayType::get(entryType, packed.size());
    SmallVector<LLVM::GlobalOp> names;
    for (auto &[entry, func] : packed)
      names.push_back(
          stringGlobal(builder, module, loc, prefix + "name_" + entry, entry));
    std::string tableName = prefix + "entry_points";
    constantGlobal(
        builder, module, loc, tableType, tableName, LLVM::Linkage::Internal,
        [&](OpBuilder &b) {
          Value table = LLVM::UndefOp::create(b, loc, tableType);
          for (auto [i, item] : llvm::enumerate(packed)) {
            Value entry = LLVM::UndefOp::create(b, loc, entryType);
            Value name = LLVM::AddressOfOp::create(b, loc, names[i]);
            Value fn = LLVM::AddressOfOp::create(b, loc, item.second);
            entry = LLVM::InsertValueOp::create(
                b, loc, entry, name,
                ArrayRef<int64_t>{static_cast<int64_t>(0)});
            entry = LLVM::InsertValueOp::create(
                b, loc, entry, fn, ArrayRef<int64_t>{static_cast<int64_t>(1)});
            table = LLVM::InsertValueOp::create(
                b, loc, table, entry,
                ArrayRef<int64_t>{static_cast<int64_t>(i)});
          }
          return table;
        });

    // dlnrt_model_abi = {manifest, num_entry_points, entry_points}
    auto abiType = LLVM::LLVMStructType::getLiteral(
        context, {ptrType, builder.getI64Type(), ptrType});
    auto fillAbi = [&](OpBuilder &b) {
      Value abi = LLVM::UndefOp::create(b, loc, abiType);
      Value manifest = LLVM::AddressOfOp::create(b, loc, ptrType, manifestName);
      Value count = LLVM::ConstantOp::create(
          b, loc, b.getI64Type(), b.getI64IntegerAttr(packed.size()));
      Value table = LLVM::AddressOfOp::create(b, loc, ptrType, tableName);
      abi = LLVM::InsertValueOp::create(
          b, loc, abi, manifest, ArrayRef<int64_t>{static_cast<int64_t>(0)});
      abi = LLVM::InsertValueOp::create(
          b, loc, abi, count, ArrayRef<int64_t>{static_cast<int64_t>(1)});
      return LLVM::InsertValueOp::create(
                 b, loc, abi, table, ArrayRef<int64_t>{static_cast<int64_t>(2)})
          .getResult();
    };
    constantGlobal(builder, module, loc, abiType, prefix + "model",
                   LLVM::Linkage::External, fillAbi);
    if (exportDefaultModel)
      constantGlobal(builder, module, loc, abiType, "dlnrt_default_model",
                     LLVM::Linkage::External, fillAbi);

    // Only the packed entry points and the model table are exported.
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      if (func.isExternal() ||
          llvm::any_of(packed, [&](auto &item) { return item.second == func; }))
        continue;
      func.setLinkage(LLVM::Linkage::Internal);
    }
  }
};
} // namespace
