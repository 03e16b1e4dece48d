//===- DialectRegistration.h - What the dlnc tools register -----*- C++ -*-===//
#ifndef DLNC_COMPILER_PIPELINES_DIALECTREGISTRATION_H
#define DLNC_COMPILER_PIPELINES_DIALECTREGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::dln {

/// The dialects and external interface models the pipelines need.
void registerCompilerDialects(DialectRegistry &registry);

/// dln passes, named pipelines and the upstream passes they use by name.
void registerCompilerPasses();

} // namespace mlir::dln

#endif // DLNC_COMPILER_PIPELINES_DIALECTREGISTRATION_H
