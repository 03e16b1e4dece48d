// RUN: dlnc-opt %s -convert-dln-to-linalg | FileCheck %s

// dense: the bias is broadcast into the output, then the product accumulates
// in loop order (m, k, n) so the innermost loop walks rows of W.
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[KN:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @dense
// CHECK: %[[B:.*]] = linalg.generic {indexing_maps = [#[[BIAS]], #{{.*}}]{{.*}} ins(%{{.*}} : tensor<10xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[MK]], #[[KN]], #[[MN]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: outs(%[[B]] : tensor<64x10xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @dense(%x: tensor<64x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>) -> tensor<64x10xf32> {
  %0 = dln.dense %x, %w, %b : tensor<64x784xf32>, tensor<784x10xf32>, tensor<10xf32> -> tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}

// A^T B (weight gradient): loop order (k, m, n), k reduced outermost.
// CHECK-LABEL: func @matmul_transpose_lhs
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[KM:.*]], #[[KN2:.*]], #[[MN2:.*]]], iterator_types = ["reduction", "parallel", "parallel"]}
func.func @matmul_transpose_lhs(%x: tensor<64x784xf32>, %dy: tensor<64x10xf32>) -> tensor<784x10xf32> {
  %0 = dln.matmul %x, %dy {transpose_lhs} : tensor<64x784xf32>, tensor<64x10xf32> -> tensor<784x10xf32>
  return %0 : tensor<784x10xf32>
}

// A B^T (input gradient): loop order (m, n, k), a dot product innermost.
// CHECK-LABEL: func @matmul_transpose_rhs
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
func.func @matmul_transpose_rhs(%dy: tensor<64x10xf32>, %w: tensor<784x10xf32>) -> tensor<64x784xf32> {
  %0 = dln.matmul %dy, %w {transpose_rhs} : tensor<64x10xf32>, tensor<784x10xf32> -> tensor<64x784xf32>
  return %0 : tensor<64x784xf32>
}
