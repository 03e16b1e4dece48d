//===- ConstantEval.cpp - Compile-time evaluation of settings -------------===//
#include "frontend/ConstantEval.h"

#include <cmath>

using namespace dlnc;

/// The value without the finiteness check below.
static std::optional<double> evaluateRaw(const Expr &expr);

/// Settings are finite numbers: an overflow (`1e308 * 10`) is no number.
std::optional<double> dlnc::evaluateNumber(const Expr &expr) {
  std::optional<double> value = evaluateRaw(expr);
  if (value && !std::isfinite(*value))
    return std::nullopt;
  return value;
}

static std::optional<double> evaluateRaw(const Expr &expr) {
  if (auto *number = llvm::dyn_cast<NumberExpr>(&expr))
    return number->value;
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&expr)) {
    if (unary->op != "-")
      return std::nullopt;
    if (auto value = evaluateNumber(*unary->operand))
      return -*value;
    return std::nullopt;
  }
  auto *binary = llvm::dyn_cast<BinaryExpr>(&expr);
  if (!binary)
    return std::nullopt;
  auto lhs = evaluateNumber(*binary->lhs);
  auto rhs = evaluateNumber(*binary->rhs);
  if (!lhs || !rhs)
    return std::nullopt;
  if (binary->op == "+")
    return *lhs + *rhs;
  if (binary->op == "-")
    return *lhs - *rhs;
  if (binary->op == "*")
    return *lhs * *rhs;
  if (binary->op == "/" && *rhs != 0)
    return *lhs / *rhs;
  if (binary->op == "^")
    return std::pow(*lhs, *rhs);
  return std::nullopt;
}

std::optional<int64_t> dlnc::evaluateInteger(const Expr &expr) {
  std::optional<double> value = evaluateNumber(expr);
  if (!value || std::floor(*value) != *value || std::abs(*value) > 9.0e15)
    return std::nullopt;
  return static_cast<int64_t>(*value);
}

llvm::StringRef dlnc::calleeName(const Expr &expr) {
  auto *call = llvm::dyn_cast<CallExpr>(&expr);
  if (!call)
    return {};
  if (auto *name = llvm::dyn_cast<IdentifierExpr>(call->callee.get()))
    return name->name;
  return {};
}

const Argument *dlnc::findNamedArgument(const CallExpr &call,
                                        llvm::StringRef name) {
  for (const Argument &arg : call.args)
    if (arg.name == name)
      return &arg;
  return nullptr;
}
