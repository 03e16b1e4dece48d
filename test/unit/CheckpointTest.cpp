//===- CheckpointTest.cpp - .npz checkpoints, corruption, atomic saves ----===//
#include "Checkpoint.h"
#include "AtomicFile.h"
#include "Error.h"
#include "FakeModel.h"
#include "Init.h"
#include "Npz.h"
#include "TempDir.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace dlnrt;

namespace {

const char *kClassLabel = R"({"name": "y", "kind": "class", "classes": 4})";

/// A param entry of a manifest: `shape` is a JSON array.
std::string param(const std::string &name, const std::string &shape) {
  return R"({"name": ")" + name + R"(", "shape": )" + shape +
         R"(, "init": {"kind": "normal", "fan_in": 0, "fan_out": 0}})";
}

Manifest manifest(const std::string &dtype = "f32",
                  const std::string &wShape = "[3, 4]") {
  return parseManifest(fake::bareManifest(
      dtype, 2, 3, kClassLabel, 4,
      "[" + param("fc.weight", wShape) + ", " + param("fc.bias", "[4]") + "]"));
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
    loadCheckpoint(path, paramTensors(m, ps));
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

std::string bytesOf(const Manifest &m, const std::vector<Tensor> &ps) {
  return serializeCheckpoint(paramTensors(m, ps), TrainCounters());
}

} // namespace

// Save then load restores the exact bits and the counters, for f32 and f64.
TEST(Checkpoint, RoundTrip) {
  TempDir dir;
  for (const char *dtype : {"f32", "f64"}) {
    Manifest m = manifest(dtype);
    std::vector<Tensor> saved = params(m, 1), loaded = params(m, 2);
    ASSERT_FALSE(sameValues(saved, loaded));
    TrainCounters c;
    c.step = 1234;
    c.epoch = 7;
    c.seed = 0xFEDCBA9876543210ULL; // above INT64_MAX: stored by bits
    saveCheckpoint(dir.file("m.npz"), paramTensors(m, saved), c);
    std::optional<TrainCounters> back =
        loadCheckpoint(dir.file("m.npz"), paramTensors(m, loaded));
    EXPECT_TRUE(sameValues(saved, loaded)) << dtype;
    ASSERT_TRUE(back);
    EXPECT_EQ(back->step, 1234);
    EXPECT_EQ(back->epoch, 7);
    EXPECT_EQ(back->seed, 0xFEDCBA9876543210ULL);
  }
}

// The bytes are a stored ZIP of NAME.npy members in the documented order.
TEST(Checkpoint, LayoutMatchesSpec) {
  Manifest m = manifest();
  std::string bytes = bytesOf(m, params(m, 1));
  ASSERT_EQ(bytes.substr(0, 4), "PK\x03\x04");
  EXPECT_EQ(bytes[8], 0); // method: stored
  EXPECT_EQ(bytes.substr(30, 13), "fc.weight.npy");
  EXPECT_EQ(bytes.substr(43, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (3, 4), }"),
            std::string::npos);
  size_t order[5];
  const char *names[] = {"fc.weight.npy", "fc.bias.npy", "__step__.npy",
                         "__epoch__.npy", "__seed__.npy"};
  for (int i = 0; i < 5; ++i) {
    order[i] = bytes.find(names[i]);
    ASSERT_NE(order[i], std::string::npos) << names[i];
    if (i)
      EXPECT_LT(order[i - 1], order[i]);
  }
  EXPECT_EQ(bytes.substr(bytes.size() - 22, 4), "PK\x05\x06");
}

// Flipping any bit anywhere is rejected with a message naming the file, and
// the model keeps its values. The only bytes the reader may ignore are the
// Unix permission bits of a member (central directory external attributes);
// a flip there must load the same values.
TEST(Checkpoint, DetectsEveryFlippedBit) {
  TempDir dir;
  Manifest m = manifest();
  std::vector<Tensor> good = params(m, 1);
  std::string bytes = bytesOf(m, good);
  std::vector<bool> permissionByte(bytes.size(), false);
  for (size_t at = bytes.find("PK\x01\x02"); at != std::string::npos;
       at = bytes.find("PK\x01\x02", at + 1)) {
    permissionByte[at + 40] = true;
    permissionByte[at + 41] = true;
  }
  std::vector<Tensor> ps = params(m, 7), before = params(m, 7);
  const std::string path = "bad.npz";
  // In memory: thousands of files would make the test slow, not stronger.
  for (size_t at = 0; at < bytes.size(); ++at)
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes, err;
      bad[at] ^= static_cast<char>(1 << bit);
      try {
        deserializeCheckpoint(bad, path, paramTensors(m, ps));
      } catch (const Error &e) {
        err = e.what();
      }
      if (err.empty()) {
        EXPECT_TRUE(permissionByte[at]) << "undetected flip at " << at;
        EXPECT_TRUE(sameValues(ps, good));
        initParams(ps, m.params, 7);
        continue;
      }
      EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
      EXPECT_TRUE(sameValues(ps, before)) << "model touched, flip at " << at;
    }
  // A flip inside array data is reported as a checksum mismatch.
  std::string bad = bytes;
  bad[bytes.find("__step__.npy") - 40] ^= 1; // inside fc.bias data
  EXPECT_NE(loadError(dir.write("b2.npz", bad), m, ps)
                .find(": checksum mismatch in member 'fc.bias.npy' (file is "
                      "corrupt)"),
            std::string::npos);
}

