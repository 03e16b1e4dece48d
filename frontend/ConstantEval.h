//===- ConstantEval.h - Compile-time evaluation of settings -----*- C++ -*-===//
#ifndef DLNC_FRONTEND_CONSTANTEVAL_H
#define DLNC_FRONTEND_CONSTANTEVAL_H

#include "frontend/AST.h"

#include <optional>

namespace dlnc {

/// Evaluates a numeric constant expression (`1 / 255`, `-1`, `2 ^ 10`).
/// Returns std::nullopt if the expression is not a numeric constant.
std::optional<double> evaluateNumber(const Expr &expr);

/// Evaluates to an integer; std::nullopt if not an exact integer constant.
std::optional<int64_t> evaluateInteger(const Expr &expr);

/// The callee name of `name(...)`, or the empty string.
llvm::StringRef calleeName(const Expr &expr);

/// Finds the named argument `name` of a call, or null.
const Argument *findNamedArgument(const CallExpr &call, llvm::StringRef name);

} // namespace dlnc

#endif // DLNC_FRONTEND_CONSTANTEVAL_H
