//===- CsvLoader.cpp - Numeric CSV data sets ------------------------------===//
//
// Small tabular data (XOR, regression toys): every row is numbers separated by
// commas, one column is the label; the first line may be a header
// (dlnrt/CsvRows.h). SampleRows buffers the rows as doubles and converts them
// in one go, since the row count is unknown until the end of the file.
//
//===----------------------------------------------------------------------===//
#include "DataSource.h"
#include "dlnrt/CsvRows.h"

#include "Error.h"
#include "NumberParse.h"
#include "SampleRows.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
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

/// The index of the header field `spec.labelName`; errors start with
/// `where`, the header line's location.
static int64_t labelColumnNamed(const std::string &where, const DataSpec &spec,
                                bool header,
                                const std::vector<std::string_view> &cells) {
  if (!header)
    fail(DLNRT_DATA_ERROR, where + "the label column is named '" +
                               spec.labelName +
                               "', but the file has no header line");
  std::string names;
  for (size_t c = 0; c < cells.size(); ++c) {
    std::string_view name = cells[c];
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    if (name == spec.labelName)
      return static_cast<int64_t>(c);
    names += (names.empty() ? "" : ", ") + quotedCell(name);
  }
  fail(DLNRT_DATA_ERROR, where + "no column named '" + spec.labelName +
                             "' in the header (" + names + ")");
}

Dataset loadCsv(const std::string &path, const DataSpec &spec,
                const DataLayout &layout, const dlnrt_allocator &allocator) {
  errno = 0;
  CsvLineReader in(path);
  if (!in.isOpen())
    fail(DLNRT_IO_ERROR, path + ": cannot open CSV file: " +
                             std::strerror(errno ? errno : EIO));

  // The label column: by index, or by its name in the header line, which
  // must then come before the first sample.
  std::optional<SampleRows> samples;
  if (spec.labelName.empty())
    samples.emplace(path, layout, spec.labelColumn, spec.scale);
  std::string line;
  std::vector<std::string_view> cells;
  std::vector<double> values;
  int64_t lineNo = 0;
  bool firstSampleLine = true;
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
    const std::string where = path + ":" + std::to_string(lineNo) + ": ";
    cells.clear();
    size_t start = 0;
    while (true) {
      size_t comma = row.find(spec.delimiter, start);
      cells.push_back(trim(row.substr(
          start, comma == std::string_view::npos ? comma : comma - start)));
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
    if (firstSampleLine) {
      firstSampleLine = false;
      const bool header = isCsvHeaderLine(line, spec.delimiter);
      if (!spec.labelName.empty())
        samples.emplace(path, layout, labelColumnNamed(where, spec, header, cells),
                        spec.scale);
      if (header)
        continue;
    }
    // SampleRows checks the column count first; cells of a row with the
    // wrong count are not parsed.
    values.assign(cells.size(), 0.0);
    if (static_cast<int64_t>(cells.size()) ==
        layout.inputSize + layout.hasLabel)
      for (size_t c = 0; c < cells.size(); ++c) {
        if (parseDouble(cells[c], values[c]))
          continue;
        const std::string column = std::to_string(c + 1);
        if (!isOverflowingNumber(cells[c]))
          fail(DLNRT_DATA_ERROR, where + "non-numeric cell " +
                                     quotedCell(cells[c]) + " in column " +
                                     column);
        fail(DLNRT_DATA_ERROR, where + "value " + quotedCell(cells[c]) +
                                   " in column " + column + " does not fit " +
                                   dtypeName(layout.dtype));
      }
    samples->add(where, values, &cells);
  }
  if (!samples || samples->count() == 0)
    fail(DLNRT_DATA_ERROR, path + ": no data rows");
  return samples->finish(allocator);
}

} // namespace dlnrt
