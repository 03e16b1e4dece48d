//===- Tensor.h - Dense row-major tensors -----------------------*- C++ -*-===//
//
// Parameters, batches, labels and whole data sets are all dense row-major
// tensors of f32, f64, i32 or (random keys) i64. The element type is a runtime value (it comes
// from the manifest), so element access by index goes through double; hot paths
// copy whole rows with memcpy instead.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_TENSOR_H
#define DLNRT_LIB_TENSOR_H

#include "AlignedBuffer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlnrt {

enum class DType {
  F32 = DLNRT_F32,
  F64 = DLNRT_F64,
  I32 = DLNRT_I32,
  I64 = DLNRT_I64
};

using Shape = std::vector<int64_t>;

size_t dtypeSize(DType dtype);
const char *dtypeName(DType dtype);
/// Product of dims; 1 for a rank-0 shape. Throws on negative dims or overflow.
int64_t numElements(const Shape &shape);
/// "784x256" (the manifest spelling); "scalar" for rank 0.
std::string formatShape(const Shape &shape);

class Tensor {
public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape, const dlnrt_allocator &allocator);

  DType dtype() const { return dtype_; }
  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size() const { return numel_; }
  size_t bytes() const {
    return static_cast<size_t>(numel_) * dtypeSize(dtype_);
  }
  void *data() const { return buffer_.data(); }
  template <typename T> T *as() const {
    return static_cast<T *>(buffer_.data());
  }

  double get(int64_t i) const;
  void set(int64_t i, double value);
  void fillZero();

private:
  DType dtype_ = DType::F32;
  Shape shape_;
  int64_t numel_ = 0;
  AlignedBuffer buffer_;
};

} // namespace dlnrt

#endif // DLNRT_LIB_TENSOR_H
