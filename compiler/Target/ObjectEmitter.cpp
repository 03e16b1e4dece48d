//===- ObjectEmitter.cpp - LLVM dialect to LLVM IR and object code --------===//
#include "compiler/Target/ObjectEmitter.h"
#include "compiler/Target/Sanitizers.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Analysis/CFG.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/Passes/PassBuilder.h"
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

/// LLVM's default module pipeline (as mlir::makeOptimizingTransformer
/// builds it) minus called-value propagation. That pass only annotates
/// indirect calls, which generated code has none of, and its solver grew
/// quadratically with the calls of one function: a 200-layer MLP, whose
/// layers share their outlined loop nests, spent 5.6 of 8 seconds in it.
static void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                           unsigned optLevel) {
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassInstrumentationCallbacks instrumentation;
  instrumentation.registerShouldRunOptionalPassCallback(
      [](llvm::StringRef pass, llvm::Any) {
        return pass != "CalledValuePropagationPass";
      });
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = true;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&machine, tuning, std::nullopt, &instrumentation);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  llvm::ModulePassManager passes =
      level == llvm::OptimizationLevel::O0
          ? builder.buildO0DefaultPipeline(level)
          : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, modules);
}

/// Loop-free functions at least this long are sequenced with fast
/// instruction selection. The entry points of spec models stay under 2,700
/// instructions; a 200-layer MLP's train step has 14,500.
static constexpr unsigned kLongStraightLineCode = 4000;

/// Entry points are straight-line sequences of calls (OutlineLoopNests moved
/// every loop nest into its own function), and their length grows with the
/// model's depth. Instruction selection and the post-RA scheduler work on
/// whole basic blocks and grow quadratically with their length: in a
/// 200-layer MLP they took 2.4 of 5.6 s of code generation. Those functions
/// only pass buffers to calls, so `optnone` (fast selection, no scheduling)
/// costs them little run time; the loop nests keep full optimization.
static void selectFastForLongStraightLineCode(llvm::Module &module) {
  for (llvm::Function &function : module) {
    if (function.isDeclaration() || function.hasOptNone() ||
        function.getInstructionCount() < kLongStraightLineCode)
      continue;
    llvm::SmallVector<std::pair<const llvm::BasicBlock *,
                                const llvm::BasicBlock *>>
        backedges;
    llvm::FindFunctionBackedges(function, backedges);
    if (!backedges.empty())
      continue;
    function.removeFnAttr(llvm::Attribute::OptimizeForSize);
    function.removeFnAttr(llvm::Attribute::MinSize);
    function.removeFnAttr(llvm::Attribute::AlwaysInline);
    function.addFnAttr(llvm::Attribute::NoInline);
    function.addFnAttr(llvm::Attribute::OptimizeNone);
  }
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
  optimizeModule(*llvmModule, machine, optLevel);
  if (optLevel > 0)
    selectFastForLongStraightLineCode(*llvmModule);
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
  // Instrumented here, not in translateAndOptimize, so that --emit=llvm
  // shows the model's own code in every build.
  instrumentForSanitizers(llvmModule, machine);
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
