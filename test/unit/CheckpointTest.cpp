//===- CheckpointTest.cpp - Checkpoint format, corruption, atomic saves ---===//
#include "Checkpoint.h"
#include "AtomicFile.h"
#include "Error.h"
#include "Init.h"
#include "TempDir.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace dlnrt;

namespace {

Manifest manifest(const std::string &dtype = "f32",
                  const std::string &wShape = "3x4") {
  return parseManifest("dln-manifest 1\nmodel m\ndtype " + dtype +
                       "\nbatch 2\ninput x 3\nlabel y class 4\noutput o 4\n"
                       "param fc.weight " +
                       wShape +
                       " init=normal\n"
                       "param fc.bias 4 init=normal\n");
}

std::vector<Tensor> params(const Manifest &m, uint64_t seed) {
  std::vector<Tensor> ps;
  for (const ParamSpec &p : m.params)
    ps.emplace_back(m.dtype, p.shape, defaultAllocator());
  initParams(ps, m.params, seed);
  return ps;
}

bool sameValues(const std::vector<Tensor> &a, const std::vector<Tensor> &b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].bytes() != b[i].bytes() ||
        std::memcmp(a[i].data(), b[i].data(), a[i].bytes()))
      return false;
  return true;
}

std::string loadError(const std::string &path, const Manifest &m,
                      std::vector<Tensor> &ps) {
  try {
    loadCheckpoint(path, m, ps);
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

} // namespace

// Save then load restores the exact bits, for f32 and f64.
TEST(Checkpoint, RoundTrip) {
  TempDir dir;
  for (const char *dtype : {"f32", "f64"}) {
    Manifest m = manifest(dtype);
    std::vector<Tensor> saved = params(m, 1), loaded = params(m, 2);
    ASSERT_FALSE(sameValues(saved, loaded));
    saveCheckpoint(dir.file("m.params"), m, saved);
    loadCheckpoint(dir.file("m.params"), m, loaded);
    EXPECT_TRUE(sameValues(saved, loaded)) << dtype;
  }
}

// The byte layout is the documented one.
TEST(Checkpoint, LayoutMatchesSpec) {
  Manifest m = manifest();
  std::string bytes = serializeCheckpoint(m, params(m, 1));
  ASSERT_EQ(bytes.substr(0, 8), "DLNCKPT1");
  uint32_t count;
  std::memcpy(&count, bytes.data() + 8, 4);
  EXPECT_EQ(count, 2u);
  uint16_t len;
  std::memcpy(&len, bytes.data() + 12, 2);
  EXPECT_EQ(len, 9u);
  EXPECT_EQ(bytes.substr(14, 9), "fc.weight");
  EXPECT_EQ(bytes[23], 0); // f32
  EXPECT_EQ(bytes[24], 2); // rank
  int64_t d0;
  std::memcpy(&d0, bytes.data() + 25, 8);
  EXPECT_EQ(d0, 3);
  // header 8+4, two params: (2+9+1+1+16+48) + (2+7+1+1+8+16), crc 4
  EXPECT_EQ(bytes.size(), 12u + 77u + 35u + 4u);
}

// Flipping any single byte is caught by the CRC; the model keeps its values.
TEST(Checkpoint, DetectsFlippedByte) {
  TempDir dir;
  Manifest m = manifest();
  std::string bytes = serializeCheckpoint(m, params(m, 1));
  std::vector<Tensor> ps = params(m, 7), before = params(m, 7);
  for (size_t at : {size_t(60), bytes.size() - 10, bytes.size() - 1}) {
    std::string bad = bytes;
    bad[at] ^= 0x10;
    std::string path = dir.write("bad.params", bad);
    std::string err = loadError(path, m, ps);
    EXPECT_NE(err.find(path + ": checksum mismatch (file is corrupt)"),
              std::string::npos)
        << err;
    EXPECT_TRUE(sameValues(ps, before));
  }
}

// A cut-off file is reported as truncated, a foreign file as bad magic.
TEST(Checkpoint, DetectsTruncationAndBadMagic) {
  TempDir dir;
  Manifest m = manifest();
  std::string bytes = serializeCheckpoint(m, params(m, 1));
  std::vector<Tensor> ps = params(m, 7);
  for (size_t keep : {size_t(5), size_t(13), size_t(40), bytes.size() - 20}) {
    std::string err =
        loadError(dir.write("cut.params", bytes.substr(0, keep)), m, ps);
    EXPECT_TRUE(err.find("truncated") != std::string::npos ||
                err.find("bad magic") != std::string::npos)
        << keep << ": " << err;
  }
  EXPECT_NE(loadError(dir.write("cut2.params", bytes.substr(0, 40)), m, ps)
                .find("truncated"),
            std::string::npos);
  EXPECT_NE(
      loadError(dir.write("x.params", "hello world, not a checkpoint"), m, ps)
          .find("not a dlnc checkpoint (bad magic"),
      std::string::npos);
  EXPECT_NE(loadError(dir.file("missing.params"), m, ps)
                .find("cannot open checkpoint"),
            std::string::npos);
}

// A valid checkpoint of another model is refused with the mismatching
// name/shape/dtype.
TEST(Checkpoint, ValidatesAgainstManifest) {
  TempDir dir;
  Manifest m = manifest();
  saveCheckpoint(dir.file("a.params"), m, params(m, 1));
  Manifest other = manifest("f32", "3x5");
  std::vector<Tensor> ps = params(other, 1);
  EXPECT_NE(loadError(dir.file("a.params"), other, ps)
                .find("param 'fc.weight' has shape 3x4, model expects 3x5"),
            std::string::npos);
  Manifest f64 = manifest("f64");
  std::vector<Tensor> ps64 = params(f64, 1);
  EXPECT_NE(loadError(dir.file("a.params"), f64, ps64)
                .find("has dtype f32, model expects f64"),
            std::string::npos);
  Manifest renamed =
      parseManifest("dln-manifest 1\ndtype f32\nbatch 2\ninput x 3\n"
                    "label y class 4\noutput o 4\nparam w 3x4 init=zeros\n"
                    "param fc.bias 4 init=zeros\n");
  std::vector<Tensor> pr = params(renamed, 1);
  EXPECT_NE(loadError(dir.file("a.params"), renamed, pr)
                .find("param 0 is 'fc.weight', model expects 'w'"),
            std::string::npos);
}

// A writer that never commits (a failure mid-write) leaves the old file and no
// temp file.
TEST(AtomicFile, FailedWriteKeepsOldFile) {
  TempDir dir;
  std::string path = dir.write("m.params", "old contents");
  std::string temp;
  {
    AtomicFileWriter w(path);
    temp = w.tempPath();
    w.write("new but incomplete", 18);
    EXPECT_TRUE(fileExists(temp));
    // destroyed without commit(), as when serialization throws part-way
  }
  EXPECT_FALSE(fileExists(temp));
  EXPECT_EQ(readAll(path), "old contents");
  writeFileAtomically(path, "new contents");
  EXPECT_EQ(readAll(path), "new contents");
}

// A save that cannot even start reports the path and does not create anything.
TEST(AtomicFile, UnwritableDestinationIsAnError) {
  TempDir dir;
  Manifest m = manifest();
  std::string path = dir.file("no/such/dir/m.params");
  try {
    saveCheckpoint(path, m, params(m, 1));
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_EQ(e.code(), DLNRT_IO_ERROR);
    EXPECT_NE(std::string(e.what()).find(path + ": cannot create"),
              std::string::npos)
        << e.what();
  }
  // Replacing a directory with a file fails at rename; the directory and no
  // temp file remain.
  std::string target = dir.file("adir");
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  EXPECT_THROW(writeFileAtomically(target, "x"), Error);
  struct stat st;
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_FALSE(fileExists(target + ".tmp." + std::to_string(::getpid())));
}
