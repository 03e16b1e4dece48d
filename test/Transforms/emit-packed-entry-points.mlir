// RUN: dlnc-opt %s -dln-emit-packed-entry-points | FileCheck %s

// Each C-interface wrapper gets a `dln_<name>(ptr)` that loads descriptor
// pointers from an array; everything else with a body becomes internal.
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

// CHECK-LABEL: llvm.func @dln_step(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_step(%[[D0]], %[[D1]])
