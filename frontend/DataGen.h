//===- DataGen.h - The data block as a #dln.data attribute ------*- C++ -*-===//
#ifndef DLNC_FRONTEND_DATAGEN_H
#define DLNC_FRONTEND_DATAGEN_H

#include "frontend/AST.h"

#include "dialects/DLN/IR/DLNAttrs.h"

#include "mlir/IR/MLIRContext.h"

namespace dlnc {

/// Reads a `data` block: `dir`, `let` names for sources (`let (a, b) =
/// split(...)`), `train`, `test`, `transform` and `target_transform`.
/// Sources are csv, idx, table (inline rows) and truth_table (evaluated here
/// into a table). `block` may be null (no data block). A relative or missing
/// `dir` is resolved against `sourceDir`, the directory of the .dln file.
/// `oneHotTarget` receives the location of a `one_hot()` target transform,
/// which the model's label declaration must agree with.
mlir::FailureOr<mlir::dln::DataAttr>
generateData(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr,
             const Block *block, llvm::StringRef sourceDir,
             llvm::SMLoc &oneHotTarget);

} // namespace dlnc

#endif // DLNC_FRONTEND_DATAGEN_H
