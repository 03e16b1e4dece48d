// RUN: dlnc-opt %s -convert-dln-to-linalg -mlir-print-local-scope | FileCheck %s

// A 2-D product is a linalg.matmul accumulating into zeros.
// CHECK-LABEL: func @matmul
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<64x784xf32>, tensor<784x10xf32>) outs(%[[Z]] : tensor<64x10xf32>)
func.func @matmul(%x: tensor<64x784xf32>, %w: tensor<784x10xf32>) -> tensor<64x10xf32> {
  %0 = dln.matmul %x, %w : tensor<64x784xf32>, tensor<784x10xf32> -> tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}

// A^T B (weight gradient): indexing maps read A transposed.
// CHECK-LABEL: func @matmul_transpose_lhs
// CHECK: linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
func.func @matmul_transpose_lhs(%x: tensor<64x784xf32>, %dy: tensor<64x10xf32>) -> tensor<784x10xf32> {
  %0 = dln.matmul %x, %dy {transpose_lhs} : tensor<64x784xf32>, tensor<64x10xf32> -> tensor<784x10xf32>
  return %0 : tensor<784x10xf32>
}

// A B^T (input gradient).
// CHECK-LABEL: func @matmul_transpose_rhs
// CHECK: linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
func.func @matmul_transpose_rhs(%dy: tensor<64x10xf32>, %w: tensor<784x10xf32>) -> tensor<64x784xf32> {
  %0 = dln.matmul %dy, %w {transpose_rhs} : tensor<64x10xf32>, tensor<784x10xf32> -> tensor<64x784xf32>
  return %0 : tensor<64x784xf32>
}

// A batched product is a linalg.batch_matmul.
// CHECK-LABEL: func @batched
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x4x5xf32>)
func.func @batched(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = dln.matmul %a, %b : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// Two batch dimensions and a transpose: a generic with one reduction loop.
// CHECK-LABEL: func @batched_rank4
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batched_rank4(%a: tensor<2x2x4x3xf32>, %b: tensor<2x2x4x5xf32>) -> tensor<2x2x3x5xf32> {
  %0 = dln.matmul %a, %b {transpose_lhs} : tensor<2x2x4x3xf32>, tensor<2x2x4x5xf32> -> tensor<2x2x3x5xf32>
  return %0 : tensor<2x2x3x5xf32>
}
