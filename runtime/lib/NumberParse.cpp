//===- NumberParse.cpp - Strict text-to-number conversion -----------------===//
#include "NumberParse.h"

#include <cerrno>
#include <cstdlib>
#include <string>

namespace dlnrt {

// strtoll/strtod need a NUL-terminated string and skip leading blanks; copying
// into a std::string and refusing leading spaces keeps "the token is exactly
// the number" semantics.
static bool startsCleanly(std::string_view text) {
  return !text.empty() && text.front() != ' ' && text.front() != '\t';
}

bool parseInt64(std::string_view text, int64_t &out) {
  if (!startsCleanly(text))
    return false;
  std::string s(text);
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size())
    return false;
  out = v;
  return true;
}

bool parseUInt64(std::string_view text, uint64_t &out) {
  if (!startsCleanly(text) || text.front() == '-')
    return false;
  std::string s(text);
  char *end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size())
    return false;
  out = v;
  return true;
}

bool parseDouble(std::string_view text, double &out) {
  if (!startsCleanly(text))
    return false;
  std::string s(text);
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  // ERANGE on underflow still yields a usable (denormal or zero) value; only
  // overflow is an error.
  if (end != s.c_str() + s.size() || (errno == ERANGE && (v > 1.0 || v < -1.0)))
    return false;
  out = v;
  return true;
}

} // namespace dlnrt
