//===- SourceLocation.h - SMLoc to MLIR locations ---------------*- C++ -*-===//
#ifndef DLNC_FRONTEND_SOURCELOCATION_H
#define DLNC_FRONTEND_SOURCELOCATION_H

#include "mlir/IR/Location.h"
#include "llvm/Support/SourceMgr.h"

namespace dlnc {

/// Maps a location in the main buffer to a FileLineColLoc, so that frontend
/// and IR diagnostics print the same `file:line:col` with a caret line.
inline mlir::Location toLocation(mlir::MLIRContext &context,
                                 const llvm::SourceMgr &sourceMgr,
                                 llvm::SMLoc loc) {
  if (!loc.isValid())
    return mlir::UnknownLoc::get(&context);
  unsigned bufferId = sourceMgr.FindBufferContainingLoc(loc);
  auto [line, column] = sourceMgr.getLineAndColumn(loc, bufferId);
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier();
  return mlir::FileLineColLoc::get(&context, file, line, column);
}

} // namespace dlnc

#endif // DLNC_FRONTEND_SOURCELOCATION_H