// Every truncation is rejected; foreign and missing files too.
TEST(Checkpoint, DetectsTruncationAndForeignFiles) {
  TempDir dir;
  Manifest m = manifest();
  std::string bytes = bytesOf(m, params(m, 1));
  std::vector<Tensor> ps = params(m, 7), before = params(m, 7);
  for (size_t keep = 0; keep < bytes.size(); ++keep) {
    std::string path = dir.write("cut.npz", bytes.substr(0, keep));
    std::string err = loadError(path, m, ps);
    EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << keep << ": " << err;
  }
  EXPECT_TRUE(sameValues(ps, before));
  EXPECT_NE(loadError(dir.write("c.npz", bytes.substr(0, 100)), m, ps)
                .find("truncated or not an .npz archive (no ZIP end record)"),
            std::string::npos);
  EXPECT_NE(
      loadError(dir.write("x.npz", "hello world, not a checkpoint"), m, ps)
          .find("not an .npz archive"),
      std::string::npos);
  EXPECT_NE(
      loadError(dir.write("old.params", std::string("DLNCKPT1\x02\0\0\0", 12)),
                m, ps)
          .find("old DLNCKPT1 checkpoint"),
      std::string::npos);
  EXPECT_NE(
      loadError(dir.file("missing.npz"), m, ps).find("cannot open checkpoint"),
      std::string::npos);
  EXPECT_NE(loadError(dir.path(), m, ps).find("not a regular file"),
            std::string::npos);
}

// A valid checkpoint of another model is refused with the mismatching
// name/shape/dtype, and the model is left alone.
TEST(Checkpoint, ValidatesAgainstManifest) {
  TempDir dir;
  Manifest m = manifest();
  std::vector<Tensor> good = params(m, 1);
  saveCheckpoint(dir.file("a.npz"), paramTensors(m, good), TrainCounters());
  Manifest other = manifest("f32", "[3, 5]");
  std::vector<Tensor> ps = params(other, 1);
  EXPECT_NE(loadError(dir.file("a.npz"), other, ps)
                .find(": array 'fc.weight' has shape 3x4, model expects 3x5"),
            std::string::npos);
  Manifest f64 = manifest("f64");
  std::vector<Tensor> ps64 = params(f64, 1);
  EXPECT_NE(loadError(dir.file("a.npz"), f64, ps64)
                .find("array 'fc.weight' has dtype f32, model expects f64"),
            std::string::npos);
  Manifest renamed = parseManifest(fake::bareManifest(
      "f32", 2, 3, kClassLabel, 4,
      "[" + param("w", "[3, 4]") + ", " + param("fc.bias", "[4]") + "]"));
  std::vector<Tensor> pr = params(renamed, 1), prBefore = params(renamed, 1);
  EXPECT_NE(loadError(dir.file("a.npz"), renamed, pr)
                .find("checkpoint has no array 'w'"),
            std::string::npos);
  EXPECT_TRUE(sameValues(pr, prBefore));
  // A file with an extra (non-reserved) array is not this model's.
  Manifest biasOnly = parseManifest(fake::bareManifest(
      "f32", 2, 3, kClassLabel, 4, "[" + param("fc.bias", "[4]") + "]"));
  std::vector<Tensor> pb = params(biasOnly, 1);
  EXPECT_NE(loadError(dir.file("a.npz"), biasOnly, pb)
                .find("unexpected array 'fc.weight' (not a param or state "
                      "of this model)"),
            std::string::npos);
}

