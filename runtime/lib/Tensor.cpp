//===- Tensor.cpp - Dense row-major tensors of the runtime ----------------===//
#include "Tensor.h"

#include "Error.h"

#include <cstring>
#include <limits>

namespace dlnrt {

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return 4;
  case DType::F64:
    return 8;
  case DType::I32:
    return 4;
  case DType::I64:
    return 8;
  }
  return 0;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      fail(DLNRT_INVALID_ARGUMENT,
           "negative dimension in shape " + formatShape(shape));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / 8 / d)
      fail(DLNRT_INVALID_ARGUMENT,
           "shape " + formatShape(shape) + " is too large");
    n *= d;
  }
  return n;
}

std::string formatShape(const Shape &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += 'x';
    // -1 is a manifest's batch dimension of any size.
    s += shape[i] == -1 ? std::string("?") : std::to_string(shape[i]);
  }
  return s;
}

Tensor::Tensor(DType dtype, Shape shape, const dlnrt_allocator &allocator)
    : dtype_(dtype), shape_(std::move(shape)), numel_(numElements(shape_)),
      buffer_(static_cast<size_t>(numel_) * dtypeSize(dtype), allocator) {}

double Tensor::get(int64_t i) const {
  switch (dtype_) {
  case DType::F32:
    return as<float>()[i];
  case DType::F64:
    return as<double>()[i];
  case DType::I32:
    return as<int32_t>()[i];
  case DType::I64:
    return static_cast<double>(as<int64_t>()[i]);
  }
  return 0;
}

void Tensor::set(int64_t i, double value) {
  switch (dtype_) {
  case DType::F32:
    as<float>()[i] = static_cast<float>(value);
    return;
  case DType::F64:
    as<double>()[i] = value;
    return;
  case DType::I32:
    as<int32_t>()[i] = static_cast<int32_t>(value);
    return;
  case DType::I64:
    as<int64_t>()[i] = static_cast<int64_t>(value);
    return;
  }
}

void Tensor::fillZero() {
  if (buffer_.data())
    std::memset(buffer_.data(), 0, bytes());
}

} // namespace dlnrt
