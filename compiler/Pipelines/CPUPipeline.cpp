//===- CPUPipeline.cpp - The host CPU compilation pipeline ----------------===//
#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Conversion/Passes.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {
/// Appends an upstream textual pipeline; upstream pass names are stable and
/// this keeps the option spelling identical to mlir-opt's.
void addUpstream(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error(llvm::Twine("invalid pipeline: ") + pipeline);
}
} // namespace

void dln::buildDLNToLinalgPipeline(OpPassManager &pm,
                                   const PipelineOptions &options) {
  // Canonical forms first: autodiff then differentiates `last(hs)` of a
  // scan as its final carry, not as a slice of every step.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createAutodiff());
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  pm.addNestedPass<func::FuncOp>(createExpandOptimizers());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createConvertDLNToLinalg());
  pm.addPass(createCanonicalizerPass());
  if (options.optLevel > 0) {
    pm.addNestedPass<func::FuncOp>(createFuseElementwise());
    pm.addPass(createCSEPass());
    TileContractionsOptions tiling;
    tiling.tileSizes.assign(options.contractionTileSizes.begin(),
                            options.contractionTileSizes.end());
    pm.addNestedPass<func::FuncOp>(createTileContractions(tiling));
    pm.addPass(createCanonicalizerPass());
  }
}

void dln::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                    const PipelineOptions &options) {
  pm.addPass(createLowerEntryPoints());
  pm.addPass(createEmitManifest());
  pm.addNestedPass<func::FuncOp>(createUnshareInitTensors());
  // buffer-deallocation-pipeline, with each buffer freed after its last use
  // rather than at the end of its block.
  addUpstream(pm, "eliminate-empty-tensors,one-shot-bufferize,"
                  "func.func(buffer-hoisting,buffer-loop-hoisting),"
                  "expand-realloc{emit-deallocs=false},canonicalize,"
                  "ownership-based-buffer-deallocation,canonicalize");
  pm.addNestedPass<func::FuncOp>(createDeallocateAfterLastUse());
  addUpstream(pm, "buffer-deallocation-simplification,"
                  "bufferization-lower-deallocations,"
                  "cse,canonicalize,canonicalize");
  if (options.optLevel > 0) {
    VectorizeContractionsOptions vectorize;
    vectorize.vectorBytes = options.vectorBytes;
    pm.addNestedPass<func::FuncOp>(createVectorizeContractions(vectorize));
  }
  pm.addNestedPass<func::FuncOp>(createLowerStridedCopies());
  pm.addPass(createOutlineLoopNests());
  pm.addPass(createMergeDuplicateFunctions());
  if (options.optLevel > 0)
    pm.addNestedPass<func::FuncOp>(createApproximateMath());
  // Buffers are allocated through libdlnrt's _mlir_memref_to_llvm_alloc
  // and _free (use-generic-functions), which reuse freed blocks
  // (runtime/lib/ModelMemory.cpp).
  addUpstream(pm, "func.func(convert-linalg-to-loops),lower-affine,"
                  "convert-scf-to-cf,canonicalize,convert-vector-to-llvm,"
                  "expand-strided-metadata,lower-affine,"
                  "finalize-memref-to-llvm{use-generic-functions},"
                  "convert-math-to-llvm,"
                  "convert-math-to-libm,convert-arith-to-llvm,"
                  "convert-index-to-llvm,convert-func-to-llvm,"
                  "convert-cf-to-llvm,reconcile-unrealized-casts");
  EmitPackedEntryPointsOptions packing;
  packing.exportDefaultModel = options.exportDefaultModel;
  pm.addPass(createEmitPackedEntryPoints(packing));
  pm.addPass(createCanonicalizerPass());
}

void dln::registerPipelines() {
  PassPipelineRegistration<>("dln-to-linalg-pipeline",
                             "Lower dln to linalg on tensors (-O2)",
                             [](OpPassManager &pm) {
                               buildDLNToLinalgPipeline(pm, PipelineOptions());
                             });
  PassPipelineRegistration<>("dln-cpu-pipeline",
                             "Lower dln to the LLVM dialect for the host CPU",
                             [](OpPassManager &pm) {
                               PipelineOptions options;
                               buildDLNToLinalgPipeline(pm, options);
                               buildLinalgToLLVMPipeline(pm, options);
                             });
}
