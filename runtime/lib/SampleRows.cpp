//===- SampleRows.cpp - Numeric rows to samples ---------------------------===//
#include "SampleRows.h"

#include "Error.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace dlnrt {

std::string quotedCell(std::string_view cell) {
  constexpr size_t kShown = 40;
  if (cell.size() <= kShown)
    return "'" + std::string(cell) + "'";
  return "'" + std::string(cell.substr(0, kShown)) + "...' (" +
         std::to_string(cell.size()) + " characters)";
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

SampleRows::SampleRows(std::string source, const DataLayout &layout,
                       int64_t labelColumn, double scale)
    : source_(std::move(source)), layout_(layout), labelSpec_(labelColumn),
      scale_(scale) {
  if (layout.hasLabel && layout.labelKind == LabelKind::Real &&
      layout.labelSize != 1)
    fail(DLNRT_INVALID_ARGUMENT,
         source_ + ": rows hold one label column, the model's label has " +
             std::to_string(layout.labelSize) + " elements");
}

void SampleRows::add(const std::string &where,
                     const std::vector<double> &values,
                     const std::vector<std::string_view> *cells) {
  const int64_t expectedColumns = layout_.inputSize + layout_.hasLabel;
  const int64_t ncols = static_cast<int64_t>(values.size());
  if (ncols != expectedColumns)
    fail(DLNRT_DATA_ERROR,
         where + "expected " + std::to_string(expectedColumns) + " columns (" +
             std::to_string(layout_.inputSize) + " features" +
             (layout_.hasLabel ? " + 1 label" : "") + "), got " +
             std::to_string(ncols));
  const int64_t labelColumn =
      !layout_.hasLabel ? -1
      : labelSpec_ < 0  ? ncols + labelSpec_
                        : labelSpec_;
  if (layout_.hasLabel && (labelColumn < 0 || labelColumn >= ncols))
    fail(DLNRT_INVALID_ARGUMENT,
         source_ + ": label column " + std::to_string(labelSpec_) +
             " is outside the " + std::to_string(ncols) + " columns");
  for (int64_t c = 0; c < ncols; ++c) {
    const double v = values[c];
    auto cell = [&] {
      return cells ? quotedCell((*cells)[c]) : fmt::format("'{}'", v);
    };
    const std::string column = std::to_string(c + 1);
    if (!std::isfinite(v))
      fail(DLNRT_DATA_ERROR,
           where + "non-finite value " + cell() + " in column " + column);
    if (layout_.labelKind == LabelKind::Class && c == labelColumn) {
      if (v != std::floor(v) || v < 0 ||
          v >= static_cast<double>(layout_.numClasses))
        fail(DLNRT_DATA_ERROR, where + "class label " + cell() +
                                   " is not an integer in [0, " +
                                   std::to_string(layout_.numClasses) + ")");
      labels_.push_back(v);
      continue;
    }
    // Checked after scaling, in the model dtype: 1e39 is a fine double but
    // would silently become inf in an f32 model.
    const double stored = c == labelColumn ? v : v * scale_;
    if (!fitsDType(stored, layout_.dtype))
      fail(DLNRT_DATA_ERROR,
           where + "value " + cell() + " in column " + column +
               (c != labelColumn && scale_ != 1 ? " (times scale)" : "") +
               " does not fit " + dtypeName(layout_.dtype));
    (c == labelColumn ? labels_ : features_).push_back(stored);
  }
  ++rows_;
}

Dataset SampleRows::finish(const dlnrt_allocator &allocator) const {
  Dataset ds;
  ds.source = source_;
  ds.count = rows_;
  ds.x = Tensor(layout_.dtype, {rows_, layout_.inputSize}, allocator);
  for (size_t i = 0; i < features_.size(); ++i)
    ds.x.set(static_cast<int64_t>(i), features_[i]);
  if (!layout_.hasLabel)
    return ds;
  if (layout_.labelKind == LabelKind::Class)
    ds.y = Tensor(DType::I32, {rows_}, allocator);
  else
    ds.y = Tensor(layout_.dtype, {rows_, 1}, allocator);
  for (size_t i = 0; i < labels_.size(); ++i)
    ds.y.set(static_cast<int64_t>(i), labels_[i]);
  return ds;
}

} // namespace dlnrt
