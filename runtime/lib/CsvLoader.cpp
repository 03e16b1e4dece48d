//===- CsvLoader.cpp - Numeric CSV data sets ------------------------------===//
//
// Small tabular data (XOR, regression toys): every row is numbers separated by
// commas, one column is the label. Rows are buffered as doubles and then
// converted in one go, since the row count is unknown until the end of the
// file.
//
//===----------------------------------------------------------------------===//
#include "DataSource.h"
#include "dlnrt/CsvRows.h"

#include "Error.h"
#include "NumberParse.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

namespace dlnrt {

static std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

/// A cell as error messages quote it: at most 40 characters of it (a 50 MB
/// cell must not be echoed whole).
static std::string quotedCell(std::string_view cell) {
  constexpr size_t kShown = 40;
  if (cell.size() <= kShown)
    return "'" + std::string(cell) + "'";
  return "'" + std::string(cell.substr(0, kShown)) + "...' (" +
         std::to_string(cell.size()) + " characters)";
}

/// Whether `cell` is a decimal number too large for any double (parseDouble
/// rejects those like junk; the user deserves to hear which it was).
static bool isOverflowingNumber(std::string_view text) {
  if (text.empty())
    return false;
  const std::string cell(text);
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size() && errno == ERANGE && std::isinf(v);
}

/// Whether `v` is finite and within the range of `dtype` (tiny values just
/// round towards zero, as any conversion does; converting past FLT_MAX would
/// be undefined, not merely inf).
static bool fitsDType(double v, DType dtype) {
  if (!std::isfinite(v))
    return false;
  return dtype != DType::F32 ||
         std::fabs(v) <= std::numeric_limits<float>::max();
}

Dataset loadCsv(const std::string &path, const DataSpec &spec,
                const DataLayout &layout, const dlnrt_allocator &allocator) {
  errno = 0;
  CsvLineReader in(path);
  if (!in.isOpen())
    fail(DLNRT_IO_ERROR, path + ": cannot open CSV file: " +
                             std::strerror(errno ? errno : EIO));
  if (layout.labelKind == LabelKind::Real && layout.labelSize != 1)
    fail(DLNRT_INVALID_ARGUMENT,
         path + ": CSV supports one label column, the model's label has " +
             std::to_string(layout.labelSize) + " elements");

  const int64_t expectedColumns = layout.inputSize + 1;
  std::vector<double> features, labels;
  std::string line;
  int64_t lineNo = 0, rows = 0, labelColumn = 0;
  while (true) {
    CsvLineReader::Status status = in.next(line);
    if (status == CsvLineReader::Status::End)
      break;
    ++lineNo;
    if (status == CsvLineReader::Status::TooLong)
      fail(DLNRT_DATA_ERROR,
           path + ":" + std::to_string(lineNo) + ": line longer than " +
               std::to_string(kMaxCsvLineBytes >> 20) +
               " MiB: not a CSV file");
    if (status == CsvLineReader::Status::Error)
      fail(DLNRT_DATA_ERROR, path + ": corrupt or truncated data after line " +
                                 std::to_string(lineNo - 1) + ": " +
                                 in.errorMessage());
    if (!isCsvSampleLine(lineNo, line, spec.skip))
      continue;
    std::string_view row = trim(line);
    auto where = [&] { return path + ":" + std::to_string(lineNo) + ": "; };

    std::vector<std::string_view> cells;
    size_t start = 0;
    while (true) {
      size_t comma = row.find(',', start);
      cells.push_back(trim(row.substr(
          start, comma == std::string_view::npos ? comma : comma - start)));
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
    int64_t ncols = static_cast<int64_t>(cells.size());
    if (ncols != expectedColumns)
      fail(DLNRT_DATA_ERROR,
           where() + "expected " + std::to_string(expectedColumns) +
               " columns (" + std::to_string(layout.inputSize) +
               " features + 1 label), got " + std::to_string(ncols));
    labelColumn =
        spec.labelColumn < 0 ? ncols + spec.labelColumn : spec.labelColumn;
    if (labelColumn < 0 || labelColumn >= ncols)
      fail(DLNRT_INVALID_ARGUMENT,
           path + ": label column " + std::to_string(spec.labelColumn) +
               " is outside the " + std::to_string(ncols) + " columns");

    for (int64_t c = 0; c < ncols; ++c) {
      const std::string cell = quotedCell(cells[c]),
                        column = std::to_string(c + 1);
      double v;
      if (!parseDouble(cells[c], v)) {
        if (!isOverflowingNumber(cells[c]))
          fail(DLNRT_DATA_ERROR,
               where() + "non-numeric cell " + cell + " in column " + column);
        fail(DLNRT_DATA_ERROR, where() + "value " + cell + " in column " +
                                   column + " does not fit " +
                                   dtypeName(layout.dtype));
      }
      if (!std::isfinite(v))
        fail(DLNRT_DATA_ERROR,
             where() + "non-finite value " + cell + " in column " + column);
      if (layout.labelKind == LabelKind::Class && c == labelColumn) {
        if (v != std::floor(v) || v < 0 ||
            v >= static_cast<double>(layout.numClasses))
          fail(DLNRT_DATA_ERROR, where() + "class label " + cell +
                                     " is not an integer in [0, " +
                                     std::to_string(layout.numClasses) + ")");
        labels.push_back(v);
        continue;
      }
      // Checked after scaling, in the model dtype: 1e39 is a fine double but
      // would silently become inf in an f32 model.
      const double stored = c == labelColumn ? v : v * spec.scale;
      if (!fitsDType(stored, layout.dtype))
        fail(DLNRT_DATA_ERROR,
             where() + "value " + cell + " in column " + column +
                 (c != labelColumn && spec.scale != 1 ? " (times scale)" : "") +
                 " does not fit " + dtypeName(layout.dtype));
      (c == labelColumn ? labels : features).push_back(stored);
    }
    ++rows;
  }
  if (rows == 0)
    fail(DLNRT_DATA_ERROR, path + ": no data rows");

  Dataset ds;
  ds.source = path;
  ds.count = rows;
  ds.x = Tensor(layout.dtype, {rows, layout.inputSize}, allocator);
  for (size_t i = 0; i < features.size(); ++i)
    ds.x.set(static_cast<int64_t>(i), features[i]);
  if (layout.labelKind == LabelKind::Class)
    ds.y = Tensor(DType::I32, {rows}, allocator);
  else
    ds.y = Tensor(layout.dtype, {rows, 1}, allocator);
  for (size_t i = 0; i < labels.size(); ++i)
    ds.y.set(static_cast<int64_t>(i), labels[i]);
  return ds;
}

} // namespace dlnrt