// Callers add state under reserved names; params-only readers skip it, and
// a counter of the wrong type is refused.
TEST(Checkpoint, ExtraStateAndCounters) {
  TempDir dir;
  Manifest m = manifest();
  std::vector<Tensor> ps = params(m, 1), moments = params(m, 2);
  std::vector<NamedTensor> all = paramTensors(m, ps);
  all.push_back({"__momentum__.fc.weight", &moments[0]});
  saveCheckpoint(dir.file("s.npz"), all, TrainCounters());
  std::vector<Tensor> loaded = params(m, 3), loadedMoments = params(m, 4);
  EXPECT_EQ(loadError(dir.file("s.npz"), m, loaded), "");
  EXPECT_TRUE(sameValues(loaded, ps));
  std::vector<NamedTensor> wantAll = paramTensors(m, loaded);
  wantAll.push_back({"__momentum__.fc.weight", &loadedMoments[0]});
  loadCheckpoint(dir.file("s.npz"), wantAll);
  EXPECT_EQ(std::memcmp(loadedMoments[0].data(), moments[0].data(),
                        moments[0].bytes()),
            0);

  // Without counters the load still works but reports none.
  std::vector<NpyArray> arrays;
  for (size_t i = 0; i < ps.size(); ++i)
    arrays.push_back(
        {m.params[i].name, NpyType::F32, ps[i].shape(), ps[i].data()});
  std::string noCounters = npzBytes(arrays);
  EXPECT_FALSE(deserializeCheckpoint(noCounters, "n.npz", paramTensors(m, ps)));
  double wrong = 3;
  arrays.push_back({"__epoch__", NpyType::F64, {}, &wrong});
  try {
    deserializeCheckpoint(npzBytes(arrays), "n.npz", paramTensors(m, ps));
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "n.npz: counter '__epoch__' must be a 0-d int64 array"),
              std::string::npos)
        << e.what();
  }
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
    std::vector<Tensor> ps = params(m, 1);
    saveCheckpoint(path, paramTensors(m, ps), TrainCounters());
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_EQ(e.code(), DLNRT_IO_ERROR);
    EXPECT_NE(std::string(e.what()).find(path + ": cannot create"),
              std::string::npos)
        << e.what();
  }
  // A directory is never replaced by a file, and no temp file is left.
  std::string target = dir.file("adir");
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  EXPECT_THROW(writeFileAtomically(target, "x"), Error);
  struct stat st;
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(std::system(("test \"$(ls " + dir.path() + ")\" = adir").c_str()),
            0);
}

// A final save that fails keeps the result in a new file in the rescue
// directory and says where; if that fails too, the error says so.
TEST(Checkpoint, FailedSaveIsRescued) {
  TempDir dir;
  Tensor w(DType::F32, {2}, defaultAllocator());
  w.set(0, 1.5);
  w.set(1, -2);
  std::vector<NamedTensor> tensors{{"w", &w}};
  std::string target = dir.path() + "/missing-dir/model.npz";
  std::string message;
  try {
    saveCheckpointOrRescue(target, tensors, TrainCounters{3, 1, 7},
                           dir.path());
  } catch (const Error &e) {
    message = e.what();
  }
  std::string marker = "the trained parameters were saved to ";
  size_t at = message.find(marker);
  ASSERT_NE(at, std::string::npos) << message;
  std::string rescued = message.substr(at + marker.size());
  rescued.resize(rescued.find(" instead"));
  EXPECT_EQ(rescued.rfind(dir.path() + "/model.rescued-", 0), 0u) << rescued;
  Tensor back(DType::F32, {2}, defaultAllocator());
  std::vector<NamedTensor> into{{"w", &back}};
  std::optional<TrainCounters> counters = loadCheckpoint(rescued, into);
  ASSERT_TRUE(counters);
  EXPECT_EQ(counters->step, 3);
  EXPECT_EQ(back.get(1), -2);

  message.clear();
  try {
    saveCheckpointOrRescue(target, tensors, {}, dir.path() + "/nowhere");
  } catch (const Error &e) {
    message = e.what();
  }
  EXPECT_NE(message.find("failed as well"), std::string::npos) << message;
  EXPECT_NE(message.find("the trained parameters are lost"), std::string::npos)
      << message;
}

