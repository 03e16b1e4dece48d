//===- fuzz_csv.cpp - libFuzzer target of the CSV loader ------------------===//
//
// An input is a 6-byte control header, then the CSV text:
//   [0] flags: 1 f64 model, 2 real labels, 4 gzip the text
//   [1] model input size, 1 + byte % 16
//   [2] label column, a signed byte (negative counts from the end)
//   [3] header rows to skip, byte % 4
//   [4] number of classes (class labels; at least 2)
//   [5] scale: 1 / (1 + byte), or 1e30 for 255 (values past f32's range)
// loadCsv must return a dataset or throw dlnrt::Error.
//
//===----------------------------------------------------------------------===//
#include "DataSource.h"
#include "Error.h"
#include "MemFile.h"

#include <algorithm>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static MemFile csvFile("csv");
  if (size < 6)
    return 0;
  dlnrt::DataLayout layout;
  layout.dtype = data[0] & 1 ? dlnrt::DType::F64 : dlnrt::DType::F32;
  layout.labelKind =
      data[0] & 2 ? dlnrt::LabelKind::Real : dlnrt::LabelKind::Class;
  layout.inputSize = 1 + data[1] % 16;
  layout.numClasses = std::max(2, int(data[4]));
  dlnrt::DataSpec spec;
  spec.format = "csv";
  spec.labelColumn = static_cast<int8_t>(data[2]);
  spec.skip = data[3] % 4;
  spec.scale = data[5] == 255 ? 1e30 : 1.0 / (1 + data[5]);
  // A label column named by the header, and other delimiters.
  if (data[0] & 8)
    spec.labelName = "y";
  if (data[0] & 16)
    spec.delimiter = data[0] & 32 ? ';' : '\t';
  std::string packed;
  if (data[0] & 4)
    packed = gzip(data + 6, size - 6);
  const std::string &path = data[0] & 4
                                ? csvFile.write(packed.data(), packed.size())
                                : csvFile.write(data + 6, size - 6);
  try {
    dlnrt::loadCsv(path, spec, layout, dlnrt::defaultAllocator());
  } catch (const dlnrt::Error &) {
  }
  return 0;
}
