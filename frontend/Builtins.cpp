//===- Builtins.cpp - The registry of builtin functions -------------------===//
#include "frontend/Builtins.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

namespace {
template <typename OpTy> FailureOr<Value> unary(const BuiltinCall &c) {
  return OpTy::create(c.builder, c.loc, c.args[0]).getResult();
}

FailureOr<Value> buildSoftmax(const BuiltinCall &c) {
  return softmax(c.builder, c.loc, c.args[0]);
}

/// max(x, slope * x) for slope < 1: one primitive and its subgradient.
FailureOr<Value> buildLeakyRelu(const BuiltinCall &c) {
  Value x = c.args[0];
  Value slope = splatLike(c.builder, c.loc, x.getType(), c.options[0]);
  return MaxOp::create(c.builder, c.loc, x,
                       MulOp::create(c.builder, c.loc, x, slope))
      .getResult();
}

FailureOr<Value> buildMse(const BuiltinCall &c) {
  return mse(c.builder, c.loc, c.args[0], c.args[1]);
}

FailureOr<Value> buildCrossEntropy(const BuiltinCall &c) {
  auto labels = cast<RankedTensorType>(c.args[1].getType());
  if (!isa<IntegerType>(labels.getElementType()) || c.numClasses == 0)
    return emitError(c.loc) << "cross_entropy expects class labels (declare "
                               "the label as 'class[N]'); use mse for "
                               "real-valued targets",
           failure();
  return crossEntropy(c.builder, c.loc, c.args[0], c.args[1], c.numClasses);
}

FailureOr<Value> buildMatmul(const BuiltinCall &c) {
  return createChecked<MatmulOp>(c.builder, c.loc, c.args[0], c.args[1], false,
                                 false);
}

const BuiltinOption leakyReluOptions[] = {{"slope", 0.01}};

const Builtin builtins[] = {
    {"sigmoid", 1, {}, unary<SigmoidOp>},
    {"tanh", 1, {}, unary<TanhOp>},
    {"relu", 1, {}, unary<ReluOp>},
    {"leaky_relu", 1, leakyReluOptions, buildLeakyRelu},
    {"softmax", 1, {}, buildSoftmax},
    {"exp", 1, {}, unary<ExpOp>},
    {"log", 1, {}, unary<LogOp>},
    {"abs", 1, {}, unary<AbsOp>},
    {"sqrt", 1, {}, unary<SqrtOp>},
    {"stop_gradient", 1, {}, unary<StopGradientOp>},
    {"matmul", 2, {}, buildMatmul},
    {"mse", 2, {}, buildMse, /*isLoss=*/true},
    {"cross_entropy", 2, {}, buildCrossEntropy, /*isLoss=*/true},
};
} // namespace

const Builtin *dlnc::lookupBuiltin(llvm::StringRef name) {
  for (const Builtin &builtin : builtins)
    if (builtin.name == name)
      return &builtin;
  return nullptr;
}

llvm::ArrayRef<Builtin> dlnc::allBuiltins() { return builtins; }
