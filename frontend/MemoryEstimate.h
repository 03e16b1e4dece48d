//===- MemoryEstimate.h - Rejecting models too large to train ---*- C++ -*-===//
#ifndef DLNC_FRONTEND_MEMORYESTIMATE_H
#define DLNC_FRONTEND_MEMORYESTIMATE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace dlnc {

/// The most memory a train step may need before dlnc refuses the model.
constexpr uint64_t kMaxTrainStepBytes = uint64_t(64) << 30;

/// Estimates the memory one train step of `lossFunc` needs: every value it
/// computes kept for the backward pass plus its gradient, and each argument
/// (parameters, the batch) with its gradient. Past kMaxTrainStepBytes it
/// reports a located error at the op computing the largest tensor, so an
/// absurd model fails to compile instead of failing to allocate at run time.
mlir::LogicalResult checkTrainStepMemory(mlir::func::FuncOp lossFunc,
                                         int64_t batch);

} // namespace dlnc

#endif // DLNC_FRONTEND_MEMORYESTIMATE_H
