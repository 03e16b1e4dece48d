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

// SGD with momentum (PyTorch's rule): v' = momentum * v + g; p' = p - lr * v'.
// CHECK-LABEL: func @momentum
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[V:.*]]: tensor<3xf64>, %[[LR:.*]]: tensor<f64>)
// CHECK: %[[MU:.*]] = arith.constant dense<9.000000e-01> : tensor<3xf64>
// CHECK: %[[MV:.*]] = dln.mul %[[V]], %[[MU]]
// CHECK: %[[NV:.*]] = dln.add %[[MV]], %[[G]]
// CHECK: %[[B:.*]] = dln.broadcast %[[LR]] [3] dims []
// CHECK: %[[STEP:.*]] = dln.mul %[[NV]], %[[B]]
// CHECK: %[[NP:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NP]], %[[NV]]
func.func @momentum(%p: tensor<3xf64>, %g: tensor<3xf64>, %v: tensor<3xf64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %0:2 = dln.sgd_momentum_update %p, %g, %v, %lr {momentum = 9.000000e-01 : f64} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1 : tensor<3xf64>, tensor<3xf64>
}
