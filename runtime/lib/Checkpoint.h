//===- Checkpoint.h - Parameter checkpoints (DLNCKPT1) ----------*- C++ -*-===//
//
// Layout (all integers little-endian):
//   "DLNCKPT1" | u32 param count | per param: u16 name length, name bytes, u8
//   dtype (0 f32, 1 f64), u8 rank, i64 dims[rank], raw data | u32 zlib crc32 of
//   every preceding byte.
// Loading checks the magic, structure and CRC, then names, dtype and shapes
// against the manifest, and only then touches the model, so a bad file never
// leaves half-loaded params.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_CHECKPOINT_H
#define DLNRT_LIB_CHECKPOINT_H

#include "Manifest.h"
#include "Tensor.h"

#include <string>
#include <vector>

namespace dlnrt {

std::string serializeCheckpoint(const Manifest &m,
                                const std::vector<Tensor> &params);

/// Validates `bytes` (read from `fileName`, used in messages) and copies the
/// values into params.
void deserializeCheckpoint(const std::string &bytes,
                           const std::string &fileName, const Manifest &m,
                           std::vector<Tensor> &params);

/// Atomic save (see AtomicFile.h).
void saveCheckpoint(const std::string &path, const Manifest &m,
                    const std::vector<Tensor> &params);
void loadCheckpoint(const std::string &path, const Manifest &m,
                    std::vector<Tensor> &params);

} // namespace dlnrt

#endif // DLNRT_LIB_CHECKPOINT_H
