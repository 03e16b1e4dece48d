//===- NpyHeader.cpp - The header of one .npy array -----------------------===//
#include "NpyHeader.h"

#include <cstring>
#include <limits>

namespace dlnrt {

const char *npyDescr(NpyType type) {
  switch (type) {
  case NpyType::F32:
    return "<f4";
  case NpyType::F64:
    return "<f8";
  case NpyType::I64:
    return "<i8";
  }
  return "?";
}

size_t npyItemSize(NpyType type) { return type == NpyType::F32 ? 4 : 8; }

static const char kMagic[] = "\x93NUMPY";
static const size_t kMagicSize = 6;

std::string formatNpyHeader(NpyType type, const Shape &shape) {
  std::string dict = std::string("{'descr': '") + npyDescr(type) +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(shape[i]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  // NumPy pads with spaces and a final newline so the data starts 64-byte
  // aligned relative to the member.
  const size_t prefix = kMagicSize + 2 + 2;
  size_t total = prefix + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict;
}

namespace {

/// Recursive descent over the one dict shape NumPy writes.
class DictParser {
public:
  explicit DictParser(const std::string &s) : s_(s) {}

  bool parse(NpyType &type, Shape &shape, std::string &why);

private:
  void ws() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t'))
      ++at_;
  }
  bool eat(char c) {
    ws();
    if (at_ < s_.size() && s_[at_] == c)
      return ++at_, true;
    return false;
  }
  bool word(const char *w) {
    ws();
    size_t n = std::strlen(w);
    if (s_.compare(at_, n, w) != 0)
      return false;
    at_ += n;
    return true;
  }
  bool string(std::string &out) {
    if (!eat('\''))
      return false;
    size_t end = s_.find('\'', at_);
    if (end == std::string::npos)
      return false;
    out = s_.substr(at_, end - at_);
    at_ = end + 1;
    return true;
  }
  bool integer(int64_t &out) {
    ws();
    size_t start = at_;
    out = 0;
    while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') {
      if (out > (std::numeric_limits<int64_t>::max() - 9) / 10)
        return false;
      out = out * 10 + (s_[at_++] - '0');
    }
    return at_ > start;
  }
  bool tuple(Shape &out) {
    if (!eat('('))
      return false;
    out.clear();
    while (!eat(')')) {
      int64_t d;
      if (!integer(d))
        return false;
      out.push_back(d);
      if (!eat(',') && !(ws(), at_ < s_.size() && s_[at_] == ')'))
        return false;
    }
    return true;
  }

  const std::string &s_;
  size_t at_ = 0;
};

bool DictParser::parse(NpyType &type, Shape &shape, std::string &why) {
  bool haveDescr = false, haveOrder = false, haveShape = false;
  if (!eat('{'))
    return why = "header is not a dict", false;
  while (!eat('}')) {
    std::string key, descr;
    if (!string(key) || !eat(':'))
      return why = "malformed header dict", false;
    if (key == "descr" && !haveDescr) {
      if (!string(descr))
        return why = "malformed 'descr'", false;
      if (descr == "<f4")
        type = NpyType::F32;
      else if (descr == "<f8")
        type = NpyType::F64;
      else if (descr == "<i8")
        type = NpyType::I64;
      else
        return why = "unsupported dtype '" + descr +
                     "' (expected '<f4', '<f8' or '<i8')",
               false;
      haveDescr = true;
    } else if (key == "fortran_order" && !haveOrder) {
      if (word("True"))
        return why = "Fortran-order arrays are not supported", false;
      if (!word("False"))
        return why = "malformed 'fortran_order'", false;
      haveOrder = true;
    } else if (key == "shape" && !haveShape) {
      if (!tuple(shape))
        return why = "malformed 'shape'", false;
      haveShape = true;
    } else {
      return why = "unexpected or repeated header key '" + key + "'", false;
    }
    if (!eat(',')) {
      if (!eat('}'))
        return why = "malformed header dict", false;
      break;
    }
  }
  if (!haveDescr || !haveOrder || !haveShape)
    return why = "header lacks 'descr', 'fortran_order' or 'shape'", false;
  // Only padding may follow: spaces and the final newline.
  ws();
  if (at_ + 1 != s_.size() || s_[at_] != '\n')
    return why = "junk after the header dict", false;
  return true;
}

} // namespace

bool parseNpyHeader(const char *data, size_t size, NpyType &type, Shape &shape,
                    size_t &headerBytes, std::string &why) {
  if (size < kMagicSize + 4 || std::memcmp(data, kMagic, kMagicSize) != 0)
    return why = "not an .npy array (bad magic)", false;
  unsigned char major = data[6], minor = data[7];
  if (minor != 0 || (major != 1 && major != 2 && major != 3))
    return why = "unsupported .npy version " + std::to_string(major) + "." +
                 std::to_string(minor),
           false;
  // Version 1 has a 16-bit header length, versions 2 and 3 a 32-bit one.
  size_t lenBytes = major == 1 ? 2 : 4, len = 0;
  if (size < kMagicSize + 2 + lenBytes)
    return why = "truncated .npy header", false;
  for (size_t i = lenBytes; i-- > 0;)
    len = (len << 8) | static_cast<unsigned char>(data[kMagicSize + 2 + i]);
  headerBytes = kMagicSize + 2 + lenBytes;
  if (len > size - headerBytes)
    return why = "truncated .npy header", false;
  std::string dict(data + headerBytes, len);
  headerBytes += len;
  if (!DictParser(dict).parse(type, shape, why))
    return false;

  // Compare the element count with what is there before trusting the shape.
  const size_t available = (size - headerBytes) / npyItemSize(type);
  size_t elems = 1;
  for (int64_t d : shape) {
    if (d != 0 && elems > available / static_cast<size_t>(d))
      return why = "shape " + formatShape(shape) +
                   " needs more data than the member holds",
             false;
    elems *= static_cast<size_t>(d);
  }
  if (elems * npyItemSize(type) != size - headerBytes)
    return why = "shape " + formatShape(shape) + " needs " +
                 std::to_string(elems * npyItemSize(type)) +
                 " data bytes, member has " +
                 std::to_string(size - headerBytes),
           false;
  return true;
}

} // namespace dlnrt
