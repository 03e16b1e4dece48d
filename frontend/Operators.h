//===- Operators.h - The operators of model expressions ---------*- C++ -*-===//
//
// `a + b`, `a < b`, `a and b`, `-a`, `not a` on tensors, with NumPy
// broadcasting. Comparisons and logical operators give 0/1 tensors in the
// operands' float type and have zero derivative (docs/language.md 12).
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_OPERATORS_H
#define DLNC_FRONTEND_OPERATORS_H

#include "mlir/IR/Builders.h"

namespace dlnc {

/// `lhs op rhs`, or a located error for an operator tensors do not support.
mlir::FailureOr<mlir::Value> emitBinaryOperator(mlir::OpBuilder &builder,
                                                mlir::Location loc,
                                                llvm::StringRef op,
                                                mlir::Value lhs,
                                                mlir::Value rhs);

/// `op operand` for `-` and `not`.
mlir::FailureOr<mlir::Value> emitUnaryOperator(mlir::OpBuilder &builder,
                                               mlir::Location loc,
                                               llvm::StringRef op,
                                               mlir::Value operand);

} // namespace dlnc

#endif // DLNC_FRONTEND_OPERATORS_H
