//===- DatasetProbe.cpp - Compile-time facts about data files -------------===//
// Only `batch = all` needs this: the static batch is the training set size.
//===----------------------------------------------------------------------===//
#include "frontend/DatasetProbe.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <zlib.h>

#include "dialects/DLN/IR/DLNAttrs.h"
#include "dlnrt/CsvRows.h"

#include "llvm/Support/FileSystem.h"

using namespace dlnc;

namespace {
std::string resolve(llvm::StringRef path, llvm::StringRef baseDir) {
  if (llvm::sys::path::is_absolute(path) || baseDir.empty())
    return path.str();
  llvm::SmallString<256> full(baseDir);
  llvm::sys::path::append(full, path);
  return full.str().str();
}

/// Only regular files are opened: a FIFO would hang the compiler, a device
/// (/dev/zero) would be read forever, a directory reads as empty.
bool isRegularFile(const std::string &path, std::string &message) {
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(path, status)) {
    message = "cannot open '" + path + "': " + ec.message();
    return false;
  }
  if (status.type() != llvm::sys::fs::file_type::regular_file) {
    message = "'" + path + "' is not a regular file";
    return false;
  }
  return true;
}

std::optional<int64_t> countCsvRows(const std::string &path, int64_t skip,
                                    char delimiter, std::string &message) {
  if (!isRegularFile(path, message))
    return std::nullopt;
  dlnrt::CsvLineReader in(path);
  if (!in.isOpen()) {
    message = "cannot open '" + path + "'";
    return std::nullopt;
  }
  int64_t rows = 0, lineNumber = 0;
  bool sawFirstLine = false;
  std::string line;
  while (true) {
    dlnrt::CsvLineReader::Status status = in.next(line);
    if (status == dlnrt::CsvLineReader::Status::End)
      break;
    if (status != dlnrt::CsvLineReader::Status::Line) {
      message = "'" + path + "' is not a readable CSV file after line " +
                std::to_string(lineNumber);
      return std::nullopt;
    }
    if (!dlnrt::isCsvSampleLine(++lineNumber, line, skip))
      continue;
    // As the runtime: a first sample line with a non-numeric field is a
    // header (the scikit-learn CSVs start with one).
    if (!sawFirstLine && dlnrt::isCsvHeaderLine(line, delimiter)) {
      sawFirstLine = true;
      continue;
    }
    sawFirstLine = true;
    ++rows;
  }
  if (rows == 0) {
    message = "'" + path + "' holds no samples";
    return std::nullopt;
  }
  return rows;
}

/// The first dimension of an IDX file (gzip-compressed or plain).
std::optional<int64_t> idxCount(const std::string &path, std::string &message) {
  if (!isRegularFile(path, message))
    return std::nullopt;
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) {
    message = "cannot open '" + path + "'";
    return std::nullopt;
  }
  unsigned char header[8];
  int read = gzread(file, header, sizeof(header));
  gzclose(file);
  if (read != static_cast<int>(sizeof(header)) || header[0] != 0 ||
      header[1] != 0) {
    message = "'" + path + "' is not an IDX file";
    return std::nullopt;
  }
  int64_t count = (int64_t(header[4]) << 24) | (int64_t(header[5]) << 16) |
                  (int64_t(header[6]) << 8) | int64_t(header[7]);
  if (count == 0) {
    message = "'" + path + "' holds no samples";
    return std::nullopt;
  }
  return count;
}
} // namespace

std::optional<int64_t> dlnc::countSamples(mlir::Attribute source,
                                          llvm::StringRef baseDir,
                                          std::string &message) {
  if (auto csv = llvm::dyn_cast<mlir::dln::CsvSourceAttr>(source))
    return countCsvRows(resolve(csv.getPath(), baseDir), csv.getSkip(),
                        csv.getDelimiter().front(),
                        message);
  if (auto table = llvm::dyn_cast<mlir::dln::TableSourceAttr>(source))
    return static_cast<int64_t>(table.getValues().size()) /
           table.getColumns();
  if (auto split = llvm::dyn_cast<mlir::dln::SplitSourceAttr>(source)) {
    std::optional<int64_t> total =
        countSamples(split.getSource(), baseDir, message);
    if (!total)
      return std::nullopt;
    int64_t first = splitFirstPartSize(*total, split.getFraction().getValueAsDouble());
    int64_t count = split.getPart() == 0 ? first : *total - first;
    if (count == 0) {
      message = "split part " + std::to_string(split.getPart() + 1) +
                " of " + std::to_string(*total) + " samples is empty";
      return std::nullopt;
    }
    return count;
  }
  auto idx = llvm::cast<mlir::dln::IdxSourceAttr>(source);
  return idxCount(resolve(idx.getLabels(), baseDir), message);
}

int64_t dlnc::splitFirstPartSize(int64_t total, double fraction) {
  // scikit-learn's train_size: the first part is rounded down.
  auto first = static_cast<int64_t>(std::floor(fraction * double(total)));
  return std::clamp<int64_t>(first, 0, total);
}
