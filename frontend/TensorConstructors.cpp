//===- TensorConstructors.cpp - zeros, ones, full, eye; const expressions -===//
//
// Constant tensors inside a model (docs 9.4): the same for every sample,
// so they are unbatched and broadcasting spreads them over the batch.
// Dimensions are compile-time integers (model parameters allowed:
// `zeros(hidden)`). A `const` declared by an expression over them
// (`1.0 - eye(96)`) is emitted where it is used and checked there.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

#include "frontend/ConstantEval.h"

#include "dialects/DLN/IR/DLNComposites.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace dlnc;
using namespace mlir;

bool ModelGen::isTensorConstructor(llvm::StringRef name) {
  return name == "zeros" || name == "ones" || name == "full" || name == "eye";
}

FailureOr<SampleValue> ModelGen::emitTensorConstructor(const CallExpr &call) {
  StringRef name = calleeName(call);
  Location where = loc(call.getLoc());
  for (const Argument &arg : call.args)
    if (!arg.name.empty())
      return error(arg.loc) << "'" << name << "' takes no named arguments",
             failure();
  // full(v, d...) takes the value first.
  size_t first = name == "full" ? 1 : 0;
  double fill = name == "ones" ? 1.0 : 0.0;
  if (name == "full") {
    std::optional<double> value =
        call.args.empty() ? std::nullopt
                          : evaluateNumber(*call.args[0].value, &modelParams);
    if (!value)
      return error(call.args.empty() ? call.getLoc() : call.args[0].loc)
                 << "'full' expects a constant fill value first: full(v, "
                    "d...)",
             failure();
    fill = *value;
  }
  SmallVector<int64_t> shape;
  // Constants are embedded in the program: at most 2^24 elements.
  constexpr int64_t kMaxElements = int64_t(1) << 24;
  int64_t count = 1;
  for (const Argument &arg : llvm::drop_begin(call.args, first)) {
    std::optional<int64_t> size = evaluateInteger(*arg.value, &modelParams);
    if (!size || *size < 1)
      return error(arg.loc) << "a dimension of '" << name
                            << "' must be a positive integer constant",
             failure();
    shape.push_back(*size);
    int64_t factor = name == "eye" ? *size : 1;
    if (*size > kMaxElements || factor > kMaxElements / *size ||
        count > kMaxElements / (*size * factor))
      return error(call.getLoc())
                 << "'" << name << "' would make more than 2^24 elements, "
                    "too many for a constant",
             failure();
    count *= *size * factor;
  }
  if (name == "eye" ? shape.size() != 1 : shape.empty())
    return error(call.getLoc())
               << (name == "eye" ? "'eye' expects one size: eye(n)"
                                 : "'" + name.str() +
                                       "' expects at least one dimension"),
           failure();
  if (name == "eye")
    shape.push_back(shape.front());
  auto type = RankedTensorType::get(shape, elementType);
  if (name != "eye")
    return SampleValue{dln::splatConstant(builder, where, type, fill), false};
  SmallVector<Attribute> elements;
  Attribute zero = builder.getFloatAttr(elementType, 0.0);
  Attribute one = builder.getFloatAttr(elementType, 1.0);
  for (int64_t i = 0; i < shape[0]; ++i)
    for (int64_t j = 0; j < shape[0]; ++j)
      elements.push_back(i == j ? one : zero);
  return SampleValue{arith::ConstantOp::create(
                         builder, where, type,
                         DenseElementsAttr::get(type, elements))
                         .getResult(),
                     false};
}

FailureOr<SampleValue> ModelGen::emitConstExpression(StringRef name,
                                                     const ConstInfo &info,
                                                     llvm::SMLoc use) {
  if (!constsInProgress.insert(name).second)
    return error(use) << "const '" << name
                      << "' is defined in terms of itself",
           failure();
  FailureOr<SampleValue> value = emitExpr(*info.expr);
  constsInProgress.erase(name);
  if (failed(value))
    return failure();
  auto type = cast<RankedTensorType>(value->value.getType());
  if (value->batched || type.getElementType() != elementType)
    return error(info.expr->getLoc())
               << "const '" << name
               << "' must be computed from constants, not from the input or "
                  "class values",
           failure();
  if (type.getShape() == ArrayRef<int64_t>(info.shape))
    return value;
  // A scalar fills the declared shape.
  if (type.getRank() == 0)
    return SampleValue{*dln::broadcastTo(builder, loc(use), value->value,
                                    info.shape),
                       false};
  return error(info.expr->getLoc())
             << "const '" << name << "' is declared "
             << shapeString(elementType, info.shape) << " but its value is "
             << shapeString(elementType, type.getShape()),
         failure();
}
