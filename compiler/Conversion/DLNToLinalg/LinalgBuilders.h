//===- LinalgBuilders.h - Small builders shared by the lowerings -*- C++
//-*-===//
#ifndef DLNC_COMPILER_CONVERSION_DLNTOLINALG_LINALGBUILDERS_H
#define DLNC_COMPILER_CONVERSION_DLNTOLINALG_LINALGBUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::dln {

using BodyBuilder = function_ref<Value(ImplicitLocOpBuilder &, ValueRange)>;

/// Float arithmetic with `reassoc`/`contract`: reductions may vectorize and
/// multiply-adds may fuse. Builders used inside linalg bodies.
struct FloatMath {
  ImplicitLocOpBuilder &b;
  Value constant(Type type, double value);
  Value add(Value x, Value y);
  Value sub(Value x, Value y);
  Value mul(Value x, Value y);
  Value div(Value x, Value y);
  Value exp(Value x);
  Value log(Value x);
  Value max(Value x, Value y);
  Value isPositive(Value x);
};

/// tensor.empty filled with `value`.
Value filledTensor(ImplicitLocOpBuilder &b, RankedTensorType type,
                   double value);

/// A linalg.generic computing one result of `resultType` from `inputs`,
/// indexed by `inputMaps` over `iterators` (the output map is
/// `outputMap`), initialized with `init` (a tensor.empty if null).
/// `body` receives the input elements followed by the output element.
Value buildGeneric(ImplicitLocOpBuilder &b, RankedTensorType resultType,
                   ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                   AffineMap outputMap, ArrayRef<utils::IteratorType> iterators,
                   Value init, BodyBuilder body);

/// Element-wise generic over `resultType`: inputs of the same shape use the
/// identity map, rank-0 inputs are broadcast, and rank-1 inputs of a
/// [rows, cols] result hold one value per row.
Value buildElementwise(ImplicitLocOpBuilder &b, RankedTensorType resultType,
                       ValueRange inputs, BodyBuilder body);

/// Reduces a [rows, cols] computation over its last dimension into a [rows]
/// tensor initialized to `initValue`. Row-shaped ([rows]) inputs are
/// broadcast along the columns; `body` gets elements then the accumulator,
/// and may read the column index with linalg.index 1.
Value buildRowReduction(ImplicitLocOpBuilder &b, RankedTensorType matrixType,
                        ValueRange inputs, double initValue, BodyBuilder body);

/// Row-wise max, for numerically stable softmax and log-sum-exp.
Value buildRowMax(ImplicitLocOpBuilder &b, Value matrix);

/// Row-wise sum of exp(x - rowMax).
Value buildRowSumExp(ImplicitLocOpBuilder &b, Value matrix, Value rowMax);

} // namespace mlir::dln

#endif // DLNC_COMPILER_CONVERSION_DLNTOLINALG_LINALGBUILDERS_H
