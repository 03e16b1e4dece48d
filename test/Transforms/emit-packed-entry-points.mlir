// RUN: dlnc-opt %s -split-input-file -verify-diagnostics -dln-emit-packed-entry-points | FileCheck %s
// RUN: dlnc-opt %s -split-input-file -verify-diagnostics -dln-emit-packed-entry-points=export-default-model | FileCheck %s --check-prefix=EXE

// Each C-interface wrapper gets a `dln_<model>_<name>(ptr)` that loads
// descriptor pointers from an array; everything else with a body becomes
// internal. The model table `dln_<model>_model` holds the manifest and the
// (name, function) pairs, laid out as dlnrt_model_abi.
module @tiny {
// CHECK-LABEL: llvm.func internal @step(
llvm.func @step(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
  llvm.return
}
// CHECK-LABEL: llvm.func internal @_mlir_ciface_step(
llvm.func @_mlir_ciface_step(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
  llvm.call @step(%arg0, %arg1) : (!llvm.ptr, !llvm.ptr) -> ()
  llvm.return
}
// External declarations keep their linkage.
// CHECK: llvm.func @malloc(i64) -> !llvm.ptr
llvm.func @malloc(i64) -> !llvm.ptr
llvm.mlir.global external constant @dln_tiny_manifest("{}\00")

// CHECK-LABEL: llvm.func @dln_tiny_step(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_step(%[[D0]], %[[D1]])
// CHECK: llvm.mlir.global private constant @dln_tiny_name_step("step\00")
// CHECK: llvm.mlir.global internal constant @dln_tiny_entry_points() {{.*}} : !llvm.array<1 x struct<(ptr, ptr)>>
// CHECK: llvm.mlir.addressof @dln_tiny_name_step
// CHECK: llvm.mlir.addressof @dln_tiny_step
// CHECK: llvm.mlir.global external constant @dln_tiny_model() {{.*}} : !llvm.struct<(ptr, i64, ptr)>
// CHECK: llvm.mlir.addressof @dln_tiny_manifest
// CHECK: llvm.mlir.constant(1 : i64)
// CHECK: llvm.mlir.addressof @dln_tiny_entry_points
// CHECK-NOT: dlnrt_default_model
// An executable's object also exports the table as its default model.
// EXE: llvm.mlir.global external constant @dlnrt_default_model()
}

// -----

// The manifest must exist.
// expected-error @+1 {{no 'dln_bare_manifest' global: run dln-emit-manifest first}}
module @bare {
}
