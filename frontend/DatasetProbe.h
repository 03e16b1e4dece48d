//===- DatasetProbe.h - Compile-time facts about data files -----*- C++ -*-===//
#ifndef DLNC_FRONTEND_DATASETPROBE_H
#define DLNC_FRONTEND_DATASETPROBE_H

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>
#include <string>

namespace dlnc {

/// Counts the samples of a csv/idx/table/split data source (a `dln.data` entry), with
/// relative paths resolved against `baseDir`. Sets `message` on failure.
std::optional<int64_t> countSamples(mlir::Attribute source,
                                    llvm::StringRef baseDir,
                                    std::string &message);

/// The sample count of part 0 of `split(source, fraction)` over `total`
/// samples (the runtime splits the same way).
int64_t splitFirstPartSize(int64_t total, double fraction);

} // namespace dlnc

#endif // DLNC_FRONTEND_DATASETPROBE_H
