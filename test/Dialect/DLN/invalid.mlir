// RUN: dlnc-opt %s -split-input-file -verify-diagnostics

// Element-wise operands must agree in shape.
func.func @add_shape_mismatch(%a: tensor<4x8xf32>, %b: tensor<4x9xf32>) {
  // expected-error @+1 {{operand shapes differ: expected shape of tensor<4x8xf32> but got tensor<4x9xf32>}}
  %0 = dln.add %a, %b : tensor<4x8xf32>, tensor<4x9xf32> -> tensor<4x8xf32>
  return
}

// -----

// Dense input features must match the weight rows.
func.func @dense_features(%x: tensor<64x100xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>) {
  // expected-error @+1 {{input features must match the weight rows (100 vs 784)}}
  %0 = dln.dense %x, %w, %b : tensor<64x100xf32>, tensor<784x10xf32>, tensor<10xf32> -> tensor<*xf32>
  return
}

// -----

// Dense bias size must match the weight columns.
func.func @dense_bias(%x: tensor<64x784xf32>, %w: tensor<784x10xf32>, %b: tensor<11xf32>) {
  // expected-error @+1 {{bias size must match the weight columns (10 vs 11)}}
  %0 = dln.dense %x, %w, %b : tensor<64x784xf32>, tensor<784x10xf32>, tensor<11xf32> -> tensor<*xf32>
  return
}

// -----

// Matmul contraction sizes must agree, honouring transposes.
func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) {
  // expected-error @+1 {{contraction dimensions of lhs and rhs differ (8 vs 4)}}
  %0 = dln.matmul %a, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<*xf32>
  return
}

// -----

// Reductions check their axis.
func.func @reduce_axis(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range}}
  %0 = dln.reduce_sum %a {axis = 2 : i64} : tensor<4x8xf32> -> tensor<*xf32>
  return
}

// -----

// Labels are integer class ids.
func.func @cross_entropy_labels(%z: tensor<4x3xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer values}}
  %0 = dln.cross_entropy %z, %y : tensor<4x3xf32>, tensor<4xf32> -> tensor<*xf32>
  return
}

// -----

// Losses are per sample: the result is [batch].
func.func @mse_result(%p: tensor<4x3xf32>, %t: tensor<4x3xf32>) {
  // expected-error @+1 {{expects a [batch] result of rank 1}}
  %0 = dln.mse %p, %t : tensor<4x3xf32>, tensor<4x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func private @two_results(%w: tensor<2xf32>) -> (tensor<f32>, tensor<f32>)
// value_and_grad needs a callee returning one scalar.
func.func @vag_callee(%w: tensor<2xf32>) {
  // expected-error @+1 {{callee must return exactly one scalar}}
  %l, %g = dln.value_and_grad @two_results(%w) {wrt = array<i64: 0>} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return
}

// -----

func.func private @loss(%w: tensor<2xf32>) -> tensor<f32>
// Gradients have the types of the differentiated operands.
func.func @vag_types(%w: tensor<2xf32>) {
  // expected-error @+1 {{gradient #0 must have type 'tensor<2xf32>' but has 'tensor<3xf32>'}}
  %l, %g = dln.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<2xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

// value_and_grad must name an existing function.
func.func @vag_missing(%w: tensor<2xf32>) {
  // expected-error @+1 {{'missing' does not reference a valid function}}
  %l, %g = dln.value_and_grad @missing(%w) {wrt = array<i64: 0>} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return
}
