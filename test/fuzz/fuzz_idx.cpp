//===- fuzz_idx.cpp - libFuzzer target of the IDX loader ------------------===//
//
// An input is an 8-byte control header, then an images file and a labels
// file (the last `labels length` bytes):
//   [0]    flags: 1 f64 model, 2 real labels, 4 gzip the images, 8 gzip the
//          labels (so mutations of plain IDX bytes also reach the gzip paths)
//   [1]    number of classes (class labels; at least 2)
//   [2..3] labels length, little-endian
//   [4..5] model input size, little-endian (at least 1)
//   [6]    label size (real labels)
//   [7]    scale = 1 / (1 + byte)
// loadIdx must return a dataset or throw dlnrt::Error; anything else (a crash,
// a sanitizer report, another exception, an allocation past -rss_limit_mb) is
// a bug.
//
//===----------------------------------------------------------------------===//
#include "DataSource.h"
#include "Error.h"
#include "MemFile.h"

#include <algorithm>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static MemFile imagesFile("images"), labelsFile("labels");
  if (size < 8)
    return 0;
  const uint8_t flags = data[0];
  dlnrt::DataLayout layout;
  layout.dtype = flags & 1 ? dlnrt::DType::F64 : dlnrt::DType::F32;
  layout.labelKind =
      flags & 2 ? dlnrt::LabelKind::Real : dlnrt::LabelKind::Class;
  // Layouts a manifest can describe: at least 2 classes, non-empty samples.
  layout.numClasses = std::max(2, int(data[1]));
  size_t labelsBytes = data[2] | size_t(data[3]) << 8;
  layout.inputSize = std::max(1, data[4] | int(data[5]) << 8);
  layout.labelSize = flags & 2 ? std::max(1, int(data[6])) : 1;
  const double scale = 1.0 / (1 + data[7]);
  data += 8;
  size -= 8;
  if (labelsBytes > size)
    labelsBytes = size;
  const uint8_t *images = data, *labels = data + size - labelsBytes;
  const size_t imagesBytes = size - labelsBytes;

  std::string packed;
  if (flags & 4)
    packed = gzip(images, imagesBytes);
  const std::string &imagesPath =
      flags & 4 ? imagesFile.write(packed.data(), packed.size())
                : imagesFile.write(images, imagesBytes);
  if (flags & 8)
    packed = gzip(labels, labelsBytes);
  const std::string &labelsPath =
      flags & 8 ? labelsFile.write(packed.data(), packed.size())
                : labelsFile.write(labels, labelsBytes);
  try {
    dlnrt::loadIdx(imagesPath, labelsPath, scale, layout,
                   dlnrt::defaultAllocator());
  } catch (const dlnrt::Error &) {
  }
  return 0;
}
