//===- IdxLoaderTest.cpp - IDX data sets: plain, gzip and damaged files ---===//
#include "DataSource.h"
#include "Error.h"
#include "TempDir.h"

#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <sys/resource.h>
#include <zlib.h>

using namespace dlnrt;

namespace {

/// Big-endian IDX bytes: magic 0x000008<rank>, dims, then data.
std::string idx(const std::vector<uint32_t> &dims, const std::string &data) {
  std::string s = {0, 0, 8, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    s += static_cast<char>(d >> 24);
    s += static_cast<char>(d >> 16);
    s += static_cast<char>(d >> 8);
    s += static_cast<char>(d);
  }
  return s + data;
}

std::string writeGzip(const std::string &path, const std::string &bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

/// 3 images of 2x2 pixels, values 0..11, and labels 2,0,1.
std::string pixels() {
  return std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\xff", 12);
}
std::string labels() { return std::string("\x02\x00\x01", 3); }

DataLayout layout(DType dtype = DType::F32) {
  DataLayout l;
  l.dtype = dtype;
  l.inputSize = 4;
  l.labelKind = LabelKind::Class;
  l.numClasses = 3;
  return l;
}

std::string loadError(const std::string &images, const std::string &labelsPath,
                      const DataLayout &l = layout()) {
  try {
    loadIdx(images, labelsPath, 1.0, l, defaultAllocator());
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

/// Caps this process's address space at its current size plus `headroom`
/// for the object's lifetime, so a test fails (std::bad_alloc, not
/// dlnrt::Error) if the code under test allocates what a header merely claims.
class AddressSpaceLimit {
public:
  explicit AddressSpaceLimit(rlim_t headroom) {
    getrlimit(RLIMIT_AS, &saved_);
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    rlimit capped = saved_;
    capped.rlim_cur =
        static_cast<rlim_t>(pages) * sysconf(_SC_PAGESIZE) + headroom;
    if (saved_.rlim_max != RLIM_INFINITY && capped.rlim_cur > saved_.rlim_max)
      capped.rlim_cur = saved_.rlim_max;
    active_ = pages > 0 && setrlimit(RLIMIT_AS, &capped) == 0;
  }
  ~AddressSpaceLimit() {
    if (active_)
      setrlimit(RLIMIT_AS, &saved_);
  }

private:
  rlimit saved_;
  bool active_ = false;
};

/// `n` pseudo-random bytes: gzip cannot shrink them.
std::string noise(size_t n) {
  std::mt19937 gen(7);
  std::string s(n, 0);
  for (char &c : s)
    c = static_cast<char>(gen());
  return s;
}

} // namespace

// Plain IDX: images flattened and scaled, labels widened to int32.
TEST(IdxLoader, LoadsPlainFiles) {
  TempDir dir;
  std::string im = dir.write("im", idx({3, 2, 2}, pixels()));
  std::string lb = dir.write("lb", idx({3}, labels()));
  Dataset ds = loadIdx(im, lb, 0.5, layout(DType::F64), defaultAllocator());
  ASSERT_EQ(ds.count, 3);
  EXPECT_EQ(ds.x.shape(), (Shape{3, 4}));
  EXPECT_DOUBLE_EQ(ds.x.get(5), 2.5);
  EXPECT_DOUBLE_EQ(ds.x.get(11), 127.5);
  EXPECT_EQ(ds.y.as<int32_t>()[0], 2);
  EXPECT_EQ(ds.y.as<int32_t>()[2], 1);
}

// gzip-compressed files (detected by their magic) load identically.
TEST(IdxLoader, LoadsGzipFiles) {
  TempDir dir;
  std::string im = writeGzip(dir.file("im.gz"), idx({3, 2, 2}, pixels()));
  std::string lb = writeGzip(dir.file("lb.gz"), idx({3}, labels()));
  Dataset ds = loadIdx(im, lb, 1.0 / 255, layout(), defaultAllocator());
  ASSERT_EQ(ds.count, 3);
  EXPECT_FLOAT_EQ(ds.x.as<float>()[11], 1.0f);
  EXPECT_EQ(ds.y.as<int32_t>()[1], 0);
}

// A short data block reports expected and actual byte counts, plain and gzip.
TEST(IdxLoader, RejectsTruncatedFiles) {
  TempDir dir;
  std::string lb = dir.write("lb", idx({3}, labels()));
  std::string im = dir.write("im", idx({3, 2, 2}, pixels().substr(0, 7)));
  std::string err = loadError(im, lb);
  EXPECT_NE(
      err.find(im + ": truncated IDX file: expected 12 bytes of data, got 7"),
      std::string::npos)
      << err;
  std::string gz =
      writeGzip(dir.file("im.gz"), idx({3, 2, 2}, pixels().substr(0, 5)));
  EXPECT_NE(loadError(gz, lb).find("expected 12 bytes of data, got 5"),
            std::string::npos);
  // A gzip stream cut in the middle: whatever decompresses is short of the
  // declared size.
  std::string whole =
      readAll(writeGzip(dir.file("full.gz"), idx({3, 2, 2}, pixels())));
  std::string cut = dir.write("cut.gz", whole.substr(0, whole.size() - 12));
  err = loadError(cut, lb);
  EXPECT_TRUE(err.find("truncated IDX") != std::string::npos ||
              err.find("corrupt gzip") != std::string::npos)
      << err;
  EXPECT_NE(loadError(dir.write("hdr", std::string("\x00\x00\x08", 3)), lb)
                .find("truncated IDX header"),
            std::string::npos);
}

// Wrong magic bytes and unsupported element types.
TEST(IdxLoader, RejectsBadMagic) {
  TempDir dir;
  std::string lb = dir.write("lb", idx({3}, labels()));
  std::string im = dir.write("im", "PK\x03\x04 not an idx file");
  std::string err = loadError(im, lb);
  EXPECT_NE(err.find(im + ": bad IDX magic 0x504B0304"), std::string::npos)
      << err;
  std::string f32 = idx({3, 2, 2}, pixels());
  f32[2] = 0x0D;
  EXPECT_NE(
      loadError(dir.write("f32", f32), lb).find("unsupported IDX element type"),
      std::string::npos);
}

// Image/label counts must agree, sizes must fit the model, labels must be in
// range.
TEST(IdxLoader, RejectsCountAndShapeMismatch) {
  TempDir dir;
  std::string im = dir.write("im", idx({3, 2, 2}, pixels()));
  std::string lb2 = dir.write("lb2", idx({2}, labels().substr(0, 2)));
  std::string err = loadError(im, lb2);
  EXPECT_NE(err.find("has 2 labels but " + im + " has 3 images"),
            std::string::npos)
      << err;
  std::string lb = dir.write("lb", idx({3}, labels()));
  std::string im3 = dir.write("im3", idx({2, 2, 3}, pixels()));
  EXPECT_NE(loadError(im3, lb).find(
                "each image has 6 values, the model input needs 4"),
            std::string::npos);
  std::string bad = dir.write("bad", idx({3}, std::string("\x02\x07\x01", 3)));
  EXPECT_NE(loadError(im, bad).find("label 7 of sample 1 is outside [0, 3)"),
            std::string::npos);
  std::string extra = dir.write("extra", idx({3}, labels() + "zz"));
  EXPECT_NE(loadError(im, extra).find("data past the 3 bytes"),
            std::string::npos);
  EXPECT_NE(loadError(dir.file("missing"), lb).find("cannot open IDX file"),
            std::string::npos);
}

// A header's sizes are checked against the file and a cap before anything is
// allocated for them: a 40-byte file claiming 2^28 items must fail at once,
// not after allocating 256 MiB (or, for a rank-3 claim, gigabytes).
TEST(IdxLoader, RejectsHeaderSizesTheFileCannotHold) {
  TempDir dir;
  std::string lb = dir.write("lb", idx({3}, labels()));
  AddressSpaceLimit limit(64 << 20);
  // Plain: the size on disk must match the header exactly.
  std::string plain = dir.write("plain", idx({1u << 28}, std::string(32, 1)));
  std::string err = loadError(lb, plain);
  EXPECT_NE(err.find(plain + ": truncated IDX file: expected 268435456 bytes "
                             "of data, got 32"),
            std::string::npos)
      << err;
  std::string big =
      dir.write("big", idx({1u << 22, 28, 28}, std::string(28, 1)));
  EXPECT_NE(loadError(big, lb).find(big + ": truncated IDX file"),
            std::string::npos);
  // gzip: a 40-byte member cannot inflate to 2^28 bytes (deflate tops out at
  // 1032:1).
  std::string gz = writeGzip(dir.file("small.gz"), idx({1u << 28}, "abc"));
  err = loadError(lb, gz);
  EXPECT_NE(err.find(gz + ": truncated IDX file: header declares 268435456 "
                          "bytes of data, more than a"),
            std::string::npos)
      << err;
  // gzip large enough to pass that bound: the buffer grows only with the data
  // that actually arrives.
  std::string noisy =
      writeGzip(dir.file("noisy.gz"), idx({1u << 26, 2, 2}, noise(300000)));
  std::string noisyLabels =
      writeGzip(dir.file("noisy-lb.gz"), idx({1u << 26}, noise(70000)));
  err = loadError(noisy, noisyLabels);
  EXPECT_NE(err.find(noisy + ": truncated IDX file: expected 268435456 bytes "
                             "of data, got 300000"),
            std::string::npos)
      << err;
  // Past the documented 4 GiB cap, whatever the file holds.
  std::string huge = dir.write("huge", idx({1u << 20, 1u << 13}, ""));
  EXPECT_NE(loadError(huge, lb).find("more than the 4294967296 bytes"),
            std::string::npos);
  std::string wide = dir.write("wide", idx({0, 1u << 20, 1u << 13}, ""));
  err = loadError(wide, lb);
  EXPECT_NE(err.find("items of more than 4294967296 bytes"), std::string::npos)
      << err;
}
