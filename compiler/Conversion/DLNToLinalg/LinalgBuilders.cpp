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
Value FloatMath::exp(Value x) { return math::ExpOp::create(b, x); }
Value FloatMath::log(Value x) { return math::LogOp::create(b, x); }
Value FloatMath::max(Value x, Value y) {
  return arith::MaximumFOp::create(b, x, y);
}
Value FloatMath::isPositive(Value x) {
  return arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x,
                               constant(x.getType(), 0.0));
}

Value dln::filledTensor(ImplicitLocOpBuilder &b, RankedTensorType type,
                        double value) {
  Value empty =
      tensor::EmptyOp::create(b, type.getShape(), type.getElementType());
  Value scalar = FloatMath{b}.constant(type.getElementType(), value);
  return linalg::FillOp::create(b, scalar, empty).getResult(0);
}

Value dln::buildGeneric(ImplicitLocOpBuilder &b, RankedTensorType resultType,
                        ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                        AffineMap outputMap,
                        ArrayRef<utils::IteratorType> iterators, Value init,
                        BodyBuilder body) {
  if (!init)
    init = tensor::EmptyOp::create(b, resultType.getShape(),
                                   resultType.getElementType());
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
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    int64_t inputRank = cast<RankedTensorType>(input.getType()).getRank();
    if (inputRank == 0)
      maps.push_back(AffineMap::get(rank, 0, b.getContext()));
    else if (inputRank == 1 && rank == 2)
      maps.push_back(
          AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, b.getContext()));
    else
      maps.push_back(identity);
  }
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return buildGeneric(b, resultType, inputs, maps, identity, iterators, Value(),
                      body);
}

Value dln::buildRowReduction(ImplicitLocOpBuilder &b,
                             RankedTensorType matrixType, ValueRange inputs,
                             double initValue, BodyBuilder body) {
  MLIRContext *context = b.getContext();
  AffineExpr i = getAffineDimExpr(0, context), j = getAffineDimExpr(1, context);
  AffineMap full = AffineMap::get(2, 0, {i, j}, context);
  AffineMap row = AffineMap::get(2, 0, {i}, context);
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        cast<RankedTensorType>(input.getType()).getRank() == 2 ? full : row);
  auto resultType = RankedTensorType::get({matrixType.getDimSize(0)},
                                          matrixType.getElementType());
  Value init = filledTensor(b, resultType, initValue);
  return buildGeneric(
      b, resultType, inputs, maps, row,
      {utils::IteratorType::parallel, utils::IteratorType::reduction}, init,
      body);
}

Value dln::buildRowMax(ImplicitLocOpBuilder &b, Value matrix) {
  auto type = cast<RankedTensorType>(matrix.getType());
  return buildRowReduction(b, type, matrix,
                           -std::numeric_limits<double>::infinity(),
                           [](ImplicitLocOpBuilder &nb, ValueRange args) {
                             return FloatMath{nb}.max(args[0], args[1]);
                           });
}

Value dln::buildRowSumExp(ImplicitLocOpBuilder &b, Value matrix, Value rowMax) {
  auto type = cast<RankedTensorType>(matrix.getType());
  return buildRowReduction(b, type, {matrix, rowMax}, 0.0,
                           [](ImplicitLocOpBuilder &nb, ValueRange args) {
                             FloatMath m{nb};
                             return m.add(args[2],
                                          m.exp(m.sub(args[0], args[1])));
                           });
}
