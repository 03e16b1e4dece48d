//===- Diagnostics.cpp - Printing errors with a caret line ----------------===//
#include "frontend/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace dlnc;

void dlnc::printSourceDiagnostic(const llvm::SourceMgr &sourceMgr,
                                 llvm::SMLoc loc,
                                 llvm::SourceMgr::DiagKind kind,
                                 const llvm::Twine &message,
                                 llvm::raw_ostream &os) {
  llvm::SMDiagnostic diag = sourceMgr.GetMessage(loc, kind, message);
  std::string line = diag.getLineContents().str();
  for (char &c : line)
    if (static_cast<unsigned char>(c) >= 0x80)
      c = '?';
  llvm::SMDiagnostic(sourceMgr, loc, diag.getFilename(), diag.getLineNo(),
                     diag.getColumnNo(), diag.getKind(), diag.getMessage(),
                     line, {})
      .print(nullptr, os);
}

namespace {
llvm::SourceMgr::DiagKind toDiagKind(mlir::DiagnosticSeverity severity) {
  switch (severity) {
  case mlir::DiagnosticSeverity::Error:
    return llvm::SourceMgr::DK_Error;
  case mlir::DiagnosticSeverity::Warning:
    return llvm::SourceMgr::DK_Warning;
  case mlir::DiagnosticSeverity::Note:
    return llvm::SourceMgr::DK_Note;
  case mlir::DiagnosticSeverity::Remark:
    return llvm::SourceMgr::DK_Remark;
  }
  llvm_unreachable("unknown severity");
}

/// The position `loc` names in a buffer of `sourceMgr`, if any.
llvm::SMLoc findInSource(llvm::SourceMgr &sourceMgr,
                         mlir::Location loc) {
  // Fused, named and call-site locations wrap the file position.
  auto fileLoc = loc->findInstanceOf<mlir::FileLineColLoc>();
  if (!fileLoc)
    return {};
  for (unsigned id = 1; id <= sourceMgr.getNumBuffers(); ++id)
    if (sourceMgr.getMemoryBuffer(id)->getBufferIdentifier() ==
        fileLoc.getFilename().getValue())
      return sourceMgr.FindLocForLineAndColumn(id, fileLoc.getLine(),
                                               fileLoc.getColumn());
  return {};
}
} // namespace

SourceDiagnosticHandler::SourceDiagnosticHandler(
    llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context,
    llvm::raw_ostream &os)
    : ScopedDiagnosticHandler(context), sourceMgr(sourceMgr), os(os) {
  setHandler([this](mlir::Diagnostic &diag) {
    print(diag.getLocation(), diag.getSeverity(), diag.str());
    for (mlir::Diagnostic &note : diag.getNotes())
      print(note.getLocation(), note.getSeverity(), note.str());
    return mlir::success();
  });
}

void SourceDiagnosticHandler::print(mlir::Location loc,
                                    mlir::DiagnosticSeverity severity,
                                    const llvm::Twine &message) {
  if (llvm::SMLoc where = findInSource(sourceMgr, loc); where.isValid())
    return printSourceDiagnostic(sourceMgr, where, toDiagKind(severity),
                                 message, os);
  // Not in the source (an internal location): no line to show.
  std::string where;
  if (!mlir::isa<mlir::UnknownLoc>(loc))
    llvm::raw_string_ostream(where) << loc;
  llvm::SMDiagnostic(where, toDiagKind(severity), message.str())
      .print(nullptr, os);
}
