//===- AlignedBuffer.h - 64-byte aligned tensor memory ----------*- C++ -*-===//
//
// Compiled entry points may use aligned vector loads on every buffer they
// receive, so all tensor memory is 64-byte aligned and padded to a multiple of
// 64 bytes. The memory comes from a dlnrt_allocator handed down from the C API
// (never a hidden global allocator).
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_ALIGNEDBUFFER_H
#define DLNRT_LIB_ALIGNEDBUFFER_H

#include "dlnrt/dlnrt.h"

#include <cstddef>

namespace dlnrt {

constexpr size_t kBufferAlignment = 64;

/// posix_memalign/free; used when the embedder passes no allocator.
dlnrt_allocator defaultAllocator();

/// Move-only owner of zero-initialized aligned memory.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  AlignedBuffer(size_t bytes, const dlnrt_allocator &allocator);
  AlignedBuffer(AlignedBuffer &&other) noexcept;
  AlignedBuffer &operator=(AlignedBuffer &&other) noexcept;
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  ~AlignedBuffer();

  void *data() const { return data_; }
  /// Requested size; the allocation itself is rounded up to kBufferAlignment.
  size_t size() const { return bytes_; }

private:
  void release();
  void *data_ = nullptr;
  size_t bytes_ = 0;
  dlnrt_allocator allocator_{};
};

} // namespace dlnrt

#endif // DLNRT_LIB_ALIGNEDBUFFER_H
