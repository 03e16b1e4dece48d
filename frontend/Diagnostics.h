//===- Diagnostics.h - Printing errors with a caret line --------*- C++ -*-===//
#ifndef DLNC_FRONTEND_DIAGNOSTICS_H
#define DLNC_FRONTEND_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace dlnc {

/// Prints `file:line:col: kind: message`, the source line and a caret.
/// llvm::SourceMgr drops the caret of a line holding non-ASCII bytes; here
/// each such byte shows as '?' so the caret still points at its column.
void printSourceDiagnostic(const llvm::SourceMgr &sourceMgr, llvm::SMLoc loc,
                           llvm::SourceMgr::DiagKind kind,
                           const llvm::Twine &message,
                           llvm::raw_ostream &os);

/// Prints the MLIR diagnostics of `context` (errors from MLIRGen, the shape
/// rules and the passes) like the parser's, caret line included, for the
/// lifetime of this object.
class SourceDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  SourceDiagnosticHandler(llvm::SourceMgr &sourceMgr,
                          mlir::MLIRContext *context,
                          llvm::raw_ostream &os = llvm::errs());

private:
  void print(mlir::Location loc, mlir::DiagnosticSeverity severity,
             const llvm::Twine &message);

  llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
};

} // namespace dlnc

#endif // DLNC_FRONTEND_DIAGNOSTICS_H
