//===- Passes.td - dln transformation passes ---------------*- tablegen -*-===//
#ifndef DLNC_COMPILER_TRANSFORMS_PASSES
#define DLNC_COMPILER_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def Autodiff : Pass<"dln-autodiff", "mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of dln.value_and_grad";
  let description = [{
    For every `dln.value_and_grad @f`, builds a function `@f_vjp` that
    recomputes `f` and then propagates adjoints backwards through the
    Differentiable interface, and replaces the op with a call to it.
    Adjoints of values used several times are summed; only values that
    depend on the differentiated arguments get adjoints, and `dln` ops
    without a gradient rule (`stop_gradient`, `compare`, ...) stop them.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect"];
}

def ExpandOptimizers : Pass<"dln-expand-optimizers", "mlir::func::FuncOp"> {
  let summary = "Expand optimizer update ops into element-wise dln ops";
  let description = [{
    `dln.sgd_update %p, %g, %lr` becomes `%p - %g * broadcast(%lr)`, which later
    fuses with the gradient computation.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def FuseElementwise : Pass<"dln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse producer/consumer element-wise linalg ops";
  let description = [{
    Merges chains of element-wise `linalg.generic` ops (bias add, activation,
    activation gradient, optimizer update) into single loops, so that
    intermediate tensors are never materialized.
  }];
  let options = [
    Option<"fuseMultiUse", "fuse-multi-use", "bool", /*default=*/"false",
           "Also fuse producers that have other uses (duplicates their work)">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::affine::AffineDialect"];
}

def TileContractions : Pass<"dln-tile-contractions", "mlir::func::FuncOp"> {
  let summary = "Tile linalg contractions for cache locality";
  let description = [{
    Tiles every linalg op that has a reduction loop and two inputs (matrix
    products from dense layers and their gradients) with `scf.for` loops,
    using the TilingInterface. A tile size of 0 leaves that loop untiled,
    and so does a size that does not divide the loop's static trip count
    (or equals it): every tile keeps a static shape.
  }];
  let options = [
    ListOption<"tileSizes", "tile-sizes", "int64_t",
               "Tile sizes for the loops of each contraction, outermost first">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect"];
}

def VectorizeContractions : Pass<"dln-vectorize-contractions", "mlir::func::FuncOp"> {
  let summary = "Register-blocked SIMD kernels for bufferized matrix products";
  let description = [{
    Replaces `linalg.generic` products `C[m, n] += A[m, k] * B[k, n]` (A may
    be stored transposed) on memrefs with scf loops over blocks of `rows` x
    (`col-vectors` x lanes) accumulators held in vector registers across the
    reduction, using `vector.load`, `vector.broadcast` and `vector.fma`.
    Remainder rows and columns keep the original op on subviews.
  }];
  let options = [
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"64",
           "Bytes per vector register (64 for AVX-512, 32 for AVX2)">,
    Option<"rows", "rows", "int64_t", /*default=*/"4",
           "Rows of C per register block">,
    Option<"colVectors", "col-vectors", "int64_t", /*default=*/"2",
           "Vectors of C columns per register block">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def LowerEntryPoints : Pass<"dln-lower-entry-points", "mlir::ModuleOp"> {
  let summary = "Give public tensor functions a memref destination-passing ABI";
  let description = [{
    Rewrites every public `func.func` with tensor arguments into one that
    takes memrefs: inputs are wrapped with `bufferization.to_tensor`, results
    are written with `bufferization.materialize_in_destination` into the
    argument named by their `dln.aliases_arg` attribute (updated in place) or
    into a new trailing output argument. The function gets
    `llvm.emit_c_interface` and `dln.entry_point`.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect"];
}

def EmitPackedEntryPoints : Pass<"dln-emit-packed-entry-points", "mlir::ModuleOp"> {
  let summary = "Add `void dln_<name>(void **args)` wrappers for the runtime";
  let description = [{
    Runs on the LLVM dialect. For every `_mlir_ciface_<name>` function of an
    entry point, adds an external `dln_<name>` taking one pointer to an array
    of memref descriptor pointers, so that the runtime can call entry points of
    any arity; all other functions get internal linkage.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def EmitManifest : Pass<"dln-emit-manifest", "mlir::ModuleOp"> {
  let summary = "Serialize the model's metadata into `dln_model_manifest`";
  let description = [{
    Turns the `dln.*` module attributes (parameters and their initializers,
    input, label, data sources, optimizer and schedule) into the runtime's
    line-based manifest, stored as a NUL-terminated constant
    `llvm.mlir.global @dln_model_manifest`.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // DLNC_COMPILER_TRANSFORMS_PASSES
