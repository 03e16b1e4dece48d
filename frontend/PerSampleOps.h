//===- PerSampleOps.h - Operations with per-sample semantics ----*- C++ -*-===//
//
// Model code is written per sample and vectorized over a leading batch
// dimension (docs/language.md 5.3). Inputs, labels and everything computed
// from them carry that dimension; params, consts and model parameters do
// not. Element-wise ops and dense layers need nothing special, but `@`,
// `outer`, `transpose`, reductions and broadcasts between a batched and an
// unbatched value must treat the batch dimension apart.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_PERSAMPLEOPS_H
#define DLNC_FRONTEND_PERSAMPLEOPS_H

#include "mlir/IR/Builders.h"

#include <vector>

namespace dlnc {

/// A value of model code and whether dimension 0 is the batch.
struct SampleValue {
  mlir::Value value;
  bool batched = false;
  /// A tuple (`(h, c)`, a scan's carries): its elements, and no `value`.
  std::vector<SampleValue> elements;

  bool isTuple() const { return !value; }
  /// The shape of one sample (the batch dimension dropped).
  llvm::ArrayRef<int64_t> sampleShape() const;
};

/// `x` with its per-sample shape replaced by `sampleShape` (same elements).
SampleValue reshapeSample(mlir::OpBuilder &builder, mlir::Location loc,
                          SampleValue x, llvm::ArrayRef<int64_t> sampleShape);

/// Reshapes `lhs` and `rhs` so that NumPy broadcasting of their full shapes
/// is broadcasting of their per-sample shapes: a batched operand of lower
/// per-sample rank gets size-1 dimensions after its batch dimension.
void alignForBroadcast(mlir::OpBuilder &builder, mlir::Location loc,
                       SampleValue &lhs, SampleValue &rhs);

/// `lhs op rhs` (an arithmetic or comparison operator) with NumPy
/// broadcasting of the per-sample shapes.
mlir::FailureOr<SampleValue> perSampleBinary(mlir::OpBuilder &builder,
                                             mlir::Location loc,
                                             llvm::StringRef op,
                                             SampleValue lhs, SampleValue rhs);

/// An unbatched value repeated for every row of `carrier`'s batch:
/// [B] + its shape.
mlir::FailureOr<mlir::Value> spreadOverBatch(mlir::OpBuilder &builder,
                                             mlir::Location loc,
                                             mlir::Value value,
                                             mlir::Value carrier);

/// `lhs @ rhs` with NumPy matmul rules per sample (vector . vector is a
/// scalar, matrix @ vector a vector, ...); a located error names both
/// per-sample shapes when the inner sizes differ.
mlir::FailureOr<SampleValue> perSampleMatmul(mlir::OpBuilder &builder,
                                             mlir::Location loc,
                                             SampleValue lhs, SampleValue rhs);

/// `outer(a, b)[i, j] = a[i] * b[j]` for per-sample vectors.
mlir::FailureOr<SampleValue> perSampleOuter(mlir::OpBuilder &builder,
                                            mlir::Location loc, SampleValue a,
                                            SampleValue b);

/// The transpose of a per-sample matrix.
mlir::FailureOr<SampleValue> perSampleTranspose(mlir::OpBuilder &builder,
                                                mlir::Location loc,
                                                SampleValue x);

/// Each sample as a vector of its elements.
SampleValue perSampleFlatten(mlir::OpBuilder &builder, mlir::Location loc,
                             SampleValue x);

/// Sum or mean of all elements of each sample: a per-sample scalar.
SampleValue perSampleSum(mlir::OpBuilder &builder, mlir::Location loc,
                         SampleValue x);
SampleValue perSampleMean(mlir::OpBuilder &builder, mlir::Location loc,
                          SampleValue x);

/// The mean over the batch of a batched value (unbatched values pass),
/// counting only the rows whose `mask` ([batch], 1 or 0) is 1: a padded
/// last batch averages its real rows alone.
mlir::Value batchMean(mlir::OpBuilder &builder, mlir::Location loc,
                      SampleValue x, mlir::Value mask);

/// `f32[1, 30]`: a shape as diagnostics print it.
std::string shapeString(mlir::Type elementType, llvm::ArrayRef<int64_t> shape);

} // namespace dlnc

#endif // DLNC_FRONTEND_PERSAMPLEOPS_H
