//===- ConstantEval.cpp - Compile-time evaluation of settings -------------===//
#include "frontend/ConstantEval.h"

#include <cmath>

using namespace dlnc;

/// The value without the finiteness check below.
static std::optional<double> evaluateRaw(const Expr &expr,
                                         const ConstantBindings *bindings);

/// Settings are finite numbers: an overflow (`1e308 * 10`) is no number.
std::optional<double> dlnc::evaluateNumber(const Expr &expr,
                                           const ConstantBindings *bindings) {
  std::optional<double> value = evaluateRaw(expr, bindings);
  if (value && !std::isfinite(*value))
    return std::nullopt;
  return value;
}

static std::optional<double> evaluateRaw(const Expr &expr,
                                         const ConstantBindings *bindings) {
  if (auto *number = llvm::dyn_cast<NumberExpr>(&expr))
    return number->value;
  if (auto *flag = llvm::dyn_cast<BoolExpr>(&expr))
    return flag->value ? 1.0 : 0.0;
  if (auto *name = llvm::dyn_cast<IdentifierExpr>(&expr)) {
    if (!bindings)
      return std::nullopt;
    auto it = bindings->find(name->name);
    if (it == bindings->end())
      return std::nullopt;
    return it->second;
  }
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&expr)) {
    auto value = evaluateNumber(*unary->operand, bindings);
    if (!value)
      return std::nullopt;
    if (unary->op == "-")
      return -*value;
    if (unary->op == "not")
      return *value == 0 ? 1.0 : 0.0;
    return std::nullopt;
  }
  auto *binary = llvm::dyn_cast<BinaryExpr>(&expr);
  if (!binary)
    return std::nullopt;
  auto lhs = evaluateNumber(*binary->lhs, bindings);
  auto rhs = evaluateNumber(*binary->rhs, bindings);
  if (!lhs || !rhs)
    return std::nullopt;
  double a = *lhs, b = *rhs;
  const std::string &op = binary->op;
  if (op == "+")
    return a + b;
  if (op == "-")
    return a - b;
  if (op == "*")
    return a * b;
  if (op == "/" && b != 0)
    return a / b;
  if (op == "^")
    return std::pow(a, b);
  auto truth = [](bool v) { return v ? 1.0 : 0.0; };
  if (op == "==")
    return truth(a == b);
  if (op == "!=")
    return truth(a != b);
  if (op == "<")
    return truth(a < b);
  if (op == "<=")
    return truth(a <= b);
  if (op == ">")
    return truth(a > b);
  if (op == ">=")
    return truth(a >= b);
  if (op == "and")
    return truth(a != 0 && b != 0);
  if (op == "or")
    return truth(a != 0 || b != 0);
  return std::nullopt;
}

std::optional<int64_t> dlnc::evaluateInteger(const Expr &expr,
                                             const ConstantBindings *bindings) {
  std::optional<double> value = evaluateNumber(expr, bindings);
  if (!value || std::floor(*value) != *value || std::abs(*value) > 9.0e15)
    return std::nullopt;
  return static_cast<int64_t>(*value);
}

llvm::SmallVector<const Expr *> dlnc::listItems(const Expr &expr) {
  llvm::SmallVector<const Expr *> items;
  if (auto *list = llvm::dyn_cast<ListExpr>(&expr))
    for (const ExprPtr &item : list->elements)
      items.push_back(item.get());
  else
    items.push_back(&expr);
  return items;
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
