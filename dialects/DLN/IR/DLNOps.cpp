//===- DLNOps.cpp - Verifiers of the dln ops
//-------------------------------===//
// ODS states operand kinds; these verifiers check the shape relations that
// hold once types are ranked (unranked operands are accepted until
// dln-shape-inference has run).
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
std::string shapeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

RankedTensorType ranked(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

/// Fails unless two (possibly unranked) tensor types may hold the same shape.
LogicalResult verifySameShape(Operation *op, Type expected, Type actual,
                              StringRef what) {
  auto lhs = dyn_cast<RankedTensorType>(expected);
  auto rhs = dyn_cast<RankedTensorType>(actual);
  if (!lhs || !rhs)
    return success();
  if (failed(verifyCompatibleShape(lhs.getShape(), rhs.getShape())))
    return op->emitOpError()
           << what << ": expected shape of " << shapeString(expected)
           << " but got " << shapeString(actual);
  return success();
}

LogicalResult verifyRank(Operation *op, Value value, int64_t rank,
                         StringRef name) {
  auto type = ranked(value);
  if (type && type.getRank() != rank)
    return op->emitOpError() << "expects " << name << " of rank " << rank
                             << " but got " << shapeString(type);
  return success();
}

LogicalResult verifyDimsEqual(Operation *op, int64_t lhs, int64_t rhs,
                              const Twine &message) {
  if (ShapedType::isDynamic(lhs) || ShapedType::isDynamic(rhs) || lhs == rhs)
    return success();
  return op->emitOpError() << message << " (" << lhs << " vs " << rhs << ")";
}

/// Shared checks of per-sample losses: [batch, n] inputs, [batch] results.
LogicalResult verifyPerSampleLoss(Operation *op, Value input, Value result) {
  if (failed(verifyRank(op, input, 2, "a [batch, features] input")) ||
      failed(verifyRank(op, result, 1, "a [batch] result")))
    return failure();
  auto in = ranked(input);
  auto out = ranked(result);
  if (in && out)
    return verifyDimsEqual(op, in.getDimSize(0), out.getDimSize(0),
                           "batch size of the result differs from the input");
  return success();
}
} // namespace

#define DLN_VERIFY_BINARY(OP)                                                  \
  LogicalResult OP::verify() {                                                 \
    if (failed(verifySameShape(*this, getLhs().getType(), getRhs().getType(),  \
                               "operand shapes differ")))                      \
      return failure();                                                        \
    return verifySameShape(*this, getLhs().getType(), getResult().getType(),   \
                           "result shape differs from the operands");          \
  }
DLN_VERIFY_BINARY(AddOp)
DLN_VERIFY_BINARY(SubOp)
DLN_VERIFY_BINARY(MulOp)
#undef DLN_VERIFY_BINARY

LogicalResult ScaleOp::verify() {
  return verifySameShape(*this, getInput().getType(), getResult().getType(),
                         "result shape differs from the input");
}

#define DLN_VERIFY_UNARY(OP)                                                   \
  LogicalResult OP::verify() {                                                 \
    return verifySameShape(*this, getInput().getType(), getResult().getType(), \
                           "result shape differs from the input");             \
  }
DLN_VERIFY_UNARY(SigmoidOp)
DLN_VERIFY_UNARY(TanhOp)
DLN_VERIFY_UNARY(ReluOp)
DLN_VERIFY_UNARY(SoftmaxOp)
#undef DLN_VERIFY_UNARY

#define DLN_VERIFY_ACTIVATION_GRAD(OP)                                         \
  LogicalResult OP::verify() {                                                 \
    if (failed(verifySameShape(*this, getValue().getType(),                    \
                               getGrad().getType(), "operand shapes differ"))) \
      return failure();                                                        \
    return verifySameShape(*this, getValue().getType(), getResult().getType(), \
                           "result shape differs from the operands");          \
  }
DLN_VERIFY_ACTIVATION_GRAD(SigmoidGradOp)
DLN_VERIFY_ACTIVATION_GRAD(TanhGradOp)
DLN_VERIFY_ACTIVATION_GRAD(ReluGradOp)
DLN_VERIFY_ACTIVATION_GRAD(SoftmaxGradOp)
#undef DLN_VERIFY_ACTIVATION_GRAD

LogicalResult BroadcastOp::verify() {
  if (getInput().getType().getElementType() !=
      getResult().getType().getElementType())
    return emitOpError() << "element type of the result must match the input";
  return success();
}

