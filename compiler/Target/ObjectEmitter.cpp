//===- ObjectEmitter.cpp - LLVM dialect to LLVM IR and object code --------===//
#include "compiler/Target/ObjectEmitter.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

FailureOr<std::unique_ptr<llvm::TargetMachine>>
dln::createHostTargetMachine(unsigned optLevel) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    llvm::errs() << "error: no code generator for " << triple.str() << ": "
                 << error << "\n";
    return failure();
  }
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.first(), feature.second);
  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2
                                    ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features.getString(),
      llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine) {
    llvm::errs() << "error: cannot create a target machine for " << triple.str()
                 << "\n";
    return failure();
  }
  return machine;
}

int64_t dln::hostVectorBytes() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 64;
  if (features.lookup("avx2"))
    return 32;
  return 16;
}

std::unique_ptr<llvm::Module>
dln::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                          llvm::TargetMachine &machine, unsigned optLevel) {
  registerBuiltinDialectTranslation(*module->getContext());
  registerLLVMDialectTranslation(*module->getContext());
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(
      module, context, module.getSymName().value_or("model"));
  if (!llvmModule) {
    module.emitError("failed to translate to LLVM IR");
    return nullptr;
  }
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  auto optimize =
      makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &machine);
  if (llvm::Error error = optimize(llvmModule.get())) {
    module.emitError() << "LLVM optimization failed: "
                       << llvm::toString(std::move(error));
    return nullptr;
  }
  return llvmModule;
}

LogicalResult dln::writeObjectFile(llvm::Module &llvmModule,
                                   llvm::TargetMachine &machine,
                                   StringRef path) {
  std::error_code ec;
  // ToolOutputFile deletes the file unless keep() is called: no half-written
  // objects survive a failure.
  llvm::ToolOutputFile output(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    llvm::errs() << "error: cannot open '" << path << "': " << ec.message()
                 << "\n";
    return failure();
  }
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, output.os(), nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    llvm::errs() << "error: the target cannot emit object files\n";
    return failure();
  }
  passes.run(llvmModule);
  output.os().flush();
  if (output.os().has_error())
    return failure();
  output.keep();
  return success();
}
