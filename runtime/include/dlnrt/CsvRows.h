/*===- CsvRows.h - Which CSV lines are samples (C++) ----------------------===*
 *
 * One rule, shared by the compiler (which counts the training set for
 * `batch = all`) and the runtime's CSV loader, so they always agree on the
 * sample count: the first `skip` lines are headers whatever they hold; after
 * them every line holding a character other than space, tab or CR is one
 * sample.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DLNRT_CSVROWS_H
#define DLNRT_CSVROWS_H

#include <cstdint>
#include <string_view>

namespace dlnrt {

/// `lineNumber` counts from 1.
inline bool isCsvSampleLine(int64_t lineNumber, std::string_view line,
                            int64_t skip) {
  return lineNumber > skip &&
         line.find_first_not_of(" \t\r") != std::string_view::npos;
}

} // namespace dlnrt

#endif // DLNRT_CSVROWS_H
