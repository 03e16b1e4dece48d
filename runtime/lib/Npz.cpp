//===- Npz.cpp - NumPy .npz archives (stored ZIP of .npy members) ---------===//
#include "Npz.h"

#include "Error.h"
#include "NpyHeader.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <zlib.h>

// Sizes and offsets are little-endian fields; data is written with memcpy.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "npz I/O assumes a little-endian host");

namespace dlnrt {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50,
                   kEndSig = 0x06054b50;
constexpr size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22;
constexpr uint32_t kMax32 = 0xFFFFFFFF;
// Fixed 1980-01-01 00:00 DOS timestamp: equal arrays give equal files.
constexpr uint16_t kDosTime = 0, kDosDate = (1 << 5) | 1;
constexpr uint16_t kUtf8Flag = 0x800;

void put(std::string &out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint64_t get(const char *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t crcUpdate(uint32_t crc, const void *data, size_t n) {
  const Bytef *p = static_cast<const Bytef *>(data);
  // zlib takes a uInt length; feed large arrays in slices.
  while (n > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, p, chunk));
    p += chunk;
    n -= chunk;
  }
  return crc;
}

/// The fields local and central headers share, from "version needed" on.
void putCommon(std::string &out, uint32_t crc, uint32_t size,
               const std::string &name) {
  put(out, 20, 2); // version needed: 2.0, stored members
  put(out, 0, 2);  // flags
  put(out, 0, 2);  // method: stored
  put(out, kDosTime, 2);
  put(out, kDosDate, 2);
  put(out, crc, 4);
  put(out, size, 4); // compressed size
  put(out, size, 4); // uncompressed size
  put(out, name.size(), 2);
  put(out, 0, 2); // extra length
}

} // namespace

size_t NpyArray::bytes() const {
  return static_cast<size_t>(numElements(shape)) * npyItemSize(type);
}

void writeNpz(const std::vector<NpyArray> &arrays, const ByteSink &sink) {
  std::string central;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const NpyArray &a : arrays) {
    if (a.name.empty() || a.name.find('/') != std::string::npos ||
        a.name.find('\0') != std::string::npos)
      fail(DLNRT_INVALID_ARGUMENT, "npz: invalid array name '" + a.name + "'");
    if (!names.insert(a.name).second)
      fail(DLNRT_INVALID_ARGUMENT,
           "npz: duplicate array name '" + a.name + "'");
    const std::string member = a.name + ".npy";
    const std::string header = formatNpyHeader(a.type, a.shape);
    const uint64_t size = header.size() + a.bytes();
    if (size >= kMax32 || offset >= kMax32 || member.size() > 0xFFFF)
      fail(DLNRT_INVALID_ARGUMENT,
           "npz: array '" + a.name +
               "' does not fit a ZIP without ZIP64 (4 GiB limit)");
    uint32_t crc = crcUpdate(0, header.data(), header.size());
    crc = crcUpdate(crc, a.data, a.bytes());

    std::string local;
    put(local, kLocalSig, 4);
    putCommon(local, crc, static_cast<uint32_t>(size), member);
    local += member;
    sink(local.data(), local.size());
    sink(header.data(), header.size());
    if (a.bytes())
      sink(a.data, a.bytes());

    put(central, kCentralSig, 4);
    put(central, 0x0314, 2); // made by: Unix, ZIP 2.0
    putCommon(central, crc, static_cast<uint32_t>(size), member);
    put(central, 0, 2);                // comment length
    put(central, 0, 2);                // disk number
    put(central, 0, 2);                // internal attributes
    put(central, (0100644u) << 16, 4); // regular file, rw-r--r--
    put(central, static_cast<uint32_t>(offset), 4);
    central += member;
    offset += local.size() + size;
  }
  if (offset + central.size() >= kMax32 || arrays.size() >= 0xFFFF)
    fail(DLNRT_INVALID_ARGUMENT,
         "npz: archive does not fit a ZIP without ZIP64 (4 GiB limit)");
  std::string end;
  put(end, kEndSig, 4);
  put(end, 0, 2); // this disk
  put(end, 0, 2); // disk of the central directory
  put(end, arrays.size(), 2);
  put(end, arrays.size(), 2);
  put(end, central.size(), 4);
  put(end, offset, 4);
  put(end, 0, 2); // comment length
  sink(central.data(), central.size());
  sink(end.data(), end.size());
}

std::string npzBytes(const std::vector<NpyArray> &arrays) {
  std::string out;
  writeNpz(arrays, [&](const void *data, size_t size) {
    out.append(static_cast<const char *>(data), size);
  });
  return out;
}

namespace {

/// One member as its central directory entry describes it.
struct Member {
  std::string name;
  uint16_t flags = 0, method = 0, time = 0, date = 0;
  uint32_t crc = 0;
  uint64_t csize = 0, usize = 0, offset = 0;
  uint64_t dataAt = 0; // filled from the local header
};

class ZipReader {
public:
  ZipReader(const std::string &bytes, const std::string &fileName)
      : b_(bytes), file_(fileName) {}

