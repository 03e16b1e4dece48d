//===- DLNOps.cpp - Shape rules and verifiers of the dln ops --------------===//
// Each op's result type comes from one `inferReturnTypes` rule, used by the
// builders (MLIRGen reports a failed rule at the .dln source location) and by
// the verifier (InferTypeOpInterface checks the stored type against it).
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::dln;

#include "dialects/DLN/IR/DLNEnums.cpp.inc"

std::string dln::dimText(int64_t size) {
  return ShapedType::isDynamic(size) ? "?" : std::to_string(size);
}

std::string dln::shapeText(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os, [&](int64_t d) { os << dimText(d); });
  os << "]";
  return text;
}

/// `[?, 3, 2]`: a shape whose `?` entries are ShapedType::kDynamic.
static void printShapeList(OpAsmPrinter &printer, Operation *,
                           DenseI64ArrayAttr shape) {
  printer << shapeText(shape.asArrayRef());
}

static ParseResult parseShapeList(OpAsmParser &parser,
                                  DenseI64ArrayAttr &shape) {
  SmallVector<int64_t> sizes;
  auto parseOne = [&]() -> ParseResult {
    if (succeeded(parser.parseOptionalQuestion())) {
      sizes.push_back(ShapedType::kDynamic);
      return success();
    }
    return parser.parseInteger(sizes.emplace_back());
  };
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square, parseOne))
    return failure();
  shape = DenseI64ArrayAttr::get(parser.getContext(), sizes);
  return success();
}

namespace {

LogicalResult fail(std::optional<Location> loc, const Twine &message) {
  return emitOptionalError(loc, message);
}

RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}
} // namespace

/// A shape attribute with `?` entries needs one size operand per `?`.
static LogicalResult checkDynamicSizes(std::optional<Location> loc,
                                       StringRef op, ArrayRef<int64_t> shape,
                                       size_t operands) {
  size_t dynamic = llvm::count_if(shape, ShapedType::isDynamic);
  if (dynamic != operands)
    return fail(loc, op + " shape " + shapeText(shape) + " has " +
                         Twine(dynamic) + " dynamic size(s) but " +
                         Twine(operands) + " size operand(s)");
  if (llvm::any_of(shape, [](int64_t d) {
        return !ShapedType::isDynamic(d) && d <= 0;
      }))
    return fail(loc, op + " shape " + shapeText(shape) +
                         " must have positive sizes");
  return success();
}

