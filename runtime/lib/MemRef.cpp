//===- MemRef.cpp - Packing tensors into MLIR memref descriptors ----------===//
#include "MemRef.h"

namespace dlnrt {

void ArgPack::add(const Tensor &t, int64_t rows) {
  add(t);
  if (t.rank() > 0)
    descriptors_.back()[3] = rows;
}

void ArgPack::add(const Tensor &t) {
  const int64_t rank = t.rank();
  std::vector<int64_t> d(3 + 2 * rank);
  // Pointers are stored in int64 slots: on the 64-bit targets dlnc supports
  // this is exactly the descriptor's layout ({ptr, ptr, i64, [R x i64], [R x
  // i64]} has no padding).
  static_assert(sizeof(void *) == sizeof(int64_t),
                "memref descriptors assume 64-bit pointers");
  d[0] = reinterpret_cast<int64_t>(t.data());
  d[1] = reinterpret_cast<int64_t>(t.data());
  d[2] = 0;
  int64_t stride = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    d[3 + i] = t.shape()[i];
    d[3 + rank + i] = stride;
    stride *= t.shape()[i];
  }
  descriptors_.push_back(std::move(d));
  pointers_.push_back(descriptors_.back().data());
}

} // namespace dlnrt
