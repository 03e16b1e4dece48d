//===- LinalgBuilders.cpp - Small builders shared by the lowerings --------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
arith::FastMathFlagsAttr fastMath(ImplicitLocOpBuilder &b) {
  return arith::FastMathFlagsAttr::get(b.getContext(),
                                       arith::FastMathFlags::reassoc |
                                           arith::FastMathFlags::contract);
}
} // namespace

Value FloatMath::constant(Type type, double value) {
  return arith::ConstantOp::create(b, b.getFloatAttr(type, value));
}
Value FloatMath::add(Value x, Value y) {
  return arith::AddFOp::create(b, x, y, fastMath(b));
}
Value FloatMath::sub(Value x, Value y) {
  return arith::SubFOp::create(b, x, y, fastMath(b));
}
Value FloatMath::mul(Value x, Value y) {
  return arith::MulFOp::create(b, x, y, fastMath(b));
}
Value FloatMath::div(Value x, Value y) {
  return arith::DivFOp::create(b, x, y, fastMath(b));
}
Value FloatMath::max(Value x, Value y) {
  return arith::MaximumFOp::create(b, x, y);
}
Value FloatMath::fromBool(Value condition, Type type) {
  return arith::SelectOp::create(b, condition, constant(type, 1.0),
                                 constant(type, 0.0));
}

SmallVector<Value> dln::dynamicSizesFrom(ImplicitLocOpBuilder &b,
                                         RankedTensorType type, Value source,
                                         ArrayRef<int64_t> sourceDims) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(tensor::DimOp::create(b, source, sourceDims[d]));
  return sizes;
}

Value dln::emptyTensor(ImplicitLocOpBuilder &b, RankedTensorType type,
                       ValueRange dynamicSizes) {
  return tensor::EmptyOp::create(b, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

Value dln::filledTensor(ImplicitLocOpBuilder &b, RankedTensorType type,
                        double value, ValueRange dynamicSizes) {
  Value empty = emptyTensor(b, type, dynamicSizes);
  Value scalar = FloatMath{b}.constant(type.getElementType(), value);
  return linalg::FillOp::create(b, scalar, empty).getResult(0);
}

Value dln::buildGeneric(ImplicitLocOpBuilder &b, RankedTensorType resultType,
                        ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                        AffineMap outputMap,
                        ArrayRef<utils::IteratorType> iterators, Value init,
                        BodyBuilder body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(outputMap);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder inner(loc, nested);
        linalg::YieldOp::create(inner, body(inner, args));
      });
  return generic.getResult(0);
}

Value dln::buildElementwise(ImplicitLocOpBuilder &b,
                            RankedTensorType resultType, ValueRange inputs,
                            BodyBuilder body) {
  unsigned rank = resultType.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps(inputs.size(), identity);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(
      b, resultType,
      dynamicSizesFrom(b, resultType, inputs.front(),
                       llvm::to_vector(llvm::seq<int64_t>(0, rank))));
  return buildGeneric(b, resultType, inputs, maps, identity, iterators, init,
                      body);
}
