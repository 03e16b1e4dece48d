// RUN: dlnc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(dln-lower-strided-copies))' | FileCheck %s

// A copy into a window of a larger buffer (an image written into its
// padding) becomes a loop nest: the LLVM lowering would call memrefCopy.
// CHECK-LABEL: func @into_window
// CHECK: linalg.copy ins(%{{.*}} : memref<4x4xf32>) outs(%{{.*}} : memref<4x4xf32, strided<[6, 1], offset: 7>>)
// CHECK-NOT: memref.copy
func.func @into_window(%src: memref<4x4xf32>, %dst: memref<6x6xf32>) {
  %w = memref.subview %dst[1, 1] [4, 4] [1, 1] : memref<6x6xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  memref.copy %src, %w : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  return
}

// -----

// Contiguous copies stay memref.copy, a memcpy.
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy
func.func @contiguous(%src: memref<?x8xf32>, %dst: memref<?x8xf32>) {
  memref.copy %src, %dst : memref<?x8xf32> to memref<?x8xf32>
  return
}