LogicalResult DenseOp::verify() {
  if (failed(
          verifyRank(*this, getInput(), 2, "an input of shape [batch, in]")) ||
      failed(
          verifyRank(*this, getWeight(), 2, "a weight of shape [in, out]")) ||
      failed(verifyRank(*this, getBias(), 1, "a bias of shape [out]")))
    return failure();
  auto input = ranked(getInput());
  auto weight = ranked(getWeight());
  auto bias = ranked(getBias());
  if (input && weight &&
      failed(verifyDimsEqual(*this, input.getDimSize(1), weight.getDimSize(0),
                             "input features must match the weight rows")))
    return failure();
  if (weight && bias &&
      failed(verifyDimsEqual(*this, weight.getDimSize(1), bias.getDimSize(0),
                             "bias size must match the weight columns")))
    return failure();
  return success();
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyRank(*this, getLhs(), 2, "a matrix lhs")) ||
      failed(verifyRank(*this, getRhs(), 2, "a matrix rhs")))
    return failure();
  auto lhs = ranked(getLhs());
  auto rhs = ranked(getRhs());
  if (!lhs || !rhs)
    return success();
  int64_t lhsK = lhs.getDimSize(getTransposeLhs() ? 0 : 1);
  int64_t rhsK = rhs.getDimSize(getTransposeRhs() ? 1 : 0);
  return verifyDimsEqual(*this, lhsK, rhsK,
                         "contraction dimensions of lhs and rhs differ");
}

LogicalResult ReduceSumOp::verify() {
  auto input = ranked(getInput());
  auto axis = static_cast<int64_t>(getAxis());
  if (input && (axis < 0 || axis >= input.getRank()))
    return emitOpError() << "axis " << axis << " is out of range for "
                         << shapeString(input);
  auto result = ranked(getResult());
  if (input && result && result.getRank() != input.getRank() - 1)
    return emitOpError() << "expects a result of rank " << input.getRank() - 1
                         << " but got " << shapeString(result);
  return success();
}

LogicalResult MSEOp::verify() {
  if (failed(verifySameShape(*this, getPrediction().getType(),
                             getTarget().getType(),
                             "target shape differs from the prediction")))
    return failure();
  return verifyPerSampleLoss(*this, getPrediction(), getResult());
}

LogicalResult CrossEntropyOp::verify() {
  if (failed(verifyRank(*this, getLabels(), 1, "labels of shape [batch]")))
    return failure();
  auto logits = ranked(getLogits());
  auto labels = ranked(getLabels());
  if (logits && labels && logits.getRank() == 2 &&
      failed(verifyDimsEqual(*this, logits.getDimSize(0), labels.getDimSize(0),
                             "batch size of logits and labels differ")))
    return failure();
  return verifyPerSampleLoss(*this, getLogits(), getResult());
}

LogicalResult MSEGradOp::verify() {
  if (failed(verifySameShape(*this, getPrediction().getType(),
                             getTarget().getType(),
                             "target shape differs from the prediction")))
    return failure();
  return verifySameShape(*this, getPrediction().getType(),
                         getResult().getType(),
                         "result shape differs from the prediction");
}

LogicalResult CrossEntropyGradOp::verify() {
  return verifySameShape(*this, getLogits().getType(), getResult().getType(),
                         "result shape differs from the logits");
}

LogicalResult ValueAndGradOp::verify() {
  ArrayRef<int64_t> wrt = getWrt();
  if (wrt.size() != getGradients().size())
    return emitOpError() << "expects one gradient per 'wrt' index ("
                         << wrt.size() << ") but has " << getGradients().size();
  for (auto [index, grad] : llvm::zip(wrt, getGradients())) {
    if (index < 0 || index >= static_cast<int64_t>(getOperands().size()))
      return emitOpError() << "'wrt' index " << index << " is out of range";
    if (grad.getType() != getOperands()[index].getType())
      return emitOpError() << "gradient #" << index << " must have type "
                           << getOperands()[index].getType() << " but has "
                           << grad.getType();
  }
  return success();
}

LogicalResult
ValueAndGradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto callee =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr());
  if (!callee)
    return emitOpError() << "'" << getCallee()
                         << "' does not reference a valid function";
  FunctionType type = callee.getFunctionType();
  if (type.getNumInputs() != getOperands().size())
    return emitOpError() << "callee expects " << type.getNumInputs()
                         << " operands but got " << getOperands().size();
  if (type.getNumResults() != 1)
    return emitOpError() << "callee must return exactly one scalar";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/DLN/IR/DLNOps.cpp.inc"
