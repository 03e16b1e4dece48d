//===- Sanitizers.h - Models under dlnc's own sanitizers --------*- C++ -*-===//
//
// A dlnc built with DLNC_SANITIZE (docs/testing.md) compiles models that are
// checked the same way: their code is instrumented by AddressSanitizer and
// they link, with the compiler that built it, against the build's
// instrumented libdlnrt. A normal build changes nothing.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_COMPILER_TARGET_SANITIZERS_H
#define DLNC_COMPILER_TARGET_SANITIZERS_H

#include "mlir/Support/LLVM.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <string>
#include <vector>

namespace mlir::dln {

/// The sanitizers dlnc was built with ("address,undefined"); empty normally.
StringRef buildSanitizers();

/// Instruments an optimized model with AddressSanitizer when the build uses
/// it (UBSan checks C/C++ semantics and has nothing to check in model code).
void instrumentForSanitizers(llvm::Module &module,
                             llvm::TargetMachine &machine);

/// How to link a model with this build's runtime: `c++` normally; the
/// compiler that built the sanitized runtime, with its `-fsanitize=` flag.
struct LinkDriver {
  std::string program;
  std::vector<std::string> flags;
};
LinkDriver runtimeLinkDriver();

} // namespace mlir::dln

#endif // DLNC_COMPILER_TARGET_SANITIZERS_H
