//===- Pipelines.h - dlnc compilation pipelines -----------------*- C++ -*-===//
// Shared by `dlnc` and `dlnc-opt` (as named pipelines), so lit tests and the
// driver exercise the same pass sequence.
//===----------------------------------------------------------------------===//
#ifndef DLNC_COMPILER_PIPELINES_PIPELINES_H
#define DLNC_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include <vector>

namespace mlir::dln {

struct PipelineOptions {
  /// 0 disables fusion and tiling; LLVM's optimizer runs at this level too.
  unsigned optLevel = 2;
  /// Tile sizes of dln-tile-contractions (loop order of ContractionPatterns):
  /// 32-row blocks of the outermost loop bound the working set for large
  /// batches. Measured on the Fashion-MNIST MLP (batch 64, AVX2): neutral
  /// against no tiling; tiling the middle loop by 64 was 35% slower, as it
  /// reloads the register-blocked accumulators once per tile.
  std::vector<int64_t> contractionTileSizes = {32, 0, 0};
  /// SIMD register width for dln-vectorize-contractions (64 = AVX-512).
  int64_t vectorBytes = 64;
  /// Also export the model as `dlnrt_default_model`, the one libdlnrt_main's
  /// main() runs: for executables, not for objects meant for embedding.
  bool exportDefaultModel = false;
};

/// dln (as produced by MLIRGen) -> linalg on tensors, gradients included.
void buildDLNToLinalgPipeline(OpPassManager &pm,
                              const PipelineOptions &options);

/// linalg on tensors -> LLVM dialect with the runtime's packed entry points.
void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const PipelineOptions &options);

/// Registers `dln-to-linalg-pipeline` and `dln-cpu-pipeline` for dlnc-opt.
void registerPipelines();

} // namespace mlir::dln

#endif // DLNC_COMPILER_PIPELINES_PIPELINES_H
