//===- ManifestTest.cpp - Manifest parsing and percent-decoding -----------===//
#include "Manifest.h"
#include "Error.h"

#include <gtest/gtest.h>

using namespace dlnrt;

namespace {

const char *kFashion = R"(dln-manifest 1
model mlp_fashion
dtype f32
batch 64
epochs 5
seed 42
log_every 0
optimizer sgd lr=0.1
param fc1.weight 784x256 init=lecun_uniform fan_in=784 fan_out=256
param fc1.bias 256 init=lecun_uniform fan_in=784 fan_out=256
param out.weight 2x1 init=uniform a=-1 b=1 fan_in=2 fan_out=1
input x 784
label y class 10
output logits 10
data dir /usr/share/datasets/fashion-mnist
data train idx images=train-images-idx3-ubyte.gz labels=train-labels-idx1-ubyte.gz scale=0.00392156862745098
data test idx images=t10k-images-idx3-ubyte.gz labels=t10k-labels-idx1-ubyte.gz scale=0.00392156862745098
)";

/// The message of the Error thrown by parseManifest, or "" if it parsed.
std::string errorOf(const std::string &text) {
  try {
    parseManifest(text);
  } catch (const Error &e) {
    EXPECT_EQ(e.code(), DLNRT_INVALID_ARGUMENT);
    return e.what();
  }
  return "";
}

const std::string kMinimal = "dln-manifest 1\ndtype f64\nbatch 2\ninput x 3\n"
                             "label y real 1\noutput p 1\n";

} // namespace

// The reference manifest parses into every field.
TEST(Manifest, ParsesFullManifest) {
  Manifest m = parseManifest(kFashion);
  EXPECT_EQ(m.model, "mlp_fashion");
  EXPECT_EQ(m.dtype, DType::F32);
  EXPECT_EQ(m.batch, 64);
  EXPECT_EQ(m.epochs, 5);
  EXPECT_EQ(m.seed, 42u);
  EXPECT_EQ(m.logEvery, 0);
  EXPECT_EQ(m.optimizer, "sgd");
  ASSERT_TRUE(m.lr);
  EXPECT_DOUBLE_EQ(*m.lr, 0.1);
  ASSERT_EQ(m.params.size(), 3u);
  EXPECT_EQ(m.params[0].name, "fc1.weight");
  EXPECT_EQ(m.params[0].shape, (Shape{784, 256}));
  EXPECT_EQ(m.params[0].init.kind, InitKind::LecunUniform);
  EXPECT_EQ(m.params[0].init.fanIn, 784);
  EXPECT_EQ(m.params[1].shape, (Shape{256}));
  EXPECT_EQ(m.params[2].init.kind, InitKind::Uniform);
  EXPECT_DOUBLE_EQ(m.params[2].init.a, -1);
  EXPECT_DOUBLE_EQ(m.params[2].init.b, 1);
  EXPECT_EQ(m.inputShape, (Shape{784}));
  EXPECT_EQ(m.label.kind, LabelKind::Class);
  EXPECT_EQ(m.label.numClasses, 10);
  EXPECT_EQ(m.labelSize(), 1);
  EXPECT_EQ(m.outputSize(), 10);
  EXPECT_EQ(m.dataDir, "/usr/share/datasets/fashion-mnist");
  ASSERT_TRUE(m.train && m.test);
  EXPECT_EQ(m.train->format, "idx");
  EXPECT_EQ(m.train->images, "train-images-idx3-ubyte.gz");
  EXPECT_EQ(m.test->labels, "t10k-labels-idx1-ubyte.gz");
  EXPECT_NEAR(m.train->scale, 1 / 255.0, 1e-15);
}

// CSV data lines, real labels with a multi-dim shape, defaults for omitted
// lines.
TEST(Manifest, ParsesCsvDataAndDefaults) {
  Manifest m = parseManifest(
      kMinimal + "data train csv path=xor.csv label=-1 skip=1 scale=2\n");
  EXPECT_EQ(m.epochs, 1);
  EXPECT_EQ(m.seed, 0u);
  EXPECT_FALSE(m.lr);
  EXPECT_FALSE(m.test);
  ASSERT_TRUE(m.train);
  EXPECT_EQ(m.train->format, "csv");
  EXPECT_EQ(m.train->path, "xor.csv");
  EXPECT_EQ(m.train->labelColumn, -1);
  EXPECT_EQ(m.train->skip, 1);
  EXPECT_DOUBLE_EQ(m.train->scale, 2);
  Manifest r =
      parseManifest("dln-manifest 1\ndtype f32\nbatch 1\ninput x 1x28x28\n"
                    "label y real 2x3\noutput o 2x3\n");
  EXPECT_EQ(r.inputSize(), 784);
  EXPECT_EQ(r.labelSize(), 6);
}

// Values are percent-decoded; keys and line kinds are not.
TEST(Manifest, PercentDecodesValues) {
  Manifest m = parseManifest(kMinimal + "model my%20model%25x\n"
                                        "data dir /data/with%20space\n"
                                        "data train csv path=a%2Cb%0A.csv\n"
                                        "param w%2Eone 3 init=zeros\n");
  EXPECT_EQ(m.model, "my model%x");
  EXPECT_EQ(m.dataDir, "/data/with space");
  EXPECT_EQ(m.train->path, "a,b\n.csv");
  EXPECT_EQ(m.params[0].name, "w.one");
}

