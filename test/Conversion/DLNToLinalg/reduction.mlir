// RUN: dlnc-opt %s -convert-dln-to-linalg | FileCheck %s

// Summing axis 0 keeps the contiguous dimension innermost.
// CHECK-LABEL: func @reduce_sum
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
func.func @reduce_sum(%a: tensor<64x10xf32>) -> tensor<10xf32> {
  %0 = dln.reduce_sum %a {axis = 0 : i64} : tensor<64x10xf32> -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// The mean accumulates pre-scaled elements into a 0-d tensor.
// CHECK-LABEL: func @mean
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]{{.*}} outs(%{{.*}} : tensor<f32>)
// CHECK: arith.constant 1.562500e-02 : f32
func.func @mean(%a: tensor<64xf32>) -> tensor<f32> {
  %0 = dln.mean %a : tensor<64xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// Softmax: row max, row sum of exp(x - max), then the normalized exponent.
// CHECK-LABEL: func @softmax
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%a: tensor<8x10xf32>) -> tensor<8x10xf32> {
  %0 = dln.softmax %a : tensor<8x10xf32> -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// softmax_grad: y * (dy - sum(dy * y)).
// CHECK-LABEL: func @softmax_grad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @softmax_grad(%y: tensor<8x10xf32>, %dy: tensor<8x10xf32>) -> tensor<8x10xf32> {
  %0 = dln.softmax_grad %y, %dy : tensor<8x10xf32>, tensor<8x10xf32> -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}
