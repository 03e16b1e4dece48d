//===- fuzz_checkpoint.cpp - libFuzzer target of the checkpoint loader ----===//
//
// An input is a whole .npz checkpoint, loaded into the parameters of
// examples/xor.dln (f32 hidden.weight 2x2, hidden.bias 2, out.weight 2x1,
// out.bias 1) and optional momentum buffers beside them, as `--resume` and
// `eval --load` do. deserializeCheckpoint must load it or throw dlnrt::Error.
// Each member's CRC-32 guards its .npy header, and random mutations rarely
// keep a CRC valid, so the input is also parsed as one .npy header directly.
// The same bytes also go through initFromCheckpointBytes (`--init-from`).
//
//===----------------------------------------------------------------------===//
#include "Checkpoint.h"
#include "Error.h"
#include "NpyHeader.h"

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using dlnrt::DType;
  using dlnrt::Tensor;
  static const dlnrt_allocator allocator = dlnrt::defaultAllocator();
  static const std::vector<std::pair<std::string, dlnrt::Shape>> params = {
      {"hidden.weight", {2, 2}},
      {"hidden.bias", {2}},
      {"out.weight", {2, 1}},
      {"out.bias", {1}}};
  static std::vector<Tensor> tensors;
  static std::vector<dlnrt::NamedTensor> named;
  if (named.empty()) {
    tensors.reserve(2 * params.size());
    for (const auto &[name, shape] : params)
      tensors.emplace_back(DType::F32, shape, allocator);
    for (const auto &[name, shape] : params)
      tensors.emplace_back(DType::F32, shape, allocator);
    for (size_t i = 0; i < params.size(); ++i)
      named.push_back({params[i].first, &tensors[i]});
    for (size_t i = 0; i < params.size(); ++i)
      named.push_back({params[i].first + ".momentum",
                       &tensors[params.size() + i], /*optional=*/true});
  }
  dlnrt::NpyType type;
  dlnrt::Shape shape;
  size_t headerBytes;
  std::string why;
  (void)dlnrt::parseNpyHeader(reinterpret_cast<const char *>(data), size, type,
                              shape, headerBytes, why);
  try {
    dlnrt::deserializeCheckpoint(
        std::string(reinterpret_cast<const char *>(data), size), "fuzz.npz",
        named);
  } catch (const dlnrt::Error &) {
  }
  // `train --init-from FILE` and `FILE:PARAM=ARRAY,...` read the same bytes.
  static const std::vector<dlnrt::NamedTensor> firstParams(
      named.begin(), named.begin() + params.size());
  for (const std::vector<dlnrt::InitSource> &mapping :
       {std::vector<dlnrt::InitSource>{},
        std::vector<dlnrt::InitSource>{{"out.weight", "hidden.bias"},
                                       {"out.bias", "out.bias"}}}) {
    try {
      dlnrt::initFromCheckpointBytes(
          std::string(reinterpret_cast<const char *>(data), size),
          "fuzz.npz", firstParams, mapping);
    } catch (const dlnrt::Error &) {
    }
  }
  return 0;
}