LogicalResult BroadcastOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> shape = adaptor.getShape(), dims = adaptor.getDims();
  if (failed(checkDynamicSizes(loc, "broadcast", shape,
                               adaptor.getDynamicSizes().size())))
    return failure();
  if (static_cast<int64_t>(dims.size()) != input.getRank())
    return fail(loc, "broadcast needs one result dimension per input "
                     "dimension: input " +
                         shapeText(input.getShape()) + ", dims " +
                         shapeText(dims));
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (dim < 0 || dim >= static_cast<int64_t>(shape.size()) ||
        (i > 0 && dim <= dims[i - 1]))
      return fail(loc, "broadcast dims " + shapeText(dims) +
                           " must be increasing and within the result rank " +
                           Twine(shape.size()));
    if (shape[dim] != input.getDimSize(i))
      return fail(loc, "cannot broadcast " + shapeText(input.getShape()) +
                           " to " + shapeText(shape) + ": dimension " +
                           Twine(i) + " has size " +
                           dimText(input.getDimSize(i)) + ", not " +
                           dimText(shape[dim]));
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (failed(checkDynamicSizes(loc, "reshape to", shape,
                               adaptor.getDynamicSizes().size())))
    return failure();
  bool dynamicResult = llvm::any_of(shape, ShapedType::isDynamic);
  if (dynamicResult != !input.hasStaticShape())
    return fail(loc, "cannot reshape " + shapeText(input.getShape()) + " to " +
                         shapeText(shape) +
                         ": a dynamic size must remain dynamic");
  if (!dynamicResult) {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    if (count != input.getNumElements())
      return fail(loc, "cannot reshape " + shapeText(input.getShape()) + " (" +
                           Twine(input.getNumElements()) + " elements) to " +
                           shapeText(shape) + " (" + Twine(count) +
                           " elements)");
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> permutation = adaptor.getPermutation();
  SmallVector<bool> seen(input.getRank(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : permutation) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return fail(loc, "transpose permutation " + shapeText(permutation) +
                           " is not a permutation of the " +
                           Twine(input.getRank()) + " input dimensions");
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  if (static_cast<int64_t>(permutation.size()) != input.getRank())
    return fail(loc, "transpose permutation " + shapeText(permutation) +
                         " must list all " + Twine(input.getRank()) +
                         " input dimensions");
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ReverseOp::verify() {
  auto type = cast<RankedTensorType>(getInput().getType());
  SmallVector<bool> seen(type.getRank(), false);
  for (int64_t axis : getAxes()) {
    if (axis < 0 || axis >= type.getRank() || seen[axis])
      return emitOpError("axes ")
             << shapeText(getAxes()) << " must be distinct dimensions of "
             << shapeText(type.getShape());
    seen[axis] = true;
    if (type.isDynamicDim(axis))
      return emitOpError("reverses axis ")
             << axis << ", whose size is dynamic in "
             << shapeText(type.getShape());
  }
  return success();
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RankedTensorType labels = tensorOf(adaptor.getLabels());
  int64_t classes = adaptor.getNumClasses();
  if (classes <= 0)
    return fail(loc, "one_hot needs a positive class count");
  SmallVector<int64_t> shape(labels.getShape());
  shape.push_back(classes);
  inferred.push_back(RankedTensorType::get(shape, adaptor.getDtype()));
  return success();
}

/// Shared by the reductions: the input shape without `axes`.
static LogicalResult inferReduction(std::optional<Location> loc,
                                    RankedTensorType input,
                                    ArrayRef<int64_t> axes,
                                    SmallVectorImpl<Type> &inferred) {
  SmallVector<bool> reduced(input.getRank(), false);
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= input.getRank() || reduced[axis])
      return fail(loc, "reduction axes " + shapeText(axes) +
                           " must be distinct dimensions of " +
                           shapeText(input.getShape()));
    reduced[axis] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (!reduced[d])
      shape.push_back(input.getDimSize(d));
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ReduceSumOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferReduction(loc, tensorOf(adaptor.getInput()), adaptor.getAxes(),
                        inferred);
}

LogicalResult ReduceMaxOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferReduction(loc, tensorOf(adaptor.getInput()), adaptor.getAxes(),
                        inferred);
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RankedTensorType lhs = tensorOf(adaptor.getLhs());
  RankedTensorType rhs = tensorOf(adaptor.getRhs());
  if (lhs.getRank() < 2 || lhs.getRank() != rhs.getRank())
    return fail(loc, "matmul needs operands of equal rank >= 2, got " +
                         shapeText(lhs.getShape()) + " and " +
                         shapeText(rhs.getShape()));
  if (lhs.getElementType() != rhs.getElementType())
    return fail(loc, "matmul operands must share an element type");
  int64_t rank = lhs.getRank();
  if (lhs.getShape().drop_back(2) != rhs.getShape().drop_back(2))
    return fail(loc,
                "matmul batch dimensions differ: " + shapeText(lhs.getShape()) +
                    " and " + shapeText(rhs.getShape()));
  bool tl = adaptor.getTransposeLhs(), tr = adaptor.getTransposeRhs();
  int64_t m = lhs.getDimSize(rank - (tl ? 1 : 2));
  int64_t kl = lhs.getDimSize(rank - (tl ? 2 : 1));
  int64_t kr = rhs.getDimSize(rank - (tr ? 1 : 2));
  int64_t n = rhs.getDimSize(rank - (tr ? 2 : 1));
  if (kl != kr)
    return fail(loc,
                "matmul inner dimensions differ: " + shapeText(lhs.getShape()) +
                    (tl ? " (transposed)" : "") + " and " +
                    shapeText(rhs.getShape()) + (tr ? " (transposed)" : "") +
                    " contract " + dimText(kl) + " with " + dimText(kr));
  SmallVector<int64_t> shape(lhs.getShape().drop_back(2));
  shape.append({m, n});
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult ValueAndGradOp::verify() {
  ArrayRef<int64_t> wrt = getWrt();
  if (wrt.size() > getAuxAndGradients().size())
    return emitOpError() << "expects one gradient per 'wrt' index ("
                         << wrt.size() << ") but has "
                         << getAuxAndGradients().size() << " results after the value";
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
  size_t aux = getAux().size();
  if (type.getNumResults() != 1 + aux)
    return emitOpError() << "callee must return one scalar and the " << aux
                         << " auxiliary result(s), but returns "
                         << type.getNumResults() << " value(s)";
  for (auto [i, value] : llvm::enumerate(getAux()))
    if (value.getType() != type.getResult(i + 1))
      return emitOpError() << "auxiliary result #" << i << " must have type "
                           << type.getResult(i + 1) << " but has "
                           << value.getType();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/DLN/IR/DLNOps.cpp.inc"
