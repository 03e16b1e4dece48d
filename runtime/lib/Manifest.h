//===- Manifest.h - The manifest a compiled model carries -------*- C++ -*-===//
//
// dlnc embeds a line-based text manifest (dln_model_manifest) describing
// everything the runtime needs but the entry points cannot tell it: dtype,
// static batch, parameter shapes and init rules, input/label/output shapes,
// training hyper-parameters and where the data lives. Parsing is strict about
// what it knows (every error names the line) and lenient about unknown
// key=value pairs so newer compilers can add keys without breaking older
// runtimes.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_MANIFEST_H
#define DLNRT_LIB_MANIFEST_H

#include "Tensor.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlnrt {

enum class InitKind {
  Zeros,
  Ones,
  Constant,
  Uniform,
  Normal,
  FanInUniform, ///< PyTorch's nn.Linear default: U(+-1/sqrt(fan_in))
  LecunUniform, ///< U(+-sqrt(3/fan_in))
  GlorotUniform,
  GlorotNormal,
  HeUniform,
  HeNormal
};

const char *initKindName(InitKind kind);

struct InitSpec {
  InitKind kind = InitKind::Zeros;
  double value = 0;         // constant v=
  double a = 0, b = 1;      // uniform bounds
  double mean = 0, std = 1; // normal
  int64_t fanIn = 0, fanOut = 0;
};

struct ParamSpec {
  std::string name;
  Shape shape;
  InitSpec init;
};

enum class LabelKind { Class, Real };

struct LabelSpec {
  std::string name;
  LabelKind kind = LabelKind::Class;
  int64_t numClasses = 0; // class labels only
  Shape shape; // per-sample shape; {} for class labels (one int32 per sample)
};

struct DataSpec {
  std::string format; // "idx" or "csv"
  std::string images; // idx
  std::string labels; // idx
  std::string path;   // csv
  double scale = 1.0;
  int64_t labelColumn = -1; // csv; negative counts from the end
  int64_t skip = 0;         // csv header rows
};

struct Manifest {
  int version = 1;
  std::string model;
  DType dtype = DType::F32;
  int64_t batch = 0;
  int64_t epochs = 1;
  uint64_t seed = 0;
  int64_t logEvery = 0;
  std::string optimizer = "sgd";
  std::optional<double> lr;
  std::vector<ParamSpec> params;
  std::string inputName;
  Shape inputShape;
  LabelSpec label;
  std::string outputName;
  Shape outputShape;
  std::string dataDir;
  std::optional<DataSpec> train, test;

  int64_t inputSize() const { return numElements(inputShape); }
  int64_t outputSize() const { return numElements(outputShape); }
  /// Elements per sample of y: 1 for class labels.
  int64_t labelSize() const { return numElements(label.shape); }
};

/// Parses manifest text; throws Error(DLNRT_INVALID_ARGUMENT, "manifest line N:
/// ...").
Manifest parseManifest(std::string_view text);

/// Decodes %XX escapes; returns false on a malformed escape.
bool percentDecode(std::string_view text, std::string &out);

/// Parses "d0xd1x..." into dims (each > 0).
bool parseShape(std::string_view text, Shape &out);

} // namespace dlnrt

#endif // DLNRT_LIB_MANIFEST_H
