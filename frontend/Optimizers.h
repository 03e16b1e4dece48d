//===- Optimizers.h - The optimizers of a train block -----------*- C++ -*-===//
// docs/language.md 14.3: reading `optimizer = adam(lr = ...)` into a
// #dln.optimizer attribute, the optimizer state it keeps, and the update op
// of one parameter in the train step. One table entry per torch.optim kind.
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_OPTIMIZERS_H
#define DLNC_FRONTEND_OPTIMIZERS_H

#include "frontend/AST.h"

#include "dialects/DLN/IR/DLNAttrs.h"

#include "mlir/IR/Builders.h"

namespace dlnc {

/// Checks the call against the optimizer table (known kind and options,
/// value ranges, PyTorch's constraints) with located errors, and returns
/// the kind with every hyperparameter, defaults filled in.
mlir::FailureOr<mlir::dln::OptimizerAttr>
readOptimizer(mlir::MLIRContext &context, const llvm::SourceMgr &sourceMgr,
              const Expr &expr);

/// The optimizer-state tensors kept per parameter, as name suffixes in
/// train-step order (PyTorch's state names: "fc.weight.exp_avg", ...).
llvm::SmallVector<llvm::StringRef>
optimizerSlots(mlir::dln::OptimizerAttr optimizer);

/// Whether the update needs the step count t, a scalar optimizer-state
/// tensor named kStepCountName, incremented once per train step.
bool usesStepCount(mlir::dln::OptimizerAttr optimizer);
constexpr llvm::StringLiteral kStepCountName = "optimizer.step";

/// Builds one parameter's update: the new parameter followed by the new
/// state, one per slot. `step` is the already incremented step count (null
/// unless usesStepCount).
llvm::SmallVector<mlir::Value>
buildOptimizerUpdate(mlir::OpBuilder &builder, mlir::Location loc,
                     mlir::dln::OptimizerAttr optimizer, mlir::Value param,
                     mlir::Value grad, mlir::ValueRange slots, mlir::Value step,
                     mlir::Value lr);

} // namespace dlnc

#endif // DLNC_FRONTEND_OPTIMIZERS_H
