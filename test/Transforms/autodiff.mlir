// RUN: dlnc-opt %s -dln-autodiff -split-input-file -verify-diagnostics | FileCheck %s

// The adjoint of matmul -> sigmoid -> squared error -> mean: the recomputed
// forward pass, then each primitive's rule in reverse order.
func.func private @loss(%w: tensor<2x1xf32>, %x: tensor<4x2xf32>, %t: tensor<4x1xf32>) -> tensor<f32> {
  %0 = dln.matmul %x, %w : tensor<4x2xf32>, tensor<2x1xf32> -> tensor<4x1xf32>
  %1 = dln.sigmoid %0 : tensor<4x1xf32>
  %2 = dln.sub %1, %t : tensor<4x1xf32>
  %3 = dln.mul %2, %2 : tensor<4x1xf32>
  %4 = dln.reduce_sum %3 [0, 1] : tensor<4x1xf32> -> tensor<f32>
  return %4 : tensor<f32>
}

func.func @train(%w: tensor<2x1xf32>, %x: tensor<4x2xf32>, %t: tensor<4x1xf32>) -> (tensor<f32>, tensor<2x1xf32>) {
  %l, %gw = dln.value_and_grad @loss(%w, %x, %t) {wrt = array<i64: 0>} : (tensor<2x1xf32>, tensor<4x2xf32>, tensor<4x1xf32>) -> (tensor<f32>, tensor<2x1xf32>)
  return %l, %gw : tensor<f32>, tensor<2x1xf32>
}

// CHECK-LABEL: func private @loss_vjp_0
// CHECK-SAME: -> (tensor<f32>, tensor<2x1xf32>)
// CHECK: %[[Z:.*]] = dln.matmul %[[X:.*]], %[[W:.*]] :
// CHECK: %[[Y:.*]] = dln.sigmoid %[[Z]]
// CHECK: %[[D:.*]] = dln.sub %[[Y]]
// CHECK: %[[S:.*]] = dln.reduce_sum
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DSQ:.*]] = dln.broadcast %[[ONE]] [4, 1] dims []
// CHECK: %[[DD1:.*]] = dln.mul %[[DSQ]], %[[D]]
// CHECK: %[[DD2:.*]] = dln.mul %[[DSQ]], %[[D]]
// CHECK: %[[DD:.*]] = dln.add %[[DD1]], %[[DD2]]
// The target is not differentiated: no adjoint for it.
// CHECK-NOT: dln.neg
// CHECK: dln.sub %{{.*}}, %[[Y]]
// CHECK: %[[DZ:.*]] = dln.mul %[[DD]], %{{.*}}
// CHECK: %[[DW:.*]] = dln.matmul %[[X]], %[[DZ]] {transpose_lhs}
// CHECK: return %[[S]], %[[DW]]

// CHECK-LABEL: func @train
// CHECK: %[[R:.*]]:2 = call @loss_vjp_0(%{{.*}}, %{{.*}}, %{{.*}})
// CHECK: return %[[R]]#0, %[[R]]#1

// -----