  std::vector<Member> members();

  [[noreturn]] void corrupt(const std::string &what) const {
    fail(DLNRT_DATA_ERROR, file_ + ": " + what);
  }

private:
  /// Bounds check for [at, at + n) inside `limit`.
  void need(uint64_t at, uint64_t n, uint64_t limit,
            const std::string &what) const {
    if (at > limit || n > limit - at)
      corrupt("truncated or corrupt archive (" + what + " out of bounds)");
  }
  uint64_t findEnd() const;
  Member central(uint64_t &pos, uint64_t end);
  void local(Member &m, uint64_t cdOffset);
  void zip64(const char *extra, uint64_t len, Member &m, bool withOffset);

  const std::string &b_;
  const std::string &file_;
};

uint64_t ZipReader::findEnd() const {
  const uint64_t size = b_.size();
  if (size < kEndSize)
    corrupt("truncated or not an .npz archive (" + std::to_string(size) +
            " bytes)");
  // The end record is last, followed only by its comment (at most 64 KiB).
  uint64_t lowest = size - kEndSize > 0xFFFF ? size - kEndSize - 0xFFFF : 0;
  for (uint64_t at = size - kEndSize + 1; at-- > lowest;)
    if (get(&b_[at], 4) == kEndSig &&
        at + kEndSize + get(&b_[at + 20], 2) == size)
      return at;
  corrupt("truncated or not an .npz archive (no ZIP end record)");
}

void ZipReader::zip64(const char *extra, uint64_t len, Member &m,
                      bool withOffset) {
  // Extra blocks must tile the field exactly; only ZIP64 (id 1) matters.
  for (uint64_t at = 0; at < len;) {
    if (len - at < 4 || get(extra + at + 2, 2) > len - at - 4)
      corrupt("member '" + m.name + "': malformed extra field");
    uint64_t id = get(extra + at, 2), n = get(extra + at + 2, 2);
    const char *p = extra + at + 4;
    at += 4 + n;
    if (id != 1)
      continue;
    // Present only for the fields whose 32-bit value is all ones, in order.
    uint64_t *fields[] = {&m.usize, &m.csize, withOffset ? &m.offset : nullptr};
    uint64_t used = 0;
    for (uint64_t *f : fields) {
      if (!f || *f != kMax32)
        continue;
      if (n - used < 8)
        corrupt("member '" + m.name + "': malformed ZIP64 field");
      *f = get(p + used, 8);
      used += 8;
    }
  }
}

Member ZipReader::central(uint64_t &pos, uint64_t end) {
  need(pos, kCentralSize, end, "central directory");
  const char *h = &b_[pos];
  if (get(h, 4) != kCentralSig)
    corrupt("bad central directory entry signature");
  Member m;
  uint64_t madeBy = get(h + 4, 2), needed = get(h + 6, 2);
  m.flags = get(h + 8, 2);
  m.method = get(h + 10, 2);
  m.time = get(h + 12, 2);
  m.date = get(h + 14, 2);
  m.crc = get(h + 16, 4);
  m.csize = get(h + 20, 4);
  m.usize = get(h + 24, 4);
  uint64_t nameLen = get(h + 28, 2), extraLen = get(h + 30, 2),
           commentLen = get(h + 32, 2), disk = get(h + 34, 2),
           internal = get(h + 36, 2), external = get(h + 38, 4);
  m.offset = get(h + 42, 4);
  need(pos + kCentralSize, nameLen + extraLen + commentLen, end,
       "central directory entry");
  m.name.assign(h + kCentralSize, nameLen);
  zip64(h + kCentralSize + nameLen, extraLen, m, /*withOffset=*/true);
  pos += kCentralSize + nameLen + extraLen + commentLen;

  // Every field is pinned to what a ZIP writer may legitimately put there
  // (Python's zipfile and ours), so a damaged byte cannot pass unnoticed.
  uint64_t madeByHost = madeBy >> 8, madeByVersion = madeBy & 0xFF;
  auto knownVersion = [](uint64_t v) { return v == 10 || v == 20 || v == 45; };
  uint64_t fileType = (external >> 16) & 0170000;
  if ((madeByHost != 0 && madeByHost != 3) || !knownVersion(madeByVersion) ||
      !knownVersion(needed) || disk != 0 || internal != 0 ||
      (external & 0xFFFF) != 0 || (fileType != 0 && fileType != 0100000))
    corrupt("member '" + m.name + "': unexpected central directory fields");
  return m;
}

void ZipReader::local(Member &m, uint64_t cdOffset) {
  need(m.offset, kLocalSize, cdOffset, "local header of '" + m.name + "'");
  const char *h = &b_[m.offset];
  uint64_t needed = get(h + 4, 2);
  Member l;
  l.name = m.name;
  l.flags = get(h + 6, 2);
  l.method = get(h + 8, 2);
  l.time = get(h + 10, 2);
  l.date = get(h + 12, 2);
  l.crc = get(h + 14, 4);
  l.csize = get(h + 18, 4);
  l.usize = get(h + 22, 4);
  uint64_t nameLen = get(h + 26, 2), extraLen = get(h + 28, 2);
  if (get(h, 4) != kLocalSig)
    corrupt("member '" + m.name + "': bad local header signature");
  need(m.offset + kLocalSize, nameLen + extraLen, cdOffset,
       "local header of '" + m.name + "'");
  zip64(h + kLocalSize + nameLen, extraLen, l, /*withOffset=*/false);
  if (std::string(h + kLocalSize, nameLen) != m.name || l.flags != m.flags ||
      l.method != m.method || l.time != m.time || l.date != m.date ||
      l.crc != m.crc || l.csize != m.csize || l.usize != m.usize ||
      (needed != 10 && needed != 20 && needed != 45))
    corrupt("member '" + m.name +
            "': local header disagrees with the central directory");
  m.dataAt = m.offset + kLocalSize + nameLen + extraLen;
}

std::vector<Member> ZipReader::members() {
  const uint64_t endAt = findEnd();
  const char *e = &b_[endAt];
  uint64_t disk = get(e + 4, 2), cdDisk = get(e + 6, 2), onDisk = get(e + 8, 2),
           count = get(e + 10, 2), cdSize = get(e + 12, 4),
           cdOffset = get(e + 16, 4);
  if (count == 0xFFFF || cdSize == kMax32 || cdOffset == kMax32)
    corrupt("ZIP64 archives (over 4 GiB or 65535 members) are not supported");
  if (disk != 0 || cdDisk != 0 || onDisk != count)
    corrupt("multi-disk ZIP archives are not supported");
  if (cdOffset > endAt || cdSize != endAt - cdOffset)
    corrupt("truncated or corrupt archive (central directory does not end "
            "where the end record starts)");

  std::vector<Member> ms;
  std::set<std::string> names;
  uint64_t pos = cdOffset;
  for (uint64_t i = 0; i < count; ++i) {
    Member m = central(pos, endAt);
    if (!names.insert(m.name).second)
      corrupt("duplicate member '" + m.name + "'");
    if ((m.flags & ~kUtf8Flag) != 0)
      corrupt("member '" + m.name + "': unsupported ZIP flags " +
              std::to_string(m.flags) +
              " (encrypted or streamed members are not supported)");
    if (m.method != 0)
      corrupt("member '" + m.name + "' is compressed (method " +
              std::to_string(m.method) +
              "); save with numpy.savez, not savez_compressed");
    if (m.csize != m.usize)
      corrupt("member '" + m.name + "': stored sizes disagree");
    local(m, cdOffset);
    ms.push_back(std::move(m));
  }
  if (pos != endAt)
    corrupt("central directory has trailing bytes (corrupt archive)");

  // Members must tile [0, cdOffset) exactly: no overlaps, gaps or junk.
  std::vector<const Member *> byOffset;
  for (const Member &m : ms)
    byOffset.push_back(&m);
  std::sort(
      byOffset.begin(), byOffset.end(),
      [](const Member *a, const Member *b) { return a->offset < b->offset; });
  uint64_t expected = 0;
  for (const Member *m : byOffset) {
    need(m->dataAt, m->usize, cdOffset, "data of '" + m->name + "'");
    if (m->offset != expected)
      corrupt("member '" + m->name + "' overlaps or follows a gap");
    expected = m->dataAt + m->usize;
  }
  if (expected != cdOffset)
    corrupt("unexpected bytes before the central directory");

  for (const Member &m : ms)
    if (crcUpdate(0, &b_[m.dataAt], m.usize) != m.crc)
      corrupt("checksum mismatch in member '" + m.name + "' (file is corrupt)");
  return ms;
}

} // namespace

std::vector<NpyArray> readNpz(const std::string &bytes,
                              const std::string &fileName) {
  ZipReader zip(bytes, fileName);
  std::vector<NpyArray> arrays;
  for (const Member &m : zip.members()) {
    const std::string suffix = ".npy";
    if (m.name.size() <= suffix.size() ||
        m.name.compare(m.name.size() - suffix.size(), suffix.size(), suffix))
      zip.corrupt("member '" + m.name + "' is not a .npy array");
    NpyArray a;
    a.name = m.name.substr(0, m.name.size() - suffix.size());
    std::string why;
    size_t headerBytes = 0;
    if (!parseNpyHeader(&bytes[m.dataAt], m.usize, a.type, a.shape, headerBytes,
                        why))
      zip.corrupt("array '" + a.name + "': " + why);
    a.data = &bytes[m.dataAt + headerBytes];
    arrays.push_back(std::move(a));
  }
  return arrays;
}

} // namespace dlnrt
