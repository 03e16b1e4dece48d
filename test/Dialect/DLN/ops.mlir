// RUN: dlnc-opt %s | dlnc-opt | FileCheck %s
// RUN: dlnc-opt %s --mlir-print-op-generic | dlnc-opt | FileCheck %s

// Element-wise ops and activations round-trip, ranked or unranked.
// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<*xf32> {
  // CHECK: dln.add %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %0 = dln.add %a, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  // CHECK: dln.sub
  %1 = dln.sub %0, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  // CHECK: dln.mul
  %2 = dln.mul %1, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  // CHECK: dln.scale %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xf32>
  %3 = dln.scale %2, %s : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xf32>
  // CHECK: dln.sigmoid %{{.*}} : tensor<4x8xf32> -> tensor<*xf32>
  %4 = dln.sigmoid %3 : tensor<4x8xf32> -> tensor<*xf32>
  // CHECK: dln.tanh
  %5 = dln.tanh %4 : tensor<*xf32> -> tensor<*xf32>
  // CHECK: dln.relu
  %6 = dln.relu %5 : tensor<*xf32> -> tensor<*xf32>
  // CHECK: dln.softmax
  %7 = dln.softmax %6 : tensor<*xf32> -> tensor<*xf32>
  return %7 : tensor<*xf32>
}

// Backward ops of the activations.
// CHECK-LABEL: func @activation_grads
func.func @activation_grads(%y: tensor<4x8xf32>, %dy: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: dln.sigmoid_grad
  %0 = dln.sigmoid_grad %y, %dy : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  // CHECK: dln.tanh_grad
  %1 = dln.tanh_grad %y, %0 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  // CHECK: dln.relu_grad
  %2 = dln.relu_grad %y, %1 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  // CHECK: dln.softmax_grad
  %3 = dln.softmax_grad %y, %2 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %3 : tensor<4x8xf32>
}

// Contractions, reductions and losses.
// CHECK-LABEL: func @contractions_and_losses
func.func @contractions_and_losses(%x: tensor<64x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>,
                                   %y: tensor<64xi32>, %t: tensor<64x10xf32>) -> tensor<f32> {
  // CHECK: dln.dense %{{.*}}, %{{.*}}, %{{.*}} : tensor<64x784xf32>, tensor<784x10xf32>, tensor<10xf32> -> tensor<64x10xf32>
  %z = dln.dense %x, %w, %b : tensor<64x784xf32>, tensor<784x10xf32>, tensor<10xf32> -> tensor<64x10xf32>
  // CHECK: dln.matmul %{{.*}}, %{{.*}} {transpose_lhs} : tensor<64x784xf32>, tensor<64x10xf32> -> tensor<784x10xf32>
  %dw = dln.matmul %x, %z {transpose_lhs} : tensor<64x784xf32>, tensor<64x10xf32> -> tensor<784x10xf32>
  // CHECK: dln.reduce_sum %{{.*}} {axis = 0 : i64} : tensor<64x10xf32> -> tensor<10xf32>
  %db = dln.reduce_sum %z {axis = 0 : i64} : tensor<64x10xf32> -> tensor<10xf32>
  // CHECK: dln.cross_entropy %{{.*}}, %{{.*}} {num_classes = 10 : i64}
  %ce = dln.cross_entropy %z, %y {num_classes = 10 : i64} : tensor<64x10xf32>, tensor<64xi32> -> tensor<64xf32>
  // CHECK: dln.cross_entropy_grad
  %dce = dln.cross_entropy_grad %z, %y, %ce : tensor<64x10xf32>, tensor<64xi32>, tensor<64xf32> -> tensor<64x10xf32>
  // CHECK: dln.mse
  %mse = dln.mse %z, %t : tensor<64x10xf32>, tensor<64x10xf32> -> tensor<64xf32>
  // CHECK: dln.mse_grad
  %dmse = dln.mse_grad %z, %t, %mse : tensor<64x10xf32>, tensor<64x10xf32>, tensor<64xf32> -> tensor<64x10xf32>
  // CHECK: dln.mean %{{.*}} : tensor<64xf32> -> tensor<f32>
  %m = dln.mean %ce : tensor<64xf32> -> tensor<f32>
  // CHECK: dln.broadcast %{{.*}} : tensor<f32> -> tensor<64xf32>
  %bc = dln.broadcast %m : tensor<f32> -> tensor<64xf32>
  return %m : tensor<f32>
}

// Training ops: value_and_grad names its callee; sgd_update is one step.
func.func private @loss(%w: tensor<2x1xf32>, %x: tensor<4x2xf32>) -> tensor<f32>
// CHECK-LABEL: func @training
func.func @training(%w: tensor<2x1xf32>, %x: tensor<4x2xf32>, %lr: tensor<f32>) -> tensor<2x1xf32> {
  // CHECK: dln.value_and_grad @loss(%{{.*}}, %{{.*}}) {wrt = array<i64: 0>}
  %l, %g = dln.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>} : (tensor<2x1xf32>, tensor<4x2xf32>) -> (tensor<f32>, tensor<2x1xf32>)
  // CHECK: dln.sgd_update %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x1xf32>, tensor<f32>
  %w1 = dln.sgd_update %w, %g, %lr : tensor<2x1xf32>, tensor<f32>
  return %w1 : tensor<2x1xf32>
}
