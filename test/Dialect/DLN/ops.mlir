// RUN: dlnc-opt %s | dlnc-opt | FileCheck %s
// Round trip of every dln op through its declarative assembly format.

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: dln.add %{{.*}}, %{{.*}} : tensor<4x8xf32>
  %0 = dln.add %a, %b : tensor<4x8xf32>
  // CHECK: dln.sub
  %1 = dln.sub %0, %b : tensor<4x8xf32>
  // CHECK: dln.mul
  %2 = dln.mul %1, %b : tensor<4x8xf32>
  // CHECK: dln.div
  %3 = dln.div %2, %b : tensor<4x8xf32>
  // CHECK: dln.max
  %4 = dln.max %3, %a : tensor<4x8xf32>
  // CHECK: dln.neg %{{.*}} : tensor<4x8xf32>
  %5 = dln.neg %4 : tensor<4x8xf32>
  // CHECK: dln.exp
  %6 = dln.exp %5 : tensor<4x8xf32>
  // CHECK: dln.log
  %7 = dln.log %6 : tensor<4x8xf32>
  // CHECK: dln.sqrt
  %8 = dln.sqrt %7 : tensor<4x8xf32>
  // CHECK: dln.abs
  %9 = dln.abs %8 : tensor<4x8xf32>
  // CHECK: dln.sign
  %10 = dln.sign %9 : tensor<4x8xf32>
  // CHECK: dln.floor
  %f = dln.floor %10 : tensor<4x8xf32>
  // CHECK: dln.tanh
  %11 = dln.tanh %f : tensor<4x8xf32>
  // CHECK: dln.sigmoid
  %12 = dln.sigmoid %11 : tensor<4x8xf32>
  // CHECK: dln.relu
  %13 = dln.relu %12 : tensor<4x8xf32>
  // CHECK: dln.compare gt, %{{.*}}, %{{.*}} : tensor<4x8xf32>
  %14 = dln.compare gt, %13, %a : tensor<4x8xf32>
  // CHECK: dln.select
  %15 = dln.select %14, %13, %a : tensor<4x8xf32>
  // CHECK: dln.stop_gradient
  %16 = dln.stop_gradient %15 : tensor<4x8xf32>
  return %16 : tensor<4x8xf32>
}

// CHECK-LABEL: func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>, %y: tensor<2xi32>) -> (tensor<4x3x2xf32>, tensor<24xf32>, tensor<5x2x3x4xf32>, tensor<2x7xf64>) {
  // CHECK: dln.transpose %{{.*}} [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  %0 = dln.transpose %x [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  // CHECK: dln.reshape %{{.*}} [24] : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = dln.reshape %x [24] : tensor<2x3x4xf32> -> tensor<24xf32>
  // CHECK: dln.broadcast %{{.*}} [5, 2, 3, 4] dims [1, 2, 3]
  %2 = dln.broadcast %x [5, 2, 3, 4] dims [1, 2, 3] : tensor<2x3x4xf32> -> tensor<5x2x3x4xf32>
  // CHECK: dln.one_hot %{{.*}} classes 7 as f64 : tensor<2xi32> -> tensor<2x7xf64>
  %3 = dln.one_hot %y classes 7 as f64 : tensor<2xi32> -> tensor<2x7xf64>
  return %0, %1, %2, %3 : tensor<4x3x2xf32>, tensor<24xf32>, tensor<5x2x3x4xf32>, tensor<2x7xf64>
}