namespace {
std::string initError(const std::string &bytes, const Manifest &m,
                      std::vector<Tensor> &ps,
                      const std::vector<InitSource> &mapping) {
  try {
    initFromCheckpointBytes(bytes, "other.npz", paramTensors(m, ps), mapping);
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}
} // namespace

// --init-from FILE[:PARAM=ARRAY,...]: the file part, then the mapping.
TEST(Checkpoint, ParsesInitFrom) {
  auto [plain, none] = parseInitFrom("dir:x/rbm1.npz");
  EXPECT_EQ(plain, "dir:x/rbm1.npz");
  EXPECT_TRUE(none.empty());
  auto [path, mapping] = parseInitFrom("a:b.npz:w1=w,b1=bh");
  EXPECT_EQ(path, "a:b.npz");
  ASSERT_EQ(mapping.size(), 2u);
  EXPECT_EQ(mapping[0].param, "w1");
  EXPECT_EQ(mapping[0].array, "w");
  EXPECT_EQ(mapping[1].param, "b1");
  EXPECT_EQ(mapping[1].array, "bh");
  for (const char *bad : {"f.npz:w1=", "f.npz:=w", "f.npz:w1=w,", ":w1=w",
                          "f.npz:w1=w,b1"})
    EXPECT_THROW(parseInitFrom(bad), Error) << bad;
}

// Like load_state_dict(strict=False): same-named params by default, mapped
// ones when a mapping is given; every problem is reported before any copy.
TEST(Checkpoint, InitializesFromAnotherModel) {
  Manifest source = manifest();
  std::vector<Tensor> trained = params(source, 1);
  std::string bytes = bytesOf(source, trained);

  // Same names: fc.weight and fc.bias are both taken, extra arrays ignored.
  Manifest biasOnly = parseManifest(fake::bareManifest(
      "f32", 2, 3, kClassLabel, 4, "[" + param("fc.bias", "[4]") + "]"));
  std::vector<Tensor> pb = params(biasOnly, 2);
  EXPECT_EQ(initFromCheckpointBytes(bytes, "other.npz",
                                    paramTensors(biasOnly, pb), {}),
            std::vector<std::string>{"fc.bias"});
  EXPECT_EQ(std::memcmp(pb[0].data(), trained[1].data(), pb[0].bytes()), 0);

  // Renamed: w takes fc.weight; fc.bias keeps its own initialization.
  Manifest renamed = parseManifest(fake::bareManifest(
      "f32", 2, 3, kClassLabel, 4,
      "[" + param("w", "[3, 4]") + ", " + param("fc.bias", "[4]") + "]"));
  std::vector<Tensor> pr = params(renamed, 2), before = params(renamed, 2);
  EXPECT_EQ(initFromCheckpointBytes(bytes, "other.npz",
                                    paramTensors(renamed, pr),
                                    {{"w", "fc.weight"}}),
            std::vector<std::string>{"w"});
  EXPECT_EQ(std::memcmp(pr[0].data(), trained[0].data(), pr[0].bytes()), 0);
  EXPECT_EQ(std::memcmp(pr[1].data(), before[1].data(), pr[1].bytes()), 0);

  // Errors, and the model untouched by a failed call.
  std::vector<Tensor> fresh = params(renamed, 3), kept = params(renamed, 3);
  EXPECT_NE(initError(bytes, renamed, fresh, {{"v", "fc.weight"}})
                .find("other.npz: 'v' is not a parameter of this model (it "
                      "has w, fc.bias)"),
            std::string::npos);
  EXPECT_NE(initError(bytes, renamed, fresh, {{"w", "fc.w"}})
                .find("checkpoint has no array 'fc.w'"),
            std::string::npos);
  EXPECT_NE(initError(bytes, renamed, fresh, {{"w", "__step__"}})
                .find("checkpoint has no array '__step__'"),
            std::string::npos);
  EXPECT_NE(initError(bytes, renamed, fresh,
                      {{"fc.bias", "fc.bias"}, {"w", "fc.bias"}})
                .find("array 'fc.bias' has shape 4, parameter 'w' is 3x4"),
            std::string::npos);
  EXPECT_NE(initError(bytes, renamed, fresh,
                      {{"w", "fc.weight"}, {"w", "fc.weight"}})
                .find("parameter 'w' is mapped twice"),
            std::string::npos);
  Manifest unrelated = parseManifest(fake::bareManifest(
      "f32", 2, 3, kClassLabel, 4, "[" + param("z", "[4]") + "]"));
  std::vector<Tensor> pz = params(unrelated, 1);
  EXPECT_NE(initError(bytes, unrelated, pz, {})
                .find("no array names a parameter of this model (it has z)"),
            std::string::npos);
  Manifest f64 = parseManifest(fake::bareManifest(
      "f64", 2, 3, kClassLabel, 4, "[" + param("fc.bias", "[4]") + "]"));
  std::vector<Tensor> p64 = params(f64, 1);
  EXPECT_NE(initError(bytes, f64, p64, {})
                .find("array 'fc.bias' has dtype f32, parameter 'fc.bias' is "
                      "f64"),
            std::string::npos);
  EXPECT_TRUE(sameValues(fresh, kept));
}
