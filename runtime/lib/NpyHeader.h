//===- NpyHeader.h - The header of one .npy array ---------------*- C++ -*-===//
//
// An .npy file is "\x93NUMPY", a version, a header length and a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded
// with spaces to a multiple of 64 bytes, then the raw data. Only the three
// little-endian dtypes checkpoints use are accepted.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_NPYHEADER_H
#define DLNRT_LIB_NPYHEADER_H

#include "Npz.h"

#include <string>

namespace dlnrt {

/// Magic, version 1.0, length and padded dict, exactly as NumPy lays it out.
std::string formatNpyHeader(NpyType type, const Shape &shape);

/// Parses the header at the start of `data` (`size` bytes: the whole member)
/// and checks that exactly product(shape) elements follow it. On failure
/// returns false with a reason in `why`.
bool parseNpyHeader(const char *data, size_t size, NpyType &type, Shape &shape,
                    size_t &headerBytes, std::string &why);

} // namespace dlnrt

#endif // DLNRT_LIB_NPYHEADER_H
