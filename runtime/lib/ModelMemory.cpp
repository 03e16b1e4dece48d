//===- ModelMemory.cpp - The heap of compiled entry points ----------------===//
//
// dlnc lowers every buffer of a train step to calls of these two functions
// (finalize-memref-to-llvm{use-generic-functions}). A step allocates and
// frees the same sizes every time: with plain malloc, glibc hands large
// blocks back to the kernel on free and every step page-faulted its
// activations in again (a third of a small CNN's time). Freed blocks are
// kept per exact size, up to a bound, and reused.
//
//===----------------------------------------------------------------------===//
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {
/// Each block starts with its size; the caller's memory follows, 16-byte
/// aligned as malloc's (the lowering aligns further itself).
constexpr size_t kHeader = 16;
/// Freed blocks kept for reuse, in bytes, over all sizes. None under
/// AddressSanitizer: a reused block would hide a use after free.
#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kMaxCachedBytes = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr size_t kMaxCachedBytes = 0;
#else
constexpr size_t kMaxCachedBytes = size_t(4) << 30;
#endif
#else
constexpr size_t kMaxCachedBytes = size_t(4) << 30;
#endif

struct BlockCache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void *>> free;
  size_t cachedBytes = 0;
};

BlockCache &cache() {
  // Never destroyed: compiled code may free after static destructors ran.
  static BlockCache *instance = new BlockCache;
  return *instance;
}
} // namespace

extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) {
  BlockCache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free.find(size);
    if (it != c.free.end() && !it->second.empty()) {
      void *block = it->second.back();
      it->second.pop_back();
      c.cachedBytes -= size;
      return static_cast<char *>(block) + kHeader;
    }
  }
  void *block = std::malloc(size + kHeader);
  if (!block)
    return nullptr;
  *static_cast<size_t *>(block) = size;
  return static_cast<char *>(block) + kHeader;
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  void *block = static_cast<char *>(ptr) - kHeader;
  size_t size = *static_cast<size_t *>(block);
  BlockCache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.cachedBytes + size <= kMaxCachedBytes) {
      c.free[size].push_back(block);
      c.cachedBytes += size;
      return;
    }
  }
  std::free(block);
}
