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
/// `where` receives the locations of what the model's declarations must
/// agree with: a `one_hot()` target transform (the label), each `augment`
/// entry (the input's shape).
struct DataLocations {
  llvm::SMLoc oneHotTarget;
  llvm::SmallVector<llvm::SMLoc> augments;
};
mlir::FailureOr<mlir::dln::DataAttr>
generateData(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr,
             const Block *block, llvm::StringRef sourceDir,
             DataLocations &where);

/// `augment = [random_crop(size, padding = 0, padding_mode = zeros),
/// random_flip(horizontal = true, vertical = false, p = 0.5), noise(std)]`
/// as #dln.transform attributes (DLNAttrs.td gives their arguments), or a
/// located error; `sites` receives each entry's location.
mlir::FailureOr<mlir::ArrayAttr> readAugments(
    mlir::MLIRContext &context, const Expr &expr,
    llvm::function_ref<mlir::InFlightDiagnostic(llvm::SMLoc)> error,
    llvm::SmallVectorImpl<llvm::SMLoc> &sites);

} // namespace dlnc

#endif // DLNC_FRONTEND_DATAGEN_H
