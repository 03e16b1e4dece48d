//===- MemoryEstimate.cpp - Rejecting models too large to train -----------===//
#include "frontend/MemoryEstimate.h"

#include "dialects/DLN/IR/DLNOps.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace {
uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t saturatingMul(uint64_t a, uint64_t b) {
  uint64_t product;
  return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

/// The shape of `tensor` at batch size `batch`: dynamic dimensions are the
/// batch (or a multiple of it, which this underestimates).
SmallVector<int64_t> shapeAt(RankedTensorType tensor, int64_t batch) {
  SmallVector<int64_t> shape(tensor.getShape());
  for (int64_t &dim : shape)
    if (ShapedType::isDynamic(dim))
      dim = batch;
  return shape;
}

/// Bytes of a ranked tensor at batch size `batch`; 0 for anything else.
uint64_t tensorBytes(Type type, int64_t batch) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return 0;
  uint64_t bytes = (tensor.getElementTypeBitWidth() + 7) / 8;
  for (int64_t dim : shapeAt(tensor, batch))
    bytes = saturatingMul(bytes, uint64_t(dim));
  return bytes;
}

std::string gibText(uint64_t bytes) {
  if (bytes == UINT64_MAX)
    return "more than 2^64 bytes";
  return std::to_string((bytes + (uint64_t(1) << 29)) >> 30) + " GiB";
}
} // namespace

LogicalResult dlnc::checkTrainStepMemory(func::FuncOp lossFunc,
                                         int64_t batch) {
  // A value and its gradient, for each argument and each computed value.
  uint64_t total = 0;
  for (Type type : lossFunc.getArgumentTypes())
    total = saturatingAdd(total, saturatingMul(2, tensorBytes(type, batch)));
  Operation *largest = nullptr;
  uint64_t largestBytes = 0;
  lossFunc.walk([&](Operation *op) {
    for (Type type : op->getResultTypes()) {
      uint64_t bytes = tensorBytes(type, batch);
      total = saturatingAdd(total, saturatingMul(2, bytes));
      if (bytes > largestBytes) {
        largest = op;
        largestBytes = bytes;
      }
    }
  });
  if (total <= kMaxTrainStepBytes || !largest)
    return success();
  auto shape = cast<RankedTensorType>(largest->getResult(0).getType());
  return largest->emitError()
         << "a train step of this model needs about " << gibText(total)
         << " at batch " << batch << ", more than the "
         << gibText(kMaxTrainStepBytes)
         << " dlnc allows; its largest tensor, "
         << mlir::dln::shapeText(shapeAt(shape, batch)) << " ("
         << gibText(largestBytes)
         << "), is computed here (lower the batch size or the width)";
}
