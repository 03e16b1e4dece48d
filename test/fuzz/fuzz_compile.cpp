//===- fuzz_compile.cpp - libFuzzer target of MLIRGen and the pipeline ----===//
//
// As fuzz_frontend, then the whole CPU pipeline (dln -> linalg -> LLVM
// dialect) on every module MLIRGen accepts, as `dlnc --emit=llvm` runs it up
// to LLVM IR. A pass may fail only with a diagnostic; a crash or sanitizer
// report is a bug. Slow (milliseconds per accepted input): run it on
// purpose, not in the smoke.
//
//===----------------------------------------------------------------------===//
#include "compiler/Pipelines/DialectRegistration.h"
#include "compiler/Pipelines/Pipelines.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool registered = (mlir::dln::registerCompilerPasses(), true);
  (void)registered;
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.dln", /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  std::optional<dlnc::Module> ast = dlnc::parseModule(sourceMgr);
  if (!ast)
    return 0;
  mlir::DialectRegistry registry;
  mlir::dln::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      dlnc::mlirGen(context, sourceMgr, *ast);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  mlir::dln::PipelineOptions options;
  options.vectorBytes = 32;
  mlir::PassManager pm(&context);
  mlir::dln::buildDLNToLinalgPipeline(pm, options);
  mlir::dln::buildLinalgToLLVMPipeline(pm, options);
  (void)pm.run(*module);
  return 0;
}
