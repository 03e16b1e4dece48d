//===- LowerEntryPoints.cpp - dln-lower-entry-points ----------------------===//
// The runtime owns every buffer: entry points read and write caller memory
// (destination-passing), so one-shot bufferization never returns allocations
// across the ABI and parameters are updated in place.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "dialects/DLN/IR/DLNAttrs.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::dln {
#define GEN_PASS_DEF_LOWERENTRYPOINTS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
MemRefType toMemRef(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

LogicalResult lowerEntryPoint(func::FuncOp func) {
  // Dynamic dimensions (the batch) take their sizes from the caller's
  // memref descriptors.
  for (Type type : llvm::concat<const Type>(func.getArgumentTypes(),
                                            func.getResultTypes()))
    if (!isa<RankedTensorType>(type))
      return func.emitError("entry points need ranked tensor arguments and "
                            "results");
  Block &entry = func.getBody().front();
  OpBuilder builder = OpBuilder::atBlockBegin(&entry);
  Location loc = func.getLoc();

  // Arguments: memrefs viewed as tensors. Only the ones a result updates in
  // place are writable: callers' inputs are never clobbered.
  llvm::SmallDenseSet<int64_t> updatedArgs;
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    if (auto alias =
            func.getResultAttrOfType<IntegerAttr>(i, "dln.aliases_arg"))
      updatedArgs.insert(alias.getInt());
  SmallVector<Type> argTypes;
  for (BlockArgument arg : entry.getArguments()) {
    Type tensorType = arg.getType();
    arg.setType(toMemRef(tensorType));
    argTypes.push_back(arg.getType());
    auto asTensor = bufferization::ToTensorOp::create(
        builder, loc, tensorType, arg, /*restrict=*/true,
        /*writable=*/updatedArgs.contains(arg.getArgNumber()));
    arg.replaceAllUsesExcept(asTensor, asTensor);
  }

  // The ABI table (dln.abi): each argument's role, name and access, in
  // argument order, read by dln-emit-manifest.
  MLIRContext *context = func.getContext();
  SmallVector<Attribute> abi;
  auto describe = [&](Attribute role, StringRef access) {
    abi.push_back(DictionaryAttr::get(
        context, {NamedAttribute(StringAttr::get(context, "arg"), role),
                  NamedAttribute(StringAttr::get(context, "access"),
                                 StringAttr::get(context, access))}));
  };
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    auto role = func.getArgAttrOfType<dln::ArgAttr>(i, dln::kArgAttrName);
    if (!role)
      return func.emitError()
             << "entry point argument #" << i << " has no dln.arg role";
    describe(role, updatedArgs.contains(i) ? "readwrite" : "read");
  }

  // Results: written into aliased arguments or into new output arguments.
  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  builder.setInsertionPoint(ret);
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    Value destination;
    auto alias =
        func.getResultAttrOfType<IntegerAttr>(index, "dln.aliases_arg");
    if (alias) {
      destination = entry.getArgument(alias.getInt());
    } else {
      auto role =
          func.getResultAttrOfType<dln::ArgAttr>(index, dln::kArgAttrName);
      if (!role)
        return func.emitError()
               << "entry point result #" << index << " has no dln.arg role";
      describe(role, "write");
      destination = entry.addArgument(toMemRef(value.getType()), loc);
      argTypes.push_back(destination.getType());
    }
    auto store = bufferization::MaterializeInDestinationOp::create(
        builder, loc, value, destination);
    store.setWritable(true);
    // `restrict` promises that no to_tensor views the destination: true for
    // new outputs only, not for parameters read by the step they update.
    store.setRestrict(!alias);
  }
  func::ReturnOp::create(builder, loc);
  ret.erase();
  func.setType(FunctionType::get(func.getContext(), argTypes, {}));
  // dln.* argument attributes described the tensor-level roles only.
  func.setAllArgAttrs(SmallVector<DictionaryAttr>(
      argTypes.size(), DictionaryAttr::get(func.getContext())));
  func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(func.getContext()));
  func->setAttr("dln.entry_point", UnitAttr::get(func.getContext()));
  func->setAttr("dln.abi", ArrayAttr::get(context, abi));
  return success();
}

struct LowerEntryPointsPass
    : public dln::impl::LowerEntryPointsBase<LowerEntryPointsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic() ||
          func->hasAttr("dln.entry_point"))
        continue;
      if (failed(lowerEntryPoint(func)))
        return signalPassFailure();
    }
  }
};
} // namespace
