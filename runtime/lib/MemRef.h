//===- MemRef.h - Packing tensors into MLIR memref descriptors --*- C++ -*-===//
//
// Compiled entry points take `void **args`, each element pointing to an MLIR
// memref descriptor {allocated, aligned, offset, sizes[R], strides[R]}. ArgPack
// owns those descriptors for the duration of a call so the tensors' lifetimes
// stay with their owners.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_MEMREF_H
#define DLNRT_LIB_MEMREF_H

#include "Tensor.h"

#include <cstdint>
#include <deque>
#include <vector>

namespace dlnrt {

class ArgPack {
public:
  /// Appends a descriptor for `t` (row-major, offset 0). `t` must outlive the
  /// call.
  void add(const Tensor &t);
  /// The same for the first `rows` rows of `t` (a prefix view: the row
  /// stride stays that of `t`).
  void add(const Tensor &t, int64_t rows);
  void **data() { return pointers_.data(); }
  size_t size() const { return pointers_.size(); }

  /// Descriptor words of argument i, for tests: [allocated, aligned, offset,
  /// sizes..., strides...].
  const std::vector<int64_t> &descriptor(size_t i) const {
    return descriptors_[i];
  }

private:
  // A deque never moves existing elements, so the pointers handed out stay
  // valid as args grow.
  std::deque<std::vector<int64_t>> descriptors_;
  std::vector<void *> pointers_;
};

} // namespace dlnrt

#endif // DLNRT_LIB_MEMREF_H
