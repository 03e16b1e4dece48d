//===- IdxLoader.cpp - IDX (MNIST-style) data sets, plain or gzip ---------===//
//
// IDX is a big-endian header (magic 0x000008NN where NN is the rank, then NN
// u32 dims) followed by raw uint8 data. zlib's gzread reads gzip members (gzip
// magic 1f 8b) and passes plain files through unchanged, so one reader covers
// both encodings. Every short read is reported with the expected and actual
// byte counts, which is what a user needs to spot a partial download.
//
// A header is only a claim: nothing is allocated for it until it has been
// checked against a fixed cap and against the file itself (a plain file's size
// must match exactly; a gzip file cannot inflate past deflate's 1032:1 limit),
// and gzip data is buffered as it arrives, so a damaged 40-byte file never
// costs gigabytes.
//
//===----------------------------------------------------------------------===//
#include "DataSource.h"

#include "Error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <memory>
#include <sys/stat.h>
#include <vector>
#include <zlib.h>

namespace dlnrt {
namespace {

/// The most data one IDX file may declare (docs/runtime.md): 4 GiB, far above
/// the MNIST family (47 MB) and already 16 GiB once widened to f32.
constexpr int64_t kMaxIdxDataBytes = int64_t(1) << 32;

/// An opened IDX file: header parsed, positioned at the data.
class IdxReader {
public:
  explicit IdxReader(const std::string &path) : path_(path) {
    // Open once with stdio first: gzopen's errors do not always carry errno,
    // and the size on disk bounds what the header may claim.
    std::FILE *probe = std::fopen(path.c_str(), "rb");
    if (!probe)
      fail(DLNRT_IO_ERROR,
           path + ": cannot open IDX file: " + std::strerror(errno));
    struct stat st;
    const bool sized = fstat(fileno(probe), &st) == 0 && S_ISREG(st.st_mode);
    fileBytes_ = sized ? static_cast<int64_t>(st.st_size) : -1;
    std::fclose(probe);
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_)
      fail(DLNRT_IO_ERROR, path + ": cannot open IDX file");
    gzbuffer(file_.get(), 1 << 20);

    unsigned char magic[4];
    if (read(magic, 4) != 4)
      fail(DLNRT_DATA_ERROR, path + ": truncated IDX header");
    const std::string hex = fmt::format("0x{:02X}{:02X}{:02X}{:02X}", magic[0],
                                        magic[1], magic[2], magic[3]);
    if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0)
      fail(DLNRT_DATA_ERROR,
           path + ": bad IDX magic " + hex + " (expected 0x000008NN)");
    if (magic[2] != 0x08)
      fail(DLNRT_DATA_ERROR, path + ": unsupported IDX element type in magic " +
                                 hex +
                                 " (only unsigned byte, 0x08, is supported)");
    for (int i = 0; i < magic[3]; ++i) {
      unsigned char b[4];
      if (read(b, 4) != 4)
        fail(DLNRT_DATA_ERROR, path + ": truncated IDX header");
      dims_.push_back((int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) |
                      (int64_t(b[2]) << 8) | b[3]);
    }
    // Bound the declared size before anything allocates it: a corrupt header
    // must not turn into a huge allocation.
    int64_t total = 1;
    for (size_t i = 0; i < dims_.size(); ++i) {
      if (dims_[i] != 0 && total > kMaxIdxDataBytes / dims_[i])
        fail(DLNRT_DATA_ERROR, path + ": IDX header declares more than the " +
                                   std::to_string(kMaxIdxDataBytes) +
                                   " bytes of data an IDX file may hold");
      total *= dims_[i];
      // A zero count must not hide an overflowing item size.
      if (i > 0 && dims_[i] != 0 && itemSize_ > kMaxIdxDataBytes / dims_[i])
        fail(DLNRT_DATA_ERROR, path +
                                   ": IDX header declares items of more than " +
                                   std::to_string(kMaxIdxDataBytes) + " bytes");
      if (i > 0)
        itemSize_ *= dims_[i];
    }
    dataBytes_ = total;
    checkAgainstFileSize(4 + 4 * static_cast<int64_t>(dims_.size()));
  }

  const std::vector<int64_t> &dims() const { return dims_; }

  /// Elements per item: product of all dims but the first.
  int64_t itemSize() const { return itemSize_; }

  /// Reads the whole data block and checks that nothing follows it. The
  /// buffer grows with the data that actually arrives (gzip sizes are only
  /// bounded, not known), so a short stream fails after a small allocation.
  std::vector<unsigned char> readData() {
    const int64_t expected = dataBytes_;
    std::vector<unsigned char> data;
    int64_t got = 0;
    while (got < expected) {
      int64_t chunk = std::min(expected - got, std::max<int64_t>(got, 1 << 20));
      data.resize(static_cast<size_t>(got + chunk));
      int64_t r = read(data.data() + got, chunk);
      got += r;
      if (r < chunk)
        break;
    }
    if (got != expected)
      fail(DLNRT_DATA_ERROR, truncated(expected, got));
    unsigned char extra;
    if (read(&extra, 1) != 0)
      fail(DLNRT_DATA_ERROR, pastEnd(expected));
    return data;
  }

private:
  /// Reads up to n bytes; returns how many arrived before EOF. A gzip stream
  /// cut short counts as EOF (the caller reports truncation); any other zlib
  /// error is fatal.
  int64_t read(unsigned char *dst, int64_t n) {
    int64_t total = 0;
    while (total < n) {
      unsigned chunk =
          static_cast<unsigned>(std::min<int64_t>(n - total, 1 << 30));
      int r = gzread(file_.get(), dst + total, chunk);
      if (r < 0) {
        int code = 0;
        const char *msg = gzerror(file_.get(), &code);
        // "unexpected end of file": a truncated gzip member; report it as such.
        if (code == Z_BUF_ERROR)
          break;
        // zlib prefixes its message with the path, which ours already names.
        std::string what = msg ? msg : "unknown error";
        if (what.rfind(path_ + ": ", 0) == 0)
          what = what.substr(path_.size() + 2);
        fail(DLNRT_DATA_ERROR, path_ + ": corrupt gzip data: " + what);
      }
      if (r == 0)
        break;
      total += r;
    }
    return total;
  }