TEST(Manifest, PercentDecodeRejectsMalformedEscapes) {
  std::string out;
  EXPECT_TRUE(percentDecode("a%20b%7e", out));
  EXPECT_EQ(out, "a b~");
  EXPECT_FALSE(percentDecode("bad%G0", out));
  EXPECT_FALSE(percentDecode("short%2", out));
  EXPECT_FALSE(percentDecode("%", out));
  EXPECT_NE(errorOf(kMinimal + "model x%ZZ\n").find("malformed percent escape"),
            std::string::npos);
}

// Unknown key=value pairs are ignored so newer compilers can add keys.
TEST(Manifest, IgnoresUnknownKeys) {
  Manifest m =
      parseManifest(kMinimal + "param w 3 init=normal mean=1 std=2 future=7\n"
                               "optimizer sgd lr=0.5 momentum=0.9\n");
  EXPECT_EQ(m.params[0].init.kind, InitKind::Normal);
  EXPECT_DOUBLE_EQ(m.params[0].init.std, 2);
  EXPECT_DOUBLE_EQ(*m.lr, 0.5);
}

// Windows line endings and blank lines are tolerated.
TEST(Manifest, ToleratesCrlfAndBlankLines) {
  Manifest m = parseManifest(
      "dln-manifest 1\r\n\r\ndtype f32\r\nbatch 8\r\ninput x 2\r\n"
      "label y class 2\r\noutput o 2\r\n");
  EXPECT_EQ(m.batch, 8);
}

// An unknown line kind is an error naming the line number and the kind.
TEST(Manifest, RejectsUnknownLineKind) {
  std::string err = errorOf(kMinimal + "frobnicate 3\n");
  EXPECT_NE(err.find("manifest line 7"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown line kind 'frobnicate'"), std::string::npos)
      << err;
}

// Each malformed line reports what is wrong with it.
TEST(Manifest, RejectsMalformedLines) {
  struct Case {
    std::string extra, expect;
  } cases[] = {
      {"param w 3x0 init=zeros\n", "malformed shape '3x0'"},
      {"param w axb init=zeros\n", "malformed shape"},
      {"param w 3\n", "missing init="},
      {"param w 3 init=kaiming\n", "unknown init kind 'kaiming'"},
      {"param w 3 init=he_normal\n", "needs positive fan_in= and fan_out="},
      {"param w 3 init=uniform a=2 b=1\n", "a <= b"},
      {"param w 3 init=constant v=abc\n", "v= expects a finite number"},
      {"param w 3 init=zeros\nparam w 4 init=zeros\n", "duplicate param 'w'"},
      {"param w 3 init=zeros oops\n", "expected key=value"},
      {"epochs many\n", "epochs expects an integer"},
      {"seed -1\n", "seed expects an unsigned integer"},
      {"data train csv label=0\n", "missing path="},
      {"data train parquet path=x\n", "unknown data format 'parquet'"},
      {"data valid csv path=x\n", "unknown data entry 'valid'"},
      {"batch 4\n", "duplicate 'batch' line"},
      {"model\n", "expected at least 2 fields"},
  };
  for (const Case &c : cases) {
    std::string err = errorOf(kMinimal + c.extra);
    EXPECT_NE(err.find(c.expect), std::string::npos)
        << "for: " << c.extra << "got: " << err;
    EXPECT_NE(err.find("manifest line"), std::string::npos) << err;
  }
  EXPECT_NE(
      errorOf("dln-manifest 1\ndtype f16\n").find("unsupported dtype 'f16'"),
      std::string::npos);
  EXPECT_NE(errorOf("dln-manifest 1\nbatch 0\n").find("batch must be positive"),
            std::string::npos);
  EXPECT_NE(
      errorOf("dln-manifest 1\nlabel y class 1\n").find("at least 2 classes"),
      std::string::npos);
  EXPECT_NE(
      errorOf("dln-manifest 1\nlabel y ordinal 3\n").find("unknown label kind"),
      std::string::npos);
}

// The header is mandatory and versioned; required lines are reported when
// absent.
TEST(Manifest, RequiresHeaderAndEssentialLines) {
  EXPECT_NE(errorOf("").find("empty"), std::string::npos);
  EXPECT_NE(errorOf("dtype f32\n").find("expected 'dln-manifest 1' header"),
            std::string::npos);
  EXPECT_NE(errorOf("dln-manifest 2\n").find("unsupported manifest version 2"),
            std::string::npos);
  EXPECT_NE(errorOf("dln-manifest 1\ndtype f32\n").find("missing 'batch' line"),
            std::string::npos);
  EXPECT_NE(
      errorOf("dln-manifest 1\ndtype f32\nbatch 2\ninput x 3\noutput p 1\n")
          .find("missing 'label' line"),
      std::string::npos);
}

TEST(Manifest, ParseShape) {
  Shape s;
  EXPECT_TRUE(parseShape("784", s));
  EXPECT_EQ(s, (Shape{784}));
  EXPECT_TRUE(parseShape("2x3x4", s));
  EXPECT_EQ(s, (Shape{2, 3, 4}));
  EXPECT_FALSE(parseShape("", s));
  EXPECT_FALSE(parseShape("2x", s));
  EXPECT_FALSE(parseShape("x2", s));
  EXPECT_FALSE(parseShape("-2", s));
  EXPECT_FALSE(parseShape("2 x3", s));
}
