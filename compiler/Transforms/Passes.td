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
    One pattern per update op, each PyTorch's formula (docs/language.md
    14.3) in element-wise dln ops: `dln.sgd_update %p, %g, %lr` becomes
    `%p - %g * broadcast(%lr)`, `dln.sgd_momentum_update`
    `b' = momentum * b + g; p - lr * b'`, and `dln.adam_update`,
    `dln.rmsprop_update`, `dln.rmsprop_momentum_update` and
    `dln.adagrad_update` likewise; Adam's bias corrections `1 - beta^t` are
    `1 - exp(t * log(beta))` of the step-count operand. The updates later
    fuse with the gradient computation into one pass per parameter.
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

def LowerStridedCopies : Pass<"dln-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "memref.copy between strided buffers becomes a linalg.copy";
  let description = [{
    Bufferization copies into and out of strided views (padding an image
    writes it into a window of a larger buffer). The LLVM lowering turns a
    copy of non-contiguous memrefs into a call of `memrefCopy`, a function of
    MLIR's runner library that a compiled model does not link; as a
    `linalg.copy` it becomes a loop nest instead. Contiguous copies stay
    memcpys.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ApproximateMath : Pass<"dln-approximate-math", "mlir::func::FuncOp"> {
  let summary = "f32 exp, log and tanh as vectorizable polynomials";
  let description = [{
    Replaces f32 `math.exp`, `math.log`, `math.log1p`, `math.expm1` and
    `math.tanh` by MLIR's polynomial approximations (Cephes- and
    Eigen-derived), which LLVM vectorizes, instead of one libm call per
    element. f64 keeps libm. test/Transforms/math-accuracy.test bounds their
    error in ulps against libm.
  }];
  let dependentDialects = ["mlir::math::MathDialect", "mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
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

def UnshareInitTensors : Pass<"dln-unshare-init-tensors", "mlir::func::FuncOp"> {
  let summary = "Give each destination-style op its own empty or filled init";
  let description = [{
    CSE merges identical `tensor.empty` ops and fills of them, so one value
    becomes the `outs` operand of many ops. Run just before bufferization:
    every destination-style op whose init is such a shared `tensor.empty` (or
    `linalg.fill` of one) gets a private clone, which keeps one-shot
    bufferization's alias sets small and its analysis time linear in depth.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect", "mlir::linalg::LinalgDialect"];
}

def DeallocateAfterLastUse : Pass<"dln-deallocate-after-last-use", "mlir::func::FuncOp"> {
  let summary = "Free each buffer right after its last use instead of at the end of its block";
  let description = [{
    Runs between `ownership-based-buffer-deallocation` and
    `buffer-deallocation-simplification`. A `bufferization.dealloc` with
    constant-true conditions, no retained values and only results of distinct
    `memref.alloc`s of its own block as operands (such buffers cannot alias
    each other) becomes one single-buffer dealloc per buffer, placed right
    after the last op of the block that uses the buffer or anything that can
    carry it (views, tensors made from it, pointers; a use inside a region
    counts for the op holding the region). Peak memory then follows the live temporaries instead of their
    sum, and the simplification pass no longer compares every pair of a
    straight-line train step's buffers (quadratic in model depth).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect"];
}

def OutlineLoopNests : Pass<"dln-outline-loop-nests", "mlir::ModuleOp"> {
  let summary = "Move each top-level loop nest of an entry point into its own function";
  let description = [{
    Runs on bufferized code. Every op with regions at the top level of a
    `dln.entry_point` function (a linalg op, a tiled or vectorized loop)
    becomes a call of a new private `no_inline` function holding it, with the
    outer values it uses as arguments and the constants it uses cloned in.
    LLVM's per-function analyses then see many small functions instead of one
    that grows with the model's depth, so compile time stays about linear.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def MergeDuplicateFunctions : Pass<"dln-merge-duplicate-functions", "mlir::ModuleOp"> {
  let summary = "Merge private functions whose bodies are structurally equal";
  let description = [{
    Keeps one of each set of private, defined functions that have the same
    type and the same body up to locations (compared with
    `OperationEquivalence`), and points every call of the others at it. Run
    after `dln-outline-loop-nests`: layers of one shape, and the forward pass
    repeated by several entry points, then cost LLVM one function instead of
    one per copy, so compile time follows the number of distinct layer shapes.
  }];
}

def LowerEntryPoints : Pass<"dln-lower-entry-points", "mlir::ModuleOp"> {
  let summary = "Give public tensor functions a memref destination-passing ABI";
  let description = [{
    Rewrites every public `func.func` with tensor arguments into one that
    takes memrefs: inputs are wrapped with `bufferization.to_tensor`, results
    are written with `bufferization.materialize_in_destination` into the
    argument named by their `dln.aliases_arg` attribute (updated in place) or
    into a new trailing output argument. The function gets
    `llvm.emit_c_interface`, `dln.entry_point`, and `dln.abi`: the role
    (`#dln.arg`) and access (read, write, readwrite) of every argument of the
    new signature, in order, for the entry-point table.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect"];
}

def EmitPackedEntryPoints : Pass<"dln-emit-packed-entry-points", "mlir::ModuleOp"> {
  let summary = "Export the model: `dln_<model>_<entry>(void **args)` and its table";
  let description = [{
    Runs on the LLVM dialect. For every `_mlir_ciface_<entry>` function of an
    entry point, adds an external `dln_<model>_<entry>` taking one pointer to
    an array of memref descriptor pointers, so that the runtime can call
    entry points of any arity. Then exports `dln_<model>_model`, a
    `dlnrt_model_abi` (runtime/include/dlnrt/dlnrt.h): the manifest and a
    table of (entry name, function) pairs. Symbols carry the model's name, so
    several models link into one program. Everything else becomes internal.
  }];
  let options = [
    Option<"exportDefaultModel", "export-default-model", "bool", "false",
           "Also export the table as `dlnrt_default_model`, which the "
           "executable's main() runs">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def EmitManifest : Pass<"dln-emit-manifest", "mlir::ModuleOp"> {
  let summary = "Serialize the model description into `dln_<model>_manifest`";
  let description = [{
    Turns the `dln.*` module attributes (parameters and state with their
    initializers, inputs, labels, data sources, optimizer) and the `dln.abi`
    tables of the lowered entry points into the JSON model description of
    docs/runtime.md, stored as a NUL-terminated constant
    `llvm.mlir.global @dln_<model>_manifest`. Runs after
    dln-lower-entry-points.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // DLNC_COMPILER_TRANSFORMS_PASSES
