//===- MLIRGen.h - Lowering of the .dln AST to the dln dialect --*- C++ -*-===//
#ifndef DLNC_FRONTEND_MLIRGEN_H
#define DLNC_FRONTEND_MLIRGEN_H

#include "frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

namespace dlnc {

/// Builds the dln module of a parsed file: the model's loss, eval and train
/// step functions, and the training recipe (data, optimizer, schedule) as
/// module attributes. Semantic errors are emitted through the context's
/// diagnostic engine at the offending source location; returns null then.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context,
                                          llvm::SourceMgr &sourceMgr,
                                          const Module &module);

} // namespace dlnc

#endif // DLNC_FRONTEND_MLIRGEN_H
