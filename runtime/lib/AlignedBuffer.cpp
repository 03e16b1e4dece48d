//===- AlignedBuffer.cpp - 64-byte aligned, allocator-backed memory -------===//
#include "AlignedBuffer.h"

#include "Error.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace dlnrt {

static void *defaultAlloc(void *, size_t bytes, size_t alignment) {
  void *p = nullptr;
  if (posix_memalign(&p, alignment, bytes) != 0)
    return nullptr;
  return p;
}

static void defaultFree(void *, void *ptr) { std::free(ptr); }

dlnrt_allocator defaultAllocator() {
  return dlnrt_allocator{nullptr, defaultAlloc, defaultFree};
}

AlignedBuffer::AlignedBuffer(size_t bytes, const dlnrt_allocator &allocator)
    : bytes_(bytes), allocator_(allocator) {
  // Even an empty tensor gets a real allocation so descriptors never carry a
  // null pointer.
  size_t rounded = bytes == 0 ? kBufferAlignment
                              : (bytes + kBufferAlignment - 1) /
                                    kBufferAlignment * kBufferAlignment;
  if (rounded < bytes)
    fail(DLNRT_OUT_OF_MEMORY, "buffer size overflow");
  data_ = allocator_.alloc(allocator_.user, rounded, kBufferAlignment);
  if (!data_)
    fail(DLNRT_OUT_OF_MEMORY,
         "out of memory allocating " + std::to_string(rounded) + " bytes");
  // Padding bytes are zeroed too: eval pads partial batches and must never read
  // garbage.
  std::memset(data_, 0, rounded);
}

AlignedBuffer::AlignedBuffer(AlignedBuffer &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)), allocator_(other.allocator_) {}

AlignedBuffer &AlignedBuffer::operator=(AlignedBuffer &&other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    allocator_ = other.allocator_;
  }
  return *this;
}

AlignedBuffer::~AlignedBuffer() { release(); }

void AlignedBuffer::release() {
  if (data_)
    allocator_.free(allocator_.user, data_);
  data_ = nullptr;
  bytes_ = 0;
}

} // namespace dlnrt