// CHECK-LABEL: func @reductions_and_products
func.func @reductions_and_products(%x: tensor<2x3x4xf32>, %w: tensor<2x4x5xf32>) -> (tensor<3xf32>, tensor<f32>, tensor<2x3x5xf32>, tensor<2x5x3xf32>) {
  // CHECK: dln.reduce_sum %{{.*}} [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
  %0 = dln.reduce_sum %x [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: dln.reduce_max %{{.*}} [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  %1 = dln.reduce_max %x [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: dln.matmul %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  %2 = dln.matmul %x, %w : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  // CHECK: dln.matmul %{{.*}}, %{{.*}} {transpose_lhs, transpose_rhs} : tensor<2x4x5xf32>, tensor<2x3x4xf32> -> tensor<2x5x3xf32>
  %3 = dln.matmul %w, %x {transpose_lhs, transpose_rhs} : tensor<2x4x5xf32>, tensor<2x3x4xf32> -> tensor<2x5x3xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<f32>, tensor<2x3x5xf32>, tensor<2x5x3xf32>
}

// CHECK-LABEL: func @training
func.func private @loss(%w: tensor<2x1xf32>, %x: tensor<4x2xf32>) -> tensor<f32>
func.func @training(%w: tensor<2x1xf32>, %x: tensor<4x2xf32>, %lr: tensor<f32>) -> tensor<2x1xf32> {
  // CHECK: dln.value_and_grad @loss(%{{.*}}, %{{.*}}) {wrt = array<i64: 0>}
  %l, %g = dln.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>} : (tensor<2x1xf32>, tensor<4x2xf32>) -> (tensor<f32>, tensor<2x1xf32>)
  // CHECK: dln.sgd_update
  %w1 = dln.sgd_update %w, %g, %lr : tensor<2x1xf32>, tensor<f32>
  return %w1 : tensor<2x1xf32>
}

// Every optimizer update op, attributes at their defaults elided.
// CHECK-LABEL: func @optimizers
func.func @optimizers(%w: tensor<2x1xf64>, %g: tensor<2x1xf64>, %s: tensor<2x1xf64>, %b: tensor<2x1xf64>, %t: tensor<f64>, %lr: tensor<f64>) -> tensor<2x1xf64> {
  // CHECK: dln.sgd_update %{{.*}}, %{{.*}}, %{{.*}} {weight_decay = 1.000000e-02 : f64} : tensor<2x1xf64>, tensor<f64>
  %0 = dln.sgd_update %w, %g, %lr {weight_decay = 1.0e-02 : f64} : tensor<2x1xf64>, tensor<f64>
  // CHECK: dln.sgd_momentum_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {momentum = 9.000000e-01 : f64, nesterov} : tensor<2x1xf64>, tensor<f64>
  %1:2 = dln.sgd_momentum_update %w, %g, %b, %lr {momentum = 9.0e-01 : f64, nesterov, dampening = 0.0 : f64} : tensor<2x1xf64>, tensor<f64>
  // CHECK: dln.sgd_momentum_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} step %{{.*}} {dampening = 5.000000e-01 : f64, momentum = 9.000000e-01 : f64} : tensor<2x1xf64>, tensor<f64>
  %2:2 = dln.sgd_momentum_update %w, %g, %b, %lr step %t {momentum = 9.0e-01 : f64, dampening = 5.0e-01 : f64} : tensor<2x1xf64>, tensor<f64>
  // CHECK: dln.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {beta1 = 9.000000e-01 : f64, beta2 = {{.*}} : f64, decoupled, eps = 1.000000e-08 : f64, weight_decay = 1.000000e-02 : f64} : tensor<2x1xf64>, tensor<f64>
  %3:3 = dln.adam_update %w, %g, %s, %b, %t, %lr {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 1.0e-02 : f64, decoupled} : tensor<2x1xf64>, tensor<f64>
  // CHECK: dln.rmsprop_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {alpha = {{.*}} : f64, eps = 1.000000e-08 : f64} : tensor<2x1xf64>, tensor<f64>
  %4:2 = dln.rmsprop_update %w, %g, %s, %lr {alpha = 0.99 : f64, eps = 1.0e-08 : f64} : tensor<2x1xf64>, tensor<f64>
  // CHECK: dln.rmsprop_momentum_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {alpha = {{.*}} : f64, eps = 1.000000e-08 : f64, momentum = 5.000000e-01 : f64} : tensor<2x1xf64>, tensor<f64>
  %5:3 = dln.rmsprop_momentum_update %w, %g, %s, %b, %lr {alpha = 0.99 : f64, eps = 1.0e-08 : f64, momentum = 0.5 : f64} : tensor<2x1xf64>, tensor<f64>
  // CHECK: dln.adagrad_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {eps = 1.000000e-10 : f64} : tensor<2x1xf64>, tensor<f64>
  %6:2 = dln.adagrad_update %w, %g, %s, %lr {eps = 1.0e-10 : f64} : tensor<2x1xf64>, tensor<f64>
  return %6#0 : tensor<2x1xf64>
}

// CHECK-LABEL: func @windows
func.func @windows(%x: tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32> {
  // CHECK: dln.pad %{{.*}} low [0, 0, 1, 1] high [0, 0, 1, 1] interior [0, 0, 0, 0] : tensor<?x1x28x28xf32> -> tensor<?x1x30x30xf32>
  %p = dln.pad %x low [0, 0, 1, 1] high [0, 0, 1, 1] interior [0, 0, 0, 0] : tensor<?x1x28x28xf32> -> tensor<?x1x30x30xf32>
  // CHECK: dln.slice %{{.*}} offsets [0, 0, 1, 1] sizes [?, 1, 28, 28] strides [1, 1, 1, 1]
  %s = dln.slice %p offsets [0, 0, 1, 1] sizes [?, 1, 28, 28] strides [1, 1, 1, 1] : tensor<?x1x30x30xf32> -> tensor<?x1x28x28xf32>
  // CHECK: dln.patches %{{.*}} window [3, 3] strides [1, 1] dilations [1, 1] : tensor<?x1x28x28xf32> -> tensor<1x3x3x?x26x26xf32>
  %c = dln.patches %s window [3, 3] strides [1, 1] dilations [1, 1] : tensor<?x1x28x28xf32> -> tensor<1x3x3x?x26x26xf32>
  // CHECK: dln.unpatches %{{.*}} spatial [28, 28] strides [1, 1] dilations [1, 1] : tensor<1x3x3x?x26x26xf32> -> tensor<?x1x28x28xf32>
  %u = dln.unpatches %c spatial [28, 28] strides [1, 1] dilations [1, 1] : tensor<1x3x3x?x26x26xf32> -> tensor<?x1x28x28xf32>
  return %u : tensor<?x1x28x28xf32>
}

// CHECK-LABEL: func @random
func.func @random(%key: tensor<2xi64>, %b: index) -> (tensor<?x8xf32>, tensor<3xf64>) {
  // CHECK: dln.random %{{.*}} [%{{.*}}, 8] uniform stream 3 as f32 : tensor<2xi64> -> tensor<?x8xf32>
  %u = dln.random %key [%b, 8] uniform stream 3 as f32 : tensor<2xi64> -> tensor<?x8xf32>
  // CHECK: dln.random %{{.*}} [3] normal stream 0 as f64 : tensor<2xi64> -> tensor<3xf64>
  %n = dln.random %key [3] normal stream 0 as f64 : tensor<2xi64> -> tensor<3xf64>
  return %u, %n : tensor<?x8xf32>, tensor<3xf64>
}

// CHECK-LABEL: func @gibbs_sweep
func.func @gibbs_sweep(%w: tensor<5x5xf32>, %b: tensor<5xf32>, %s: tensor<?x5xf32>, %u: tensor<?x5xf32>, %c: tensor<5xf32>) -> tensor<?x5xf32> {
  // CHECK: dln.gibbs_sweep %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<5x5xf32>, tensor<5xf32>, tensor<?x5xf32>, tensor<?x5xf32>, tensor<5xf32> -> tensor<?x5xf32>
  %r = dln.gibbs_sweep %w, %b, %s, %u, %c : tensor<5x5xf32>, tensor<5xf32>, tensor<?x5xf32>, tensor<?x5xf32>, tensor<5xf32> -> tensor<?x5xf32>
  return %r : tensor<?x5xf32>
}

// CHECK-LABEL: func @pixels
// CHECK: dln.gather_pixels %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x8x14x14xf32>, tensor<?x50xf32> -> tensor<?x50x8xf32>
// CHECK: dln.scatter_pixels %{{.*}}, %{{.*}}, %{{.*}} size [14, 14] : tensor<?x50x8xf32>, tensor<?x50xf32> -> tensor<?x8x14x14xf32>
func.func @pixels(%x: tensor<?x8x14x14xf32>, %r: tensor<?x50xf32>, %c: tensor<?x50xf32>) -> tensor<?x8x14x14xf32> {
  %0 = dln.gather_pixels %x, %r, %c : tensor<?x8x14x14xf32>, tensor<?x50xf32> -> tensor<?x50x8xf32>
  %1 = dln.scatter_pixels %0, %r, %c size [14, 14] : tensor<?x50x8xf32>, tensor<?x50xf32> -> tensor<?x8x14x14xf32>
  return %1 : tensor<?x8x14x14xf32>
}

// CHECK-LABEL: func @scan
// CHECK: dln.scan init(%{{.*}} : tensor<?x8xf32>) over(%{{.*}} : tensor<?x28x4xf32>) -> (tensor<?x8xf32>, tensor<?x28x8xf32>) {
// CHECK: ^bb0(%{{.*}}: tensor<?x8xf32>, %{{.*}}: tensor<?x4xf32>):
// CHECK: dln.yield %{{.*}}, %{{.*}} : tensor<?x8xf32>, tensor<?x8xf32>
// CHECK: dln.scan reverse init(%{{.*}} : tensor<2x3xf32>) {steps = 5 : i64} -> (tensor<2x3xf32>, tensor<2x5x3xf32>)
func.func @scan(%xs: tensor<?x28x4xf32>, %h0: tensor<?x8xf32>, %w: tensor<4x8xf32>, %g0: tensor<2x3xf32>) -> (tensor<?x28x8xf32>, tensor<2x5x3xf32>) {
  %h, %hs = dln.scan init(%h0 : tensor<?x8xf32>) over(%xs : tensor<?x28x4xf32>) -> (tensor<?x8xf32>, tensor<?x28x8xf32>) {
  ^bb0(%hp: tensor<?x8xf32>, %x: tensor<?x4xf32>):
    %p = dln.matmul %x, %w : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
    %n = dln.add %hp, %p : tensor<?x8xf32>
    dln.yield %n, %n : tensor<?x8xf32>, tensor<?x8xf32>
  }
  %g, %gs = dln.scan reverse init(%g0 : tensor<2x3xf32>) {steps = 5 : i64} -> (tensor<2x3xf32>, tensor<2x5x3xf32>) {
  ^bb0(%gp: tensor<2x3xf32>):
    %n = dln.tanh %gp : tensor<2x3xf32>
    dln.yield %n, %n : tensor<2x3xf32>, tensor<2x3xf32>
  }
  return %hs, %gs : tensor<?x28x8xf32>, tensor<2x5x3xf32>
}