  std::string truncated(int64_t expected, int64_t got) const {
    return path_ + ": truncated IDX file: expected " +
           std::to_string(expected) + " bytes of data, got " +
           std::to_string(got);
  }
  std::string pastEnd(int64_t expected) const {
    return path_ + ": IDX file has data past the " + std::to_string(expected) +
           " bytes its header declares";
  }

  /// Compares the declared data size with what the file on disk can hold:
  /// exactly the rest of a plain file; for gzip, at most deflate's maximum
  /// ratio (1032:1, zlib's FAQ) times the compressed size. Unsized inputs
  /// (pipes) are only held to the cap and read incrementally.
  void checkAgainstFileSize(int64_t headerBytes) {
    if (fileBytes_ < 0)
      return;
    if (gzdirect(file_.get())) {
      const int64_t got = std::max<int64_t>(fileBytes_ - headerBytes, 0);
      if (got < dataBytes_)
        fail(DLNRT_DATA_ERROR, truncated(dataBytes_, got));
      if (got > dataBytes_)
        fail(DLNRT_DATA_ERROR, pastEnd(dataBytes_));
      return;
    }
    const int64_t kMaxDeflateRatio = 1032;
    const int64_t bound = fileBytes_ * kMaxDeflateRatio;
    if (headerBytes + dataBytes_ > bound)
      fail(DLNRT_DATA_ERROR,
           path_ + ": truncated IDX file: header declares " +
               std::to_string(dataBytes_) + " bytes of data, more than a " +
               std::to_string(fileBytes_) + "-byte gzip file can hold");
  }

  std::string path_;
  int64_t fileBytes_ = -1; // size on disk; -1 when not a regular file
  int64_t dataBytes_ = 0;  // product of all dims
  // Owned by a member (not closed in a destructor body) so that a constructor
  // which throws on a bad header still closes the file.
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file_{nullptr, gzclose};
  std::vector<int64_t> dims_;
  int64_t itemSize_ = 1;
};

} // namespace

Dataset loadIdx(const std::string &imagesPath, const std::string &labelsPath,
                double scale, const DataLayout &layout,
                const dlnrt_allocator &allocator) {
  IdxReader images(imagesPath), labels(labelsPath);
  if (images.itemSize() != layout.inputSize)
    fail(DLNRT_DATA_ERROR, imagesPath + ": each image has " +
                               std::to_string(images.itemSize()) +
                               " values, the model input needs " +
                               std::to_string(layout.inputSize));
  if (labels.itemSize() != layout.labelSize)
    fail(DLNRT_DATA_ERROR, labelsPath + ": each label has " +
                               std::to_string(labels.itemSize()) +
                               " values, the model label needs " +
                               std::to_string(layout.labelSize));
  const int64_t count = images.dims()[0];
  if (labels.dims()[0] != count)
    fail(DLNRT_DATA_ERROR, labelsPath + ": has " +
                               std::to_string(labels.dims()[0]) +
                               " labels but " + imagesPath + " has " +
                               std::to_string(count) + " images");
  if (count == 0)
    fail(DLNRT_DATA_ERROR, imagesPath + ": no samples");

  std::vector<unsigned char> pixels = images.readData();
  std::vector<unsigned char> ys = labels.readData();

  Dataset ds;
  ds.source = imagesPath;
  ds.count = count;
  ds.x = Tensor(layout.dtype, {count, layout.inputSize}, allocator);
  if (layout.dtype == DType::F32) {
    float *x = ds.x.as<float>();
    for (size_t i = 0; i < pixels.size(); ++i)
      x[i] = static_cast<float>(pixels[i] * scale);
  } else {
    double *x = ds.x.as<double>();
    for (size_t i = 0; i < pixels.size(); ++i)
      x[i] = pixels[i] * scale;
  }
  if (layout.labelKind == LabelKind::Class) {
    ds.y = Tensor(DType::I32, {count}, allocator);
    for (int64_t i = 0; i < count; ++i) {
      if (ys[i] >= layout.numClasses)
        fail(DLNRT_DATA_ERROR, labelsPath + ": label " + std::to_string(ys[i]) +
                                   " of sample " + std::to_string(i) +
                                   " is outside [0, " +
                                   std::to_string(layout.numClasses) + ")");
      ds.y.as<int32_t>()[i] = ys[i];
    }
  } else {
    ds.y = Tensor(layout.dtype, {count, layout.labelSize}, allocator);
    for (size_t i = 0; i < ys.size(); ++i)
      ds.y.set(static_cast<int64_t>(i), ys[i]);
  }
  return ds;
}

} // namespace dlnrt
