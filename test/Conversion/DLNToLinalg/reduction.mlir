// RUN: dlnc-opt %s -convert-dln-to-linalg -mlir-print-local-scope | FileCheck %s

// Summing axis 0 keeps the contiguous dimension innermost.
// CHECK-LABEL: func @reduce_sum
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<10xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: outs(%[[Z]] : tensor<10xf32>)
// CHECK: arith.addf
func.func @reduce_sum(%a: tensor<64x10xf32>) -> tensor<10xf32> {
  %0 = dln.reduce_sum %a [0] : tensor<64x10xf32> -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// A full reduction accumulates into a 0-d tensor.
// CHECK-LABEL: func @reduce_all
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<f64>)
func.func @reduce_all(%a: tensor<2x3x4xf64>) -> tensor<f64> {
  %0 = dln.reduce_sum %a [0, 1, 2] : tensor<2x3x4xf64> -> tensor<f64>
  return %0 : tensor<f64>
}

// The maximum starts from -inf.
// CHECK-LABEL: func @reduce_max
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
func.func @reduce_max(%a: tensor<64x10xf32>) -> tensor<64xf32> {
  %0 = dln.reduce_max %a [1] : tensor<64x10xf32> -> tensor<64xf32>
  return %0 : tensor<64xf32>
}
