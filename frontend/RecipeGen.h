//===- RecipeGen.h - The training recipe as module attributes ---*- C++ -*-===//
#ifndef DLNC_FRONTEND_RECIPEGEN_H
#define DLNC_FRONTEND_RECIPEGEN_H

#include "frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"

namespace dlnc {

/// Reads the `data` and `train` blocks and records them on `module` as
/// `dln.data`, `dln.optimizer`, `dln.batch`, `dln.epochs`, `dln.seed` and
/// `dln.log_every`; the runtime manifest is serialized from these. Returns
/// the static batch size (resolving `batch = all` from the training data).
mlir::FailureOr<int64_t> generateRecipe(mlir::MLIRContext &context,
                                        llvm::SourceMgr &sourceMgr,
                                        const Module &ast,
                                        mlir::ModuleOp module);

} // namespace dlnc

#endif // DLNC_FRONTEND_RECIPEGEN_H
