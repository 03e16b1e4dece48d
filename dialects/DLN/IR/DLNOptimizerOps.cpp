//===- DLNOptimizerOps.cpp - Verifiers of the optimizer update ops --------===//
// The hyperparameter ranges PyTorch's torch.optim accepts (and a few it only
// warns about), so a hand-written op cannot ask for an update the frontend
// would have rejected, plus the learning rate's element type.
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include <limits>
#include <sstream>

using namespace mlir;
using namespace mlir::dln;

namespace {
/// The learning rate (and step count) are scalars of the parameter's dtype.
LogicalResult verifyScalars(Operation *op, Value param, Value lr) {
  Type element = cast<ShapedType>(param.getType()).getElementType();
  Type lrElement = cast<ShapedType>(lr.getType()).getElementType();
  if (element != lrElement)
    return op->emitOpError() << "expects the learning rate in the parameter's "
                                "element type "
                             << element << ", got " << lrElement;
  return success();
}

/// A hyperparameter as the user wrote it (1, 0.9, 1e-08), not as the
/// diagnostic engine prints doubles.
std::string text(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

/// `name` must lie in [lo, hi) (or [lo, hi] when `closed`).
LogicalResult verifyRange(Operation *op, StringRef name, double value,
                          double lo, double hi, bool closed = false) {
  if (value >= lo && (closed ? value <= hi : value < hi))
    return success();
  return op->emitOpError() << "expects " << name << " in [" << text(lo) << ", "
                           << text(hi) << (closed ? "]" : ")") << ", got "
                           << text(value);
}

LogicalResult verifyPositive(Operation *op, StringRef name, double value) {
  if (value > 0)
    return success();
  return op->emitOpError() << "expects " << name << " > 0, got " << text(value);
}

constexpr double kInf = std::numeric_limits<double>::infinity();
} // namespace

LogicalResult SGDUpdateOp::verify() {
  return failure(
      failed(verifyScalars(*this, getParam(), getLr())) ||
      failed(verifyRange(*this, "weight_decay",
                         getWeightDecay().convertToDouble(), 0, kInf)));
}

LogicalResult SGDMomentumUpdateOp::verify() {
  if (failed(verifyScalars(*this, getParam(), getLr())) ||
      failed(
          verifyPositive(*this, "momentum", getMomentum().convertToDouble())) ||
      failed(verifyRange(*this, "dampening", getDampening().convertToDouble(),
                         0, 1, /*closed=*/true)) ||
      failed(verifyRange(*this, "weight_decay",
                         getWeightDecay().convertToDouble(), 0, kInf)))
    return failure();
  bool damped = getDampening().convertToDouble() != 0;
  if (getNesterov() && damped)
    return emitOpError("nesterov momentum requires zero dampening");
  // The buffer starts at zero, so `b = g` at the first step needs the step
  // count only when dampening scales g.
  if (damped && !getStep())
    return emitOpError("with dampening, expects the step count (`step %t`) to "
                       "recognize the first step");
  return success();
}

LogicalResult AdamUpdateOp::verify() {
  return failure(
      failed(verifyScalars(*this, getParam(), getLr())) ||
      failed(verifyRange(*this, "beta1", getBeta1().convertToDouble(), 0, 1)) ||
      failed(verifyRange(*this, "beta2", getBeta2().convertToDouble(), 0, 1)) ||
      failed(verifyPositive(*this, "eps", getEps().convertToDouble())) ||
      failed(verifyRange(*this, "weight_decay",
                         getWeightDecay().convertToDouble(), 0, kInf)));
}

LogicalResult RMSpropUpdateOp::verify() {
  return failure(
      failed(verifyScalars(*this, getParam(), getLr())) ||
      failed(verifyRange(*this, "alpha", getAlpha().convertToDouble(), 0, 1,
                         /*closed=*/true)) ||
      failed(verifyPositive(*this, "eps", getEps().convertToDouble())) ||
      failed(verifyRange(*this, "weight_decay",
                         getWeightDecay().convertToDouble(), 0, kInf)));
}

LogicalResult RMSpropMomentumUpdateOp::verify() {
  return failure(
      failed(verifyScalars(*this, getParam(), getLr())) ||
      failed(verifyRange(*this, "alpha", getAlpha().convertToDouble(), 0, 1,
                         /*closed=*/true)) ||
      failed(verifyPositive(*this, "eps", getEps().convertToDouble())) ||
      failed(
          verifyPositive(*this, "momentum", getMomentum().convertToDouble())) ||
      failed(verifyRange(*this, "weight_decay",
                         getWeightDecay().convertToDouble(), 0, kInf)));
}

LogicalResult AdagradUpdateOp::verify() {
  return failure(
      failed(verifyScalars(*this, getParam(), getLr())) ||
      failed(verifyPositive(*this, "eps", getEps().convertToDouble())) ||
      failed(verifyRange(*this, "weight_decay",
                         getWeightDecay().convertToDouble(), 0, kInf)));
}