// Parameters the value does not depend on get a zero gradient.
func.func private @ignores_b(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<f32> {
  %0 = dln.reduce_sum %a [0] : tensor<2xf32> -> tensor<f32>
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

// stop_gradient cuts the path: only the direct use of %a is differentiated.
func.func private @stopped(%a: tensor<3xf32>) -> tensor<f32> {
  %0 = dln.stop_gradient %a : tensor<3xf32>
  %1 = dln.mul %a, %0 : tensor<3xf32>
  %2 = dln.reduce_sum %1 [0] : tensor<3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
// CHECK-LABEL: func private @stopped_vjp_0
// CHECK: %[[C:.*]] = dln.stop_gradient %arg0
// CHECK: %[[B:.*]] = dln.broadcast
// CHECK: %[[G:.*]] = dln.mul %[[B]], %[[C]]
// CHECK-NOT: dln.add
// CHECK: return %{{.*}}, %[[G]]
func.func @grad_stopped(%a: tensor<3xf32>) -> tensor<3xf32> {
  %l, %g = dln.value_and_grad @stopped(%a) {wrt = array<i64: 0>} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// Ops of other dialects on active values are reported.
func.func private @not_differentiable(%a: tensor<2xf32>) -> tensor<f32> {
  // expected-error @+1 {{'tensor.extract_slice' is not differentiable}}
  %0 = tensor.extract_slice %a[0] [1] [1] : tensor<2xf32> to tensor<1xf32>
  %1 = dln.reduce_sum %0 [0] : tensor<1xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
func.func @grad_fails(%a: tensor<2xf32>) -> tensor<2xf32> {
  %l, %g = dln.value_and_grad @not_differentiable(%a) {wrt = array<i64: 0>} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %g : tensor<2xf32>
}

// -----

// Auxiliary results (a batch statistic) come back after the value, before
// the gradients, and are not differentiated.
func.func private @loss_aux(%w: tensor<3xf32>, %x: tensor<4x3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %b = dln.broadcast %w [4, 3] dims [1] : tensor<3xf32> -> tensor<4x3xf32>
  %y = dln.mul %x, %b : tensor<4x3xf32>
  %m = dln.reduce_sum %y [0] : tensor<4x3xf32> -> tensor<3xf32>
  %s = dln.reduce_sum %m [0] : tensor<3xf32> -> tensor<f32>
  return %s, %m : tensor<f32>, tensor<3xf32>
}

func.func @train_aux(%w: tensor<3xf32>, %x: tensor<4x3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>) {
  %l, %m, %gw = dln.value_and_grad @loss_aux(%w, %x) {wrt = array<i64: 0>} : (tensor<3xf32>, tensor<4x3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return %l, %m, %gw : tensor<f32>, tensor<3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func private @loss_aux_vjp_0
// CHECK-SAME: -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: %[[M:.*]] = dln.reduce_sum %{{.*}} [0] : tensor<4x3xf32> -> tensor<3xf32>
// CHECK: %[[S:.*]] = dln.reduce_sum %[[M]] [0]
// CHECK: %[[DW:.*]] = dln.reduce_sum %{{.*}} [0] : tensor<4x3xf32> -> tensor<3xf32>
// CHECK: return %[[S]], %[[M]], %[[DW]]

// CHECK-LABEL: func @train_aux
// CHECK: %[[R:.*]]:3 = call @loss_aux_vjp_0
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2

// -----

// A scan's adjoint is a scan the other way: the forward scan also stacks
// each step's incoming carry; the adjoint step seeds the new carry with the
// carried adjoint plus the step output's adjoint, and carries the sum of the
// captured weight's adjoints over the steps. What the rules read of the step
// (tanh's result) comes from the forward scan's stacked output instead of a
// recomputation: the backward loop holds no forward product.
func.func private @scan_loss(%w: tensor<3x3xf32>, %xs: tensor<2x4x3xf32>, %h0: tensor<2x3xf32>) -> tensor<f32> {
  %h, %hs = dln.scan init(%h0 : tensor<2x3xf32>) over(%xs : tensor<2x4x3xf32>) -> (tensor<2x3xf32>, tensor<2x4x3xf32>) {
  ^bb0(%hp: tensor<2x3xf32>, %x: tensor<2x3xf32>):
    %m = dln.matmul %hp, %w : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x3xf32>
    %s = dln.add %m, %x : tensor<2x3xf32>
    %n = dln.tanh %s : tensor<2x3xf32>
    dln.yield %n, %n : tensor<2x3xf32>, tensor<2x3xf32>
  }
  %r = dln.reduce_sum %hs [0, 1, 2] : tensor<2x4x3xf32> -> tensor<f32>
  return %r : tensor<f32>
}

func.func @scan_train(%w: tensor<3x3xf32>, %xs: tensor<2x4x3xf32>, %h0: tensor<2x3xf32>) -> (tensor<f32>, tensor<3x3xf32>) {
  %l, %gw = dln.value_and_grad @scan_loss(%w, %xs, %h0) {wrt = array<i64: 0>} : (tensor<3x3xf32>, tensor<2x4x3xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<3x3xf32>)
  return %l, %gw : tensor<f32>, tensor<3x3xf32>
}

// CHECK-LABEL: func private @scan_loss_vjp_0
// CHECK-SAME: (%[[W:.*]]: tensor<3x3xf32>, %[[XS:.*]]: tensor<2x4x3xf32>, %[[H0:.*]]: tensor<2x3xf32>)
// CHECK: %[[FWD:.*]]:3 = dln.scan init(%[[H0]] : tensor<2x3xf32>) over(%[[XS]] : tensor<2x4x3xf32>) -> (tensor<2x3xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>)
// CHECK: ^bb0(%[[HP:.*]]: tensor<2x3xf32>, %{{.*}}: tensor<2x3xf32>):
// CHECK: dln.yield %[[N:.*]], %[[N]], %[[HP]]
// CHECK: %[[SEED:.*]] = dln.broadcast %{{.*}} [2, 4, 3] dims []
// CHECK: %[[ZW:.*]] = arith.constant dense<0.000000e+00> : tensor<3x3xf32>
// CHECK: %[[BWD:.*]]:2 = dln.scan reverse init(%{{.*}}, %[[ZW]] : tensor<2x3xf32>, tensor<3x3xf32>) over(%[[FWD]]#2, %[[XS]], %[[SEED]], %[[FWD]]#1 : tensor<2x4x3xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>) -> (tensor<2x3xf32>, tensor<3x3xf32>)
// CHECK: ^bb0(%[[DH:.*]]: tensor<2x3xf32>, %[[DW:.*]]: tensor<3x3xf32>, %[[SAVED:.*]]: tensor<2x3xf32>, %{{.*}}: tensor<2x3xf32>, %[[DY:.*]]: tensor<2x3xf32>, %[[T:.*]]: tensor<2x3xf32>):
// CHECK-NOT: dln.tanh
// CHECK: %[[DN:.*]] = dln.add %[[DH]], %[[DY]]
// CHECK: dln.mul %[[T]], %[[T]]
// CHECK: %[[DHP:.*]] = dln.matmul %{{.*}}, %[[W]] {transpose_rhs}
// CHECK: %[[STEPDW:.*]] = dln.matmul %[[SAVED]], %{{.*}} {transpose_lhs}
// CHECK: %[[SUMDW:.*]] = dln.add %[[DW]], %[[STEPDW]]
// CHECK: dln.yield %[[DHP]], %[[SUMDW]] : tensor<2x3xf32>, tensor<3x3xf32>
// CHECK: return %{{.*}}, %[[BWD]]#1
