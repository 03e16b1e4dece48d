// RUN: dlnc-opt %s -dln-autodiff -split-input-file -verify-diagnostics | FileCheck %s

// The adjoint of dense -> sigmoid -> mse -> mean: the recomputed forward pass,
// then each op's rule in reverse order.
func.func private @loss(%w: tensor<2x1xf32>, %b: tensor<1xf32>, %x: tensor<4x2xf32>, %t: tensor<4x1xf32>) -> tensor<f32> {
  %0 = dln.dense %x, %w, %b : tensor<4x2xf32>, tensor<2x1xf32>, tensor<1xf32> -> tensor<4x1xf32>
  %1 = dln.sigmoid %0 : tensor<4x1xf32> -> tensor<4x1xf32>
  %2 = dln.mse %1, %t : tensor<4x1xf32>, tensor<4x1xf32> -> tensor<4xf32>
  %3 = dln.mean %2 : tensor<4xf32> -> tensor<f32>
  return %3 : tensor<f32>
}

func.func @train(%w: tensor<2x1xf32>, %b: tensor<1xf32>, %x: tensor<4x2xf32>, %t: tensor<4x1xf32>) -> (tensor<f32>, tensor<2x1xf32>, tensor<1xf32>) {
  %l, %gw, %gb = dln.value_and_grad @loss(%w, %b, %x, %t) {wrt = array<i64: 0, 1>} : (tensor<2x1xf32>, tensor<1xf32>, tensor<4x2xf32>, tensor<4x1xf32>) -> (tensor<f32>, tensor<2x1xf32>, tensor<1xf32>)
  return %l, %gw, %gb : tensor<f32>, tensor<2x1xf32>, tensor<1xf32>
}

// CHECK-LABEL: func private @loss_vjp_0_1
// CHECK-SAME: -> (tensor<f32>, tensor<2x1xf32>, tensor<1xf32>)
// CHECK: %[[Z:.*]] = dln.dense %[[X:.*]], %[[W:.*]], %{{.*}}
// CHECK: %[[Y:.*]] = dln.sigmoid %[[Z]]
// CHECK: %[[L:.*]] = dln.mse %[[Y]]
// CHECK: %[[M:.*]] = dln.mean %[[L]]
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[B:.*]] = dln.broadcast %[[ONE]] : tensor<f32> -> tensor<4xf32>
// CHECK: %[[DL:.*]] = dln.scale %[[B]]
// CHECK: %[[DY:.*]] = dln.mse_grad %[[Y]], %{{.*}}, %[[DL]]
// CHECK: %[[DZ:.*]] = dln.sigmoid_grad %[[Y]], %[[DY]]
// CHECK: dln.matmul %[[DZ]], %[[W]] {transpose_rhs}
// CHECK: %[[DW:.*]] = dln.matmul %[[X]], %[[DZ]] {transpose_lhs}
// CHECK: %[[DB:.*]] = dln.reduce_sum %[[DZ]] {axis = 0 : i64}
// CHECK: return %[[M]], %[[DW]], %[[DB]]

// CHECK-LABEL: func @train
// CHECK: %[[R:.*]]:3 = call @loss_vjp_0_1(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2

// -----

// A value used twice receives the sum of both adjoints.
func.func private @square(%w: tensor<3xf32>) -> tensor<f32> {
  %0 = dln.mul %w, %w : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %1 = dln.mean %0 : tensor<3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
// CHECK-LABEL: func private @square_vjp_0
// CHECK: %[[D:.*]] = dln.scale
// CHECK: %[[A:.*]] = dln.mul %[[D]], %arg0
// CHECK: %[[B:.*]] = dln.mul %[[D]], %arg0
// CHECK: %[[S:.*]] = dln.add %[[A]], %[[B]]
// CHECK: return %{{.*}}, %[[S]]
func.func @grad_square(%w: tensor<3xf32>) -> tensor<3xf32> {
  %l, %g = dln.value_and_grad @square(%w) {wrt = array<i64: 0>} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// Parameters the value does not depend on get a zero gradient.
func.func private @ignores_b(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<f32> {
  %0 = dln.mean %a : tensor<2xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
// CHECK-LABEL: func private @ignores_b_vjp_0_1
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: return %{{.*}}, %{{.*}}, %[[ZERO]]
func.func @grad_ignores(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %l, %ga, %gb = dln.value_and_grad @ignores_b(%a, %b) {wrt = array<i64: 0, 1>} : (tensor<2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>)
  return %gb : tensor<2xf32>
}

// -----

// Ops without a gradient rule are reported.
func.func private @not_differentiable(%a: tensor<2xf32>) -> tensor<f32> {
  // expected-error @+1 {{'dln.sigmoid_grad' is not differentiable}}
  %0 = dln.sigmoid_grad %a, %a : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  %1 = dln.mean %0 : tensor<2xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
func.func @grad_fails(%a: tensor<2xf32>) -> tensor<2xf32> {
  %l, %g = dln.value_and_grad @not_differentiable(%a) {wrt = array<i64: 0>} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %g : tensor<2xf32>
}
