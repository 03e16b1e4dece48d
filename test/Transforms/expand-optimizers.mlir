// RUN: dlnc-opt %s -pass-pipeline='builtin.module(func.func(dln-expand-optimizers))' | FileCheck %s

// An SGD step becomes param - grad * broadcast(lr).
// CHECK-LABEL: func @sgd
// CHECK-SAME: (%[[P:.*]]: tensor<4x3xf32>, %[[G:.*]]: tensor<4x3xf32>, %[[LR:.*]]: tensor<f32>)
// CHECK: %[[B:.*]] = dln.broadcast %[[LR]] [4, 3] dims [] : tensor<f32> -> tensor<4x3xf32>
// CHECK: %[[STEP:.*]] = dln.mul %[[G]], %[[B]] : tensor<4x3xf32>
// CHECK: %[[NEW:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK-NOT: dln.sgd_update
// CHECK: return %[[NEW]]
func.func @sgd(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %lr: tensor<f32>) -> tensor<4x3xf32> {
  %0 = dln.sgd_update %p, %g, %lr : tensor<4x3xf32>, tensor<f32>
  return %0 : tensor<4x3xf32>
}
