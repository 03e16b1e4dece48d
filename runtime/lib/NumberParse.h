//===- NumberParse.h - Strict text-to-number conversion ---------*- C++ -*-===//
//
// Manifest values, CSV cells and command-line options all need "the whole token
// is a number or it is an error"; std::stoi and friends silently accept
// trailing junk and depend on the locale, so these wrap std::from_chars with
// full-consumption checks.
// They return false instead of throwing so each caller can phrase the error
// with its own context (file, line, option).
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_NUMBERPARSE_H
#define DLNRT_LIB_NUMBERPARSE_H

#include <cstdint>
#include <string_view>

namespace dlnrt {

/// Parses a base-10 signed integer that spans the whole of `text`.
bool parseInt64(std::string_view text, int64_t &out);
/// Parses a base-10 unsigned integer that spans the whole of `text`.
bool parseUInt64(std::string_view text, uint64_t &out);
/// Parses a finite or non-finite floating-point literal that spans the whole of
/// `text`.
bool parseDouble(std::string_view text, double &out);

} // namespace dlnrt

#endif // DLNRT_LIB_NUMBERPARSE_H
