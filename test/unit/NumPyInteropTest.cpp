//===- NumPyInteropTest.cpp - Checkpoints read and written by NumPy -------===//
//
// The point of the .npz format is that other tools open it, so these tests run
// the system's Python with NumPy in both directions. They skip (with a message)
// where /usr/bin/python3 has no numpy.
//
//===----------------------------------------------------------------------===//
#include "Checkpoint.h"
#include "FakeModel.h"
#include "Init.h"
#include "TempDir.h"

#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>

using namespace dlnrt;

namespace {

const char *kPython = "/usr/bin/python3";

/// Runs python3 -c `script` with `arg`; returns stdout, or nullopt on failure.
std::optional<std::string> runPython(const std::string &script,
                                     const std::string &arg) {
  std::string cmd =
      std::string(kPython) + " -c '" + script + "' '" + arg + "' 2>/dev/null";
  FILE *p = ::popen(cmd.c_str(), "r");
  if (!p)
    return std::nullopt;
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  if (::pclose(p) != 0)
    return std::nullopt;
  return out;
}

bool haveNumPy() { return runPython("import numpy", "").has_value(); }

std::string hex(const void *data, size_t n) {
  std::string s;
  char b[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x",
                  static_cast<const unsigned char *>(data)[i]);
    s += b;
  }
  return s;
}

Manifest manifest() {
  const std::string init =
      R"("init": {"kind": "normal", "fan_in": 0, "fan_out": 0})";
  return parseManifest(fake::bareManifest(
      "f32", 2, 3, R"({"name": "y", "kind": "class", "classes": 4})", 4,
      R"([{"name": "fc.weight", "shape": [3, 4], )" + init +
          R"(}, {"name": "fc.bias", "shape": [4], )" + init + "}]"));
}

} // namespace

// numpy.load sees every array with the right dtype, shape and bits.
TEST(NumPyInterop, NumPyReadsCheckpoint) {
  if (!haveNumPy())
    GTEST_SKIP() << kPython
                 << " cannot import numpy (apt install python3-numpy)";
  TempDir dir;
  Manifest m = manifest();
  std::vector<Tensor> ps;
  for (const ParamSpec &p : m.params)
    ps.emplace_back(m.dtype, p.shape, defaultAllocator());
  initParams(ps, m.params, 3);
  TrainCounters c;
  c.step = 40;
  c.epoch = 2;
  c.seed = 11;
  saveCheckpoint(dir.file("m.npz"), paramTensors(m, ps), c);

  std::optional<std::string> out =
      runPython("import numpy, sys\n"
                "z = numpy.load(sys.argv[1])\n"
                "for k in z.files:\n"
                "    a = z[k]\n"
                "    print(k, a.dtype.str, a.shape, a.tobytes().hex())\n",
                dir.file("m.npz"));
  ASSERT_TRUE(out);
  int64_t step = 40, epoch = 2, seed = 11;
  std::string expect =
      "fc.weight <f4 (3, 4) " + hex(ps[0].data(), ps[0].bytes()) + "\n" +
      "fc.bias <f4 (4,) " + hex(ps[1].data(), ps[1].bytes()) + "\n" +
      "__step__ <i8 () " + hex(&step, 8) + "\n" + "__epoch__ <i8 () " +
      hex(&epoch, 8) + "\n" + "__seed__ <i8 () " + hex(&seed, 8) + "\n";
  EXPECT_EQ(*out, expect);
}

// A checkpoint written by numpy.savez (ZIP64 local headers) loads.
TEST(NumPyInterop, CheckpointWrittenByNumPyLoads) {
  if (!haveNumPy())
    GTEST_SKIP() << kPython
                 << " cannot import numpy (apt install python3-numpy)";
  TempDir dir;
  ASSERT_TRUE(runPython(
      "import numpy, sys\n"
      "numpy.savez(sys.argv[1], **{\n"
      "  \"fc.weight\": numpy.arange(12, dtype=\"<f4\").reshape(3, 4),\n"
      "  \"fc.bias\": numpy.array([1, 2, 3, 4], dtype=\"<f4\"),\n"
      "  \"__step__\": numpy.int64(5), \"__epoch__\": numpy.int64(1),\n"
      "  \"__seed__\": numpy.int64(9)})\n",
      dir.file("np.npz")));
  Manifest m = manifest();
  std::vector<Tensor> ps;
  for (const ParamSpec &p : m.params)
    ps.emplace_back(m.dtype, p.shape, defaultAllocator());
  std::optional<TrainCounters> c =
      loadCheckpoint(dir.file("np.npz"), paramTensors(m, ps));
  EXPECT_EQ(ps[0].get(11), 11.0);
  EXPECT_EQ(ps[1].get(3), 4.0);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->step, 5);
  EXPECT_EQ(c->epoch, 1);
  EXPECT_EQ(c->seed, 9u);
}
