//===- ObjectEmitter.h - LLVM dialect to LLVM IR and object code -*- C++
//-*-===//
#ifndef DLNC_COMPILER_TARGET_OBJECTEMITTER_H
#define DLNC_COMPILER_TARGET_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace mlir::dln {

/// A TargetMachine for the host CPU (its name and features, so the vectorizer
/// may use AVX-512 where present). Position-independent code.
FailureOr<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel);

/// Bytes of the host's widest useful SIMD register (64 with AVX-512F, 32
/// with AVX2, else 16).
int64_t hostVectorBytes();

/// Translates the LLVM-dialect module to LLVM IR and runs LLVM's optimizer
/// at `optLevel` (0-3). Errors are emitted on the module.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &machine,
                                                   unsigned optLevel);

/// Writes `llvmModule` as an object file to `path` (atomically), instrumented
/// first when dlnc is built with sanitizers (Sanitizers.h).
LogicalResult writeObjectFile(llvm::Module &llvmModule,
                              llvm::TargetMachine &machine, StringRef path);

} // namespace mlir::dln

#endif // DLNC_COMPILER_TARGET_OBJECTEMITTER_H
