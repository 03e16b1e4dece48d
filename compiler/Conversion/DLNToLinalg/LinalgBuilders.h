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
  Value max(Value x, Value y);
  /// 1.0 or 0.0 of x's type.
  Value fromBool(Value condition, Type type);
};

/// The sizes of `type`'s dynamic dimensions: dimension d has the size of
/// dimension `sourceDims[d]` of `source`.
SmallVector<Value> dynamicSizesFrom(ImplicitLocOpBuilder &b,
                                    RankedTensorType type, Value source,
                                    ArrayRef<int64_t> sourceDims);

/// tensor.empty of `type`; `dynamicSizes` gives its `?` dimensions.
Value emptyTensor(ImplicitLocOpBuilder &b, RankedTensorType type,
                  ValueRange dynamicSizes = {});

/// tensor.empty filled with `value`.
Value filledTensor(ImplicitLocOpBuilder &b, RankedTensorType type,
                   double value, ValueRange dynamicSizes = {});

/// A linalg.generic computing one result of `resultType` from `inputs`,
/// indexed by `inputMaps` over `iterators` (the output map is
/// `outputMap`), initialized with `init`.
/// `body` receives the input elements followed by the output element.
Value buildGeneric(ImplicitLocOpBuilder &b, RankedTensorType resultType,
                   ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                   AffineMap outputMap, ArrayRef<utils::IteratorType> iterators,
                   Value init, BodyBuilder body);

/// Element-wise generic over `resultType`; every input has its shape (and
/// the first gives the sizes of dynamic dimensions).
Value buildElementwise(ImplicitLocOpBuilder &b, RankedTensorType resultType,
                       ValueRange inputs, BodyBuilder body);

} // namespace mlir::dln

#endif // DLNC_COMPILER_CONVERSION_DLNTOLINALG_LINALGBUILDERS_H
