//===- Checkpoint.cpp - Parameter checkpoints (DLNCKPT1) ------------------===//
#include "Checkpoint.h"

#include "AtomicFile.h"
#include "Error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <zlib.h>

// Tensor data is written with memcpy; a big-endian host would need byte swaps
// here.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "checkpoints assume a little-endian host");

namespace dlnrt {

static const char kMagic[8] = {'D', 'L', 'N', 'C', 'K', 'P', 'T', '1'};

template <typename T> static void put(std::string &out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

static uint32_t crcOf(const char *data, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // crc32 takes a uInt length; feed large checkpoints in slices.
  while (n > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef *>(data), chunk);
    data += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

std::string serializeCheckpoint(const Manifest &m,
                                const std::vector<Tensor> &params) {
  std::string out(kMagic, sizeof kMagic);
  put<uint32_t>(out, static_cast<uint32_t>(params.size()));
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string &name = m.params[i].name;
    put<uint16_t>(out, static_cast<uint16_t>(name.size()));
    out += name;
    put<uint8_t>(out, params[i].dtype() == DType::F64 ? 1 : 0);
    put<uint8_t>(out, static_cast<uint8_t>(params[i].rank()));
    for (int64_t d : params[i].shape())
      put<int64_t>(out, d);
    out.append(static_cast<const char *>(params[i].data()), params[i].bytes());
  }
  put<uint32_t>(out, crcOf(out.data(), out.size()));
  return out;
}

namespace {

/// Bounds-checked little-endian reader over the checkpoint body.
struct Reader {
  const std::string &bytes;
  size_t end; // exclusive; the CRC trailer is not part of the body
  size_t pos = 0;
  bool truncated = false;

  template <typename T> bool get(T &v) {
    if (end - pos < sizeof(T))
      return truncated = true, false;
    std::memcpy(&v, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return true;
  }
  bool skip(size_t n, size_t &at) {
    if (end - pos < n)
      return truncated = true, false;
    at = pos;
    pos += n;
    return true;
  }
};

struct Entry {
  std::string name;
  uint8_t dtype = 0;
  Shape shape;
  size_t dataAt = 0, dataBytes = 0;
};

/// Parses the structure; returns false (with r.truncated) when the body ends
/// early.
bool parseEntries(Reader &r, std::vector<Entry> &entries) {
  uint32_t count;
  if (!r.get(count))
    return false;
  for (uint32_t i = 0; i < count; ++i) {
    Entry e;
    uint16_t len;
    size_t at;
    if (!r.get(len) || !r.skip(len, at))
      return false;
    e.name.assign(r.bytes.data() + at, len);
    uint8_t rank;
    if (!r.get(e.dtype) || !r.get(rank))
      return false;
    uint64_t elems = 1;
    for (uint8_t k = 0; k < rank; ++k) {
      int64_t d;
      if (!r.get(d))
        return false;
      // A garbage dim would make the data size meaningless; treat it like
      // running out of file.
      if (d < 0 || (d != 0 && elems > (uint64_t(1) << 40) / uint64_t(d)))
        return r.truncated = true, false;
      elems *= uint64_t(d);
      e.shape.push_back(d);
    }
    e.dataBytes = static_cast<size_t>(elems) * (e.dtype == 1 ? 8 : 4);
    if (!r.skip(e.dataBytes, e.dataAt))
      return false;
    entries.push_back(std::move(e));
  }
  return true;
}

} // namespace

void deserializeCheckpoint(const std::string &bytes,
                           const std::string &fileName, const Manifest &m,
                           std::vector<Tensor> &params) {
  auto corrupt = [&](const std::string &what) {
    fail(DLNRT_DATA_ERROR, fileName + ": " + what);
  };
  if (bytes.size() < sizeof kMagic ||
      std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    corrupt("not a dlnc checkpoint (bad magic, expected DLNCKPT1)");
  if (bytes.size() < sizeof kMagic + 4 + 4)
    corrupt("truncated checkpoint (" + std::to_string(bytes.size()) +
            " bytes)");

  const size_t bodyEnd = bytes.size() - 4;
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + bodyEnd, 4);
  Reader r{bytes, bodyEnd, sizeof kMagic};
  std::vector<Entry> entries;
  bool complete = parseEntries(r, entries);
  if (stored != crcOf(bytes.data(), bodyEnd)) {
    // The CRC is authoritative; the structure only tells a cut-off file from a
    // damaged one.
    if (!complete && r.truncated)
      corrupt("truncated checkpoint (checksum mismatch; file is corrupt)");
    corrupt("checksum mismatch (file is corrupt)");
  }
  if (!complete || r.pos != bodyEnd)
    corrupt("malformed checkpoint structure");

  // Validate everything before copying anything, so a mismatch leaves the model
  // untouched.
  if (entries.size() != m.params.size())
    fail(DLNRT_INVALID_ARGUMENT, fileName + ": checkpoint has " +
                                     std::to_string(entries.size()) +
                                     " params, model " + m.model + " has " +
                                     std::to_string(m.params.size()));
  const uint8_t wantDtype = m.dtype == DType::F64 ? 1 : 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry &e = entries[i];
    const ParamSpec &p = m.params[i];
    if (e.name != p.name)
      fail(DLNRT_INVALID_ARGUMENT, fileName + ": param " + std::to_string(i) +
                                       " is '" + e.name + "', model expects '" +
                                       p.name + "'");
    if (e.dtype != wantDtype)
      fail(DLNRT_INVALID_ARGUMENT, fileName + ": param '" + e.name +
                                       "' has dtype " +
                                       (e.dtype == 1 ? "f64" : "f32") +
                                       ", model expects " + dtypeName(m.dtype));
    if (e.shape != p.shape)
      fail(DLNRT_INVALID_ARGUMENT, fileName + ": param '" + e.name +
                                       "' has shape " + formatShape(e.shape) +
                                       ", model expects " +
                                       formatShape(p.shape));
  }
  for (size_t i = 0; i < entries.size(); ++i)
    std::memcpy(params[i].data(), bytes.data() + entries[i].dataAt,
                entries[i].dataBytes);
}

void saveCheckpoint(const std::string &path, const Manifest &m,
                    const std::vector<Tensor> &params) {
  writeFileAtomically(path, serializeCheckpoint(m, params));
}

void loadCheckpoint(const std::string &path, const Manifest &m,
                    std::vector<Tensor> &params) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(DLNRT_IO_ERROR,
         path + ": cannot open checkpoint: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    fail(DLNRT_IO_ERROR, path + ": read error");
  deserializeCheckpoint(ss.str(), path, m, params);
}

} // namespace dlnrt
