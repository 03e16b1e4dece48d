//===- Linker.h - Link a model object with the runtime ----------*- C++ -*-===//
#ifndef DLNC_COMPILER_TARGET_LINKER_H
#define DLNC_COMPILER_TARGET_LINKER_H

#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::dln {

/// Links `objectPath` with libdlnrt into the executable `outputPath`, using
/// the system C++ compiler driver. `argv0` locates an installed runtime
/// (`<bin>/../lib`); `DLNC_RUNTIME_DIR` overrides it.
LogicalResult linkExecutable(StringRef objectPath, StringRef outputPath,
                             const char *argv0);

} // namespace mlir::dln

#endif // DLNC_COMPILER_TARGET_LINKER_H
