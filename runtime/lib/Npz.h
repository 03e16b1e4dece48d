//===- Npz.h - NumPy .npz archives (stored ZIP of .npy members) -*- C++ -*-===//
//
// Checkpoints are .npz files so NumPy and PyTorch read them without dlnc. Only
// the subset needed is implemented: an uncompressed ("stored") ZIP, one
// NAME.npy member per array, NPY 1.0 headers with '<f4', '<f8' or '<i8' in C
// order. Reading is strict: every size and offset is checked against the
// buffer, local and central headers must agree, members must tile the file
// exactly and each member's CRC-32 must match. The ZIP64 extra field that
// numpy.savez writes into local headers is understood, so files written by
// NumPy load too.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_NPZ_H
#define DLNRT_LIB_NPZ_H

#include "Tensor.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dlnrt {

enum class NpyType { F32, F64, I64 };

const char *npyDescr(NpyType type); // "<f4", "<f8", "<i8"
size_t npyItemSize(NpyType type);

/// One array: `data` points at product(shape) little-endian elements. When
/// writing it is borrowed from the caller; when reading it points into the
/// archive buffer.
struct NpyArray {
  std::string name; // member name without ".npy"
  NpyType type = NpyType::F32;
  Shape shape;
  const void *data = nullptr;
  size_t bytes() const;
};

/// Receives the archive in order; may throw.
using ByteSink = std::function<void(const void *data, size_t size)>;

/// Streams an archive of `arrays` to `sink`. Deterministic (fixed timestamps),
/// so equal arrays give byte-identical files. Throws Error for duplicate or
/// invalid names and for archives that would need ZIP64 (members or total
/// size of 4 GiB and more).
void writeNpz(const std::vector<NpyArray> &arrays, const ByteSink &sink);

/// writeNpz into a string.
std::string npzBytes(const std::vector<NpyArray> &arrays);

/// Parses and fully validates an archive; the arrays point into `bytes`.
/// Throws Error(DLNRT_DATA_ERROR, "FILE: ...") on any problem.
std::vector<NpyArray> readNpz(const std::string &bytes,
                              const std::string &fileName);

} // namespace dlnrt

#endif // DLNRT_LIB_NPZ_H
