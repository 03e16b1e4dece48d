//===- Sanitizers.cpp - Compiled models under dlnc's own sanitizers -------===//
#include "compiler/Target/Sanitizers.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"

using namespace mlir;

StringRef dln::buildSanitizers() { return DLNC_SANITIZE; }

void dln::instrumentForSanitizers(llvm::Module &module,
                                  llvm::TargetMachine &machine) {
  SmallVector<StringRef> sanitizers;
  buildSanitizers().split(sanitizers, ',', -1, /*KeepEmpty=*/false);
  if (!llvm::is_contained(sanitizers, "address"))
    return;
  // Only functions carrying the attribute are instrumented, as clang marks
  // every function it compiles with -fsanitize=address. Frame pointers give
  // the reports' stack traces a path through model code.
  for (llvm::Function &function : module) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr(llvm::Attribute::SanitizeAddress);
    function.addFnAttr("frame-pointer", "all");
  }
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgsccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgsccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgsccs, modules);
  llvm::ModulePassManager passes;
  // After optimization, as clang schedules it; globals without GC sections,
  // as clang does on ELF by default.
  passes.addPass(llvm::AddressSanitizerPass(llvm::AddressSanitizerOptions(),
                                            /*UseGlobalGC=*/false));
  passes.run(module, modules);
}

dln::LinkDriver dln::runtimeLinkDriver() {
  if (buildSanitizers().empty())
    return {"c++", {}};
  return {DLNC_RUNTIME_CXX, {"-fsanitize=" + buildSanitizers().str()}};
}
