// RUN: dlnc-opt %s -dln-shape-inference -split-input-file -verify-diagnostics | FileCheck %s

// Shapes flow from the arguments through every op and into the signature.
// CHECK-LABEL: func @mlp
// CHECK-SAME: -> (tensor<f32>, tensor<8x3xf32>)
func.func @mlp(%x: tensor<8x5xf32>, %w1: tensor<5x4xf32>, %b1: tensor<4xf32>,
               %w2: tensor<4x3xf32>, %b2: tensor<3xf32>, %y: tensor<8xi32>) -> (tensor<f32>, tensor<*xf32>) {
  // CHECK: dln.dense {{.*}} -> tensor<8x4xf32>
  %0 = dln.dense %x, %w1, %b1 : tensor<8x5xf32>, tensor<5x4xf32>, tensor<4xf32> -> tensor<*xf32>
  // CHECK: dln.relu {{.*}} : tensor<8x4xf32> -> tensor<8x4xf32>
  %1 = dln.relu %0 : tensor<*xf32> -> tensor<*xf32>
  // CHECK: dln.dense {{.*}} -> tensor<8x3xf32>
  %2 = dln.dense %1, %w2, %b2 : tensor<*xf32>, tensor<4x3xf32>, tensor<3xf32> -> tensor<*xf32>
  // CHECK: dln.cross_entropy {{.*}} -> tensor<8xf32>
  %3 = dln.cross_entropy %2, %y {num_classes = 3 : i64} : tensor<*xf32>, tensor<8xi32> -> tensor<*xf32>
  // CHECK: dln.mean {{.*}} : tensor<8xf32> -> tensor<f32>
  %4 = dln.mean %3 : tensor<*xf32> -> tensor<f32>
  return %4, %2 : tensor<f32>, tensor<*xf32>
}

// -----

// Element-wise ops and matmul transposes.
// CHECK-LABEL: func @elementwise_and_matmul
func.func @elementwise_and_matmul(%a: tensor<6x2xf32>, %b: tensor<6x3xf32>) -> tensor<*xf32> {
  // CHECK: dln.matmul {{.*}} {transpose_lhs} {{.*}} -> tensor<2x3xf32>
  %0 = dln.matmul %a, %b {transpose_lhs} : tensor<6x2xf32>, tensor<6x3xf32> -> tensor<*xf32>
  // CHECK: dln.sigmoid {{.*}} -> tensor<2x3xf32>
  %1 = dln.sigmoid %0 : tensor<*xf32> -> tensor<*xf32>
  // CHECK: dln.add {{.*}} -> tensor<2x3xf32>
  %2 = dln.add %1, %0 : tensor<*xf32>, tensor<*xf32> -> tensor<*xf32>
  // CHECK: dln.reduce_sum {{.*}} -> tensor<3xf32>
  %3 = dln.reduce_sum %2 {axis = 0 : i64} : tensor<*xf32> -> tensor<*xf32>
  return %3 : tensor<*xf32>
}

// -----

// A dense layer applied to the wrong number of features is a located error.
func.func @dense_mismatch(%x: tensor<8x100xf32>, %w: tensor<784x4xf32>, %b: tensor<4xf32>) -> tensor<*xf32> {
  %h = dln.relu %x : tensor<8x100xf32> -> tensor<*xf32>
  // expected-error @+1 {{dense layer expects 784 input features but got 100}}
  %0 = dln.dense %h, %w, %b : tensor<*xf32>, tensor<784x4xf32>, tensor<4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// cross_entropy checks the class count against the logits.
func.func @classes_mismatch(%z: tensor<8x3xf32>, %y: tensor<8xi32>) -> tensor<*xf32> {
  // expected-error @+1 {{cross_entropy: the label has 10 classes but the logits have 3 columns}}
  %0 = dln.cross_entropy %z, %y {num_classes = 10 : i64} : tensor<8x3xf32>, tensor<8xi32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Element-wise operands must match once known.
func.func @mse_mismatch(%p: tensor<8x3xf32>, %t: tensor<8x2xf32>) -> tensor<*xf32> {
  %s = dln.sigmoid %p : tensor<8x3xf32> -> tensor<*xf32>
  // expected-error @+1 {{mse: prediction has shape 'tensor<8x3xf32>' but the target has shape 'tensor<8x2xf32>'}}
  %0 = dln.mse %s, %t : tensor<*xf32>, tensor<8x2xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
