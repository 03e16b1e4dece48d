//===- SampleRows.h - Numeric rows to samples -------------------*- C++ -*-===//
//
// A CSV file's lines and a manifest table's rows become samples by one rule:
// one column is the label, the others are the features, in order. This class
// applies it row by row with the checks and messages both share (column
// count, label column, integral in-range class labels, values that fit the
// model dtype), so the two sources can never drift apart.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_SAMPLEROWS_H
#define DLNRT_LIB_SAMPLEROWS_H

#include "DataSource.h"

#include <string>
#include <string_view>
#include <vector>

namespace dlnrt {

class SampleRows {
public:
  /// `source` names the data in errors that concern no row in particular.
  SampleRows(std::string source, const DataLayout &layout, int64_t labelColumn,
             double scale);

  /// Adds one row of `values`; errors start with `where` ("file.csv:3: ",
  /// "data: table row 3: ") and quote `cells[c]` when given (the text as
  /// read), else the number.
  void add(const std::string &where, const std::vector<double> &values,
           const std::vector<std::string_view> *cells = nullptr);

  int64_t count() const { return rows_; }
  /// The samples added so far as a Dataset named `source`.
  Dataset finish(const dlnrt_allocator &allocator) const;

private:
  std::string source_;
  DataLayout layout_;
  int64_t labelSpec_;
  double scale_;
  int64_t rows_ = 0;
  std::vector<double> features_, labels_;
};

/// A cell as error messages quote it: at most 40 characters of it (a 50 MB
/// cell must not be echoed whole).
std::string quotedCell(std::string_view cell);

} // namespace dlnrt

#endif // DLNRT_LIB_SAMPLEROWS_H
