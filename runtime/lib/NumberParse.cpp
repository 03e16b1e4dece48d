//===- NumberParse.cpp - Strict text-to-number conversion -----------------===//
#include "NumberParse.h"

#include <charconv>
#include <cmath>

namespace dlnrt {

// from_chars takes no leading blanks and no '+'; a single '+' before a digit
// or '.' is still a number in CSV files and manifests, so allow it here.
static std::string_view withoutPlus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+')
    return text.substr(1);
  return text;
}

template <typename T> static bool parseWhole(std::string_view text, T &out) {
  text = withoutPlus(text);
  T v;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return false;
  out = v;
  return true;
}

bool parseInt64(std::string_view text, int64_t &out) {
  return parseWhole(text, out);
}

bool parseUInt64(std::string_view text, uint64_t &out) {
  return parseWhole(text, out);
}

bool parseDouble(std::string_view text, double &out) {
  std::string_view t = withoutPlus(text);
  double v;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || end != t.data() + t.size())
    return false;
  if (ec == std::errc::result_out_of_range) {
    // Underflow still means a usable value (zero); only overflow is an error.
    size_t e = t.find_first_of("eE");
    if (e == std::string_view::npos || e + 1 >= t.size() || t[e + 1] != '-')
      return false;
    v = t[0] == '-' ? -0.0 : 0.0;
  } else if (ec != std::errc()) {
    return false;
  }
  out = v;
  return true;
}

} // namespace dlnrt
