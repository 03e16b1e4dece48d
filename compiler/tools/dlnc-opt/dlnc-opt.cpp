//===- dlnc-opt.cpp - mlir-opt with the dln dialect and passes ------------===//
// Registers only what dlnc's pipelines use (no registerAllDialects).
//===----------------------------------------------------------------------===//
#include "compiler/Pipelines/DialectRegistration.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::dln::registerCompilerDialects(registry);
  mlir::dln::registerCompilerPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dlnc optimizer driver\n", registry));
}
