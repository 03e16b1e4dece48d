//===- DataSource.h - Loading train/test splits into memory -----*- C++ -*-===//
//
// A split is loaded once into a Dataset in the model dtype, validated against
// the manifest's input/label shapes so the train loop can copy rows blindly.
// Loaders throw one-line errors that name the file (and line, for CSV).
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_DATASOURCE_H
#define DLNRT_LIB_DATASOURCE_H

#include "Manifest.h"
#include "Tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace dlnrt {

/// What a split must look like, derived from the manifest.
struct DataLayout {
  DType dtype = DType::F32;
  int64_t inputSize = 0;
  LabelKind labelKind = LabelKind::Class;
  int64_t numClasses = 0; // class labels
  int64_t labelSize = 1;  // elements per sample of y
  /// Rows without a label column (`predict` input): y stays empty.
  bool hasLabel = true;
};

DataLayout dataLayout(const Manifest &m);

/// An in-memory split: x is [count, inputSize] in the model dtype; y is [count]
/// int32 for class labels or [count, labelSize] in the model dtype for real
/// labels.
struct Dataset {
  std::string source;
  int64_t count = 0;
  Tensor x;
  Tensor y;
};

/// Relative paths resolve against cliDataDir when non-empty, else
/// manifestDataDir when non-empty, else the current directory; absolute paths
/// are kept.
std::string resolveDataPath(const std::string &path,
                            const std::string &cliDataDir,
                            const std::string &manifestDataDir);

/// CSV: numeric rows, `spec.labelColumn` holds the label, the rest are features
/// times scale.
Dataset loadCsv(const std::string &path, const DataSpec &spec,
                const DataLayout &layout, const dlnrt_allocator &allocator);

/// Table: the manifest's own rows, as a CSV file's lines would load; errors
/// are located as "data: table row N: ".
Dataset loadTable(const DataSpec &spec, const DataLayout &layout,
                  const dlnrt_allocator &allocator);

/// IDX (plain or gzip): uint8 images flattened and scaled, uint8 labels.
Dataset loadIdx(const std::string &imagesPath, const std::string &labelsPath,
                double scale, const DataLayout &layout,
                const dlnrt_allocator &allocator);

/// The resolved paths of the files a split reads (one CSV, IDX images and
/// labels, none for a table, a split's source's), for checking that no output
/// overwrites them.
std::vector<std::string> splitFiles(const Manifest &m, const DataSpec &spec,
                                    const std::string &cliDataDir);

/// Loads one split described by the manifest, without data.transforms;
/// `role` ("data.train") names it in the errors of a split source.
Dataset loadSplit(const Manifest &m, const DataSpec &spec,
                  const std::string &cliDataDir,
                  const dlnrt_allocator &allocator,
                  const std::string &role = "data");

/// The splits a command works on, with data.transforms applied.
struct Splits {
  std::optional<Dataset> train, test;
};

/// Loads data.train when `wantTrain`, data.test when `wantTest` and the
/// manifest has one, and data.train anyway when a transform takes its
/// statistics from it (standardize), then applies data.transforms to all.
Splits loadSplits(const Manifest &m, bool wantTrain, bool wantTest,
                  const std::string &cliDataDir,
                  const dlnrt_allocator &allocator);

} // namespace dlnrt

#endif // DLNRT_LIB_DATASOURCE_H
