//===- fuzz_frontend.cpp - libFuzzer target of lexer, parser and MLIRGen --===//
//
// An input is a .dln source. It goes through what `dlnc --emit=dln` runs:
// the parser (with the lexer), the AST dump, MLIRGen into the dln dialect and
// the verifier. Every stage may reject the input with a diagnostic, which is
// swallowed; a crash, a sanitizer report or a module that fails verification
// after MLIRGen accepted it is a bug (MLIRGen must report user errors itself,
// at their source location).
//
// The source buffer is the fuzzer's own, without dlnc's terminating NUL, so
// ASan sees any read past its end.
//
//===----------------------------------------------------------------------===//
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.dln", /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  std::optional<dlnc::Module> ast = dlnc::parseModule(sourceMgr);
  if (!ast)
    return 0;
  llvm::raw_null_ostream null;
  dlnc::dumpAST(*ast, sourceMgr, null);

  // A fresh context per input: attributes and types interned by one input
  // must not accumulate over millions of runs.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  bool verifying = false;
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &diag) {
    if (verifying && diag.getSeverity() == mlir::DiagnosticSeverity::Error) {
      llvm::errs() << "MLIRGen built an invalid module: " << diag << "\n";
      std::abort();
    }
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      dlnc::mlirGen(context, sourceMgr, *ast);
  if (!module)
    return 0;
  verifying = true;
  (void)mlir::verify(*module);
  return 0;
}
