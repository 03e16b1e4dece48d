//===- ConstantEval.h - Compile-time evaluation of settings -----*- C++ -*-===//
#ifndef DLNC_FRONTEND_CONSTANTEVAL_H
#define DLNC_FRONTEND_CONSTANTEVAL_H

#include "frontend/AST.h"

#include "llvm/ADT/StringMap.h"

#include <optional>

namespace dlnc {

/// Compile-time names and their values: model block parameters
/// (`model perceptron(lr = 0.1)`), a truth table's inputs.
using ConstantBindings = llvm::StringMap<double>;

/// Evaluates a numeric constant expression (`1 / 255`, `-1`, `2 ^ 10`,
/// `a != b` with `a`, `b` bound). Comparisons and `and`, `or`, `not` give 1
/// or 0 (a nonzero operand is true); `true` and `false` are 1 and 0.
/// Returns std::nullopt if the expression is not a numeric constant.
std::optional<double> evaluateNumber(const Expr &expr,
                                     const ConstantBindings *bindings = nullptr);

/// Evaluates to an integer; std::nullopt if not an exact integer constant.
std::optional<int64_t>
evaluateInteger(const Expr &expr,
                const ConstantBindings *bindings = nullptr);

/// The callee name of `name(...)`, or the empty string.
llvm::StringRef calleeName(const Expr &expr);

/// The elements of a list `[a, b, ...]`, or `expr` alone when it is not a
/// list (settings such as `transform = scale(2)` take either).
llvm::SmallVector<const Expr *> listItems(const Expr &expr);

/// Finds the named argument `name` of a call, or null.
const Argument *findNamedArgument(const CallExpr &call, llvm::StringRef name);

} // namespace dlnc

#endif // DLNC_FRONTEND_CONSTANTEVAL_H
