//===- TableLoader.cpp - Data rows written into the manifest --------------===//
//
// A `table` source holds its samples inline (small data sets written in the
// program). Its rows load exactly as a CSV file's lines would, through the
// same SampleRows checks; only the location in errors differs.
//
//===----------------------------------------------------------------------===//
#include "DataSource.h"

#include "SampleRows.h"

namespace dlnrt {

Dataset loadTable(const DataSpec &spec, const DataLayout &layout,
                  const dlnrt_allocator &allocator) {
  SampleRows samples("data: table", layout, spec.labelColumn, spec.scale);
  const size_t columns = static_cast<size_t>(spec.columns);
  std::vector<double> values;
  for (size_t first = 0; first + columns <= spec.rows.size();
       first += columns) {
    values.assign(spec.rows.begin() + first,
                  spec.rows.begin() + first + columns);
    samples.add("data: table row " + std::to_string(first / columns + 1) + ": ",
                values);
  }
  return samples.finish(allocator);
}

} // namespace dlnrt
