// RUN: dlnc-opt %s -convert-dln-to-linalg | FileCheck %s

// mse: a row reduction of squared differences scaled by 1/n.
// CHECK-LABEL: func @mse
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<8xf32>)
// CHECK: arith.constant 2.500000e-01 : f32
func.func @mse(%p: tensor<8x4xf32>, %t: tensor<8x4xf32>) -> tensor<8xf32> {
  %0 = dln.mse %p, %t : tensor<8x4xf32>, tensor<8x4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// mse_grad: 2 (p - t) / n * g, with g broadcast along rows.
// CHECK-LABEL: func @mse_grad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.constant 5.000000e-01 : f32
func.func @mse_grad(%p: tensor<8x4xf32>, %t: tensor<8x4xf32>, %g: tensor<8xf32>) -> tensor<8x4xf32> {
  %0 = dln.mse_grad %p, %t, %g : tensor<8x4xf32>, tensor<8x4xf32>, tensor<8xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// cross_entropy: log-sum-exp minus the logit picked by the label, found by
// comparing the column index with the label.
// CHECK-LABEL: func @cross_entropy
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.index 1
// CHECK: arith.index_cast %{{.*}} : i32 to index
// CHECK: arith.cmpi eq
// CHECK: math.log
func.func @cross_entropy(%z: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<8xf32> {
  %0 = dln.cross_entropy %z, %y : tensor<8x10xf32>, tensor<8xi32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// cross_entropy_grad: (softmax(z) - onehot(y)) * g.
// CHECK-LABEL: func @cross_entropy_grad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @cross_entropy_grad(%z: tensor<8x10xf32>, %y: tensor<8xi32>, %g: tensor<8xf32>) -> tensor<8x10xf32> {
  %0 = dln.cross_entropy_grad %z, %y, %g : tensor<8x10xf32>, tensor<8xi32>, tensor<8xf32> -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}
