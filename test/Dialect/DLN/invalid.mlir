// RUN: dlnc-opt %s -split-input-file -verify-diagnostics
// Every shape rule rejects what the lowering cannot handle, with both shapes.

// Element-wise operands must have the result's type.
func.func @add_shape_mismatch(%a: tensor<4x8xf32>, %b: tensor<4x9xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "dln.add"(%a, %b) : (tensor<4x8xf32>, tensor<4x9xf32>) -> tensor<4x8xf32>
  return
}

// -----

// A broadcast to a dynamic shape takes one size operand per `?`.
func.func @broadcast_dynamic_sizes(%a: tensor<8xf32>, %n: index) {
  // expected-error @+2 {{broadcast shape [?, ?, 8] has 2 dynamic size(s) but 1 size operand(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dln.broadcast"(%a, %n) {shape = array<i64: -9223372036854775808, -9223372036854775808, 8>, dims = array<i64: 2>} : (tensor<8xf32>, index) -> tensor<?x?x8xf32>
  return
}

// -----

// A reshape keeps the batch dynamic: a static result would be unchecked.
func.func @reshape_dynamic_to_static(%a: tensor<?x8xf32>) {
  // expected-error @+2 {{cannot reshape [?, 8] to [4, 8]: a dynamic size must remain dynamic}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.reshape %a [4, 8] : tensor<?x8xf32> -> tensor<4x8xf32>
  return
}

// -----

// Matmul contraction sizes must agree, honouring transposes.
func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) {
  // expected-error @+2 {{matmul inner dimensions differ: [4, 8] and [4, 8] contract 8 with 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.matmul %a, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

// Matmul needs matrices.
func.func @matmul_rank(%a: tensor<8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{matmul needs operands of equal rank >= 2, got [8] and [8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.matmul %a, %b : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

// Matmul batch dimensions must be equal.
func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x4xf32>) {
  // expected-error @+2 {{matmul batch dimensions differ: [2, 4, 8] and [3, 8, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.matmul %a, %b : tensor<2x4x8xf32>, tensor<3x8x4xf32> -> tensor<2x4x4xf32>
  return
}

// -----

// A stated result type must be the inferred one.
func.func @matmul_result(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.matmul %a, %b : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x4xf32>
  return
}

// -----

// Reductions check their axes.
func.func @reduce_axis(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{reduction axes [2] must be distinct dimensions of [4, 8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.reduce_sum %a [2] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

// Broadcast keeps input dimensions in order and at their sizes.
func.func @broadcast_size(%a: tensor<3xf32>) {
  // expected-error @+2 {{cannot broadcast [3] to [4, 4]: dimension 0 has size 3, not 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.broadcast %a [4, 4] dims [1] : tensor<3xf32> -> tensor<4x4xf32>
  return
}

// -----

// Reshape keeps the element count.
func.func @reshape_count(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot reshape [4, 8] (32 elements) to [5, 6] (30 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.reshape %a [5, 6] : tensor<4x8xf32> -> tensor<5x6xf32>
  return
}

// -----

// Transpose takes a permutation.
func.func @transpose_perm(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{transpose permutation [0, 0] is not a permutation of the 2 input dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.transpose %a [0, 0] : tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

// one_hot reads integer class ids.
func.func @one_hot_labels(%y: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = "dln.one_hot"(%y) {num_classes = 3 : i64, dtype = f32} : (tensor<4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func private @two_results(%w: tensor<2xf32>) -> (tensor<f32>, tensor<f32>)
// The callee's results after the scalar come back as auxiliary results,
// before the gradients.
func.func @vag_callee(%w: tensor<2xf32>) {
  // expected-error @+1 {{callee must return one scalar and the 0 auxiliary result(s), but returns 2 value(s)}}
  %l, %g = dln.value_and_grad @two_results(%w) {wrt = array<i64: 0>} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return
}

// -----

func.func private @loss_aux(%w: tensor<2xf32>) -> (tensor<f32>, tensor<3xf32>)
func.func @vag_aux_type(%w: tensor<2xf32>) {
  // expected-error @+1 {{auxiliary result #0 must have type 'tensor<3xf32>' but has 'tensor<2xf32>'}}
  %l, %a, %g = dln.value_and_grad @loss_aux(%w) {wrt = array<i64: 0>} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>)
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

// -----

// The learning rate is a scalar of the parameter's dtype.
func.func @sgd_lr_type(%w: tensor<2xf64>, %g: tensor<2xf64>, %lr: tensor<f32>) {
  // expected-error @+1 {{expects the learning rate in the parameter's element type 'f64', got 'f32'}}
  %0 = dln.sgd_update %w, %g, %lr : tensor<2xf64>, tensor<f32>
  return
}

// -----

// Parameter, gradient and state share one type.
func.func @adam_state_type(%w: tensor<2xf32>, %g: tensor<2xf32>, %m: tensor<3xf32>, %t: tensor<f32>, %lr: tensor<f32>) {
  // expected-error @+1 {{all of {param, grad, exp_avg, exp_avg_sq, new_param, new_exp_avg, new_exp_avg_sq} have same type}}
  %0:3 = "dln.adam_update"(%w, %g, %m, %m, %t, %lr) {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64} : (tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<f32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
  return
}

// -----

// Adam's betas lie in [0, 1).
func.func @adam_beta(%w: tensor<2xf32>, %g: tensor<2xf32>, %t: tensor<f32>, %lr: tensor<f32>) {
  // expected-error @+1 {{expects beta2 in [0, 1), got 1}}
  %0:3 = dln.adam_update %w, %g, %w, %w, %t, %lr {beta1 = 0.9 : f64, beta2 = 1.0 : f64, eps = 1.0e-08 : f64} : tensor<2xf32>, tensor<f32>
  return
}

// -----

// eps is positive.
func.func @adagrad_eps(%w: tensor<2xf32>, %g: tensor<2xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{expects eps > 0, got 0}}
  %0:2 = dln.adagrad_update %w, %g, %w, %lr {eps = 0.0 : f64} : tensor<2xf32>, tensor<f32>
  return
}

// -----

// Weight decay is non-negative.
func.func @rmsprop_decay(%w: tensor<2xf32>, %g: tensor<2xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{expects weight_decay in [0, inf), got -1}}
  %0:2 = dln.rmsprop_update %w, %g, %w, %lr {alpha = 0.99 : f64, eps = 1.0e-08 : f64, weight_decay = -1.0 : f64} : tensor<2xf32>, tensor<f32>
  return
}

// -----

// A momentum op needs a positive momentum.
func.func @rmsprop_momentum(%w: tensor<2xf32>, %g: tensor<2xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{expects momentum > 0, got 0}}
  %0:3 = dln.rmsprop_momentum_update %w, %g, %w, %w, %lr {alpha = 0.99 : f64, eps = 1.0e-08 : f64, momentum = 0.0 : f64} : tensor<2xf32>, tensor<f32>
  return
}

// -----

// Nesterov momentum with dampening is rejected, as by PyTorch.
func.func @nesterov_dampening(%w: tensor<2xf32>, %g: tensor<2xf32>, %t: tensor<f32>, %lr: tensor<f32>) {
  // expected-error @+1 {{nesterov momentum requires zero dampening}}
  %0:2 = dln.sgd_momentum_update %w, %g, %w, %lr step %t {momentum = 0.9 : f64, dampening = 0.5 : f64, nesterov} : tensor<2xf32>, tensor<f32>
  return
}

// -----

// Dampening needs the step count to recognize the first step.
func.func @dampening_step(%w: tensor<2xf32>, %g: tensor<2xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{with dampening, expects the step count}}
  %0:2 = dln.sgd_momentum_update %w, %g, %w, %lr {momentum = 0.9 : f64, dampening = 0.5 : f64} : tensor<2xf32>, tensor<f32>
  return
}

// -----

// An optimizer option is a number, a flag or an array of numbers.
// expected-error @+1 {{optimizer option 'betas' must be an f64, a boolean or an f64 array, got "0.9"}}
module attributes {dln.optimizer = #dln.optimizer<"adam", lr = 1.0e-03 : f64, {betas = "0.9"}>} {}

// -----

// Padding is never negative (slice crops).
func.func @pad_negative(%x: tensor<4xf32>) {
  // expected-error @+2 {{pad sizes must not be negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.pad %x low [-1] high [0] interior [0] : tensor<4xf32> -> tensor<3xf32>
  return
}

// -----

// A slice stays inside its input.
func.func @slice_outside(%x: tensor<4xf32>) {
  // expected-error @+2 {{slice offsets [3], sizes [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.slice %x offsets [3] sizes [2] strides [1] : tensor<4xf32> -> tensor<2xf32>
  return
}

// -----

// A window larger than the (padded) image has no position.
func.func @patches_window(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{a window of 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.patches %x window [5, 5] strides [1, 1] dilations [1, 1] : tensor<1x1x4x4xf32> -> tensor<1x5x5x1x0x0xf32>
  return
}

// -----

// The key is (seed, step).
func.func @random_key(%key: tensor<3xi64>) {
  // expected-error @+2 {{random needs a key of two i64 (seed, step), got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.random %key [4] uniform stream 0 as f32 : tensor<3xi64> -> tensor<4xf32>
  return
}

// -----

func.func @random_sizes(%key: tensor<2xi64>) {
  // expected-error @+2 {{needs one size operand per '?'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dln.random"(%key) <{shape = array<i64: -9223372036854775808, 4>, distribution = 0 : i32, stream = 0 : i64, dtype = f32}> : (tensor<2xi64>) -> tensor<?x4xf32>
  return
}

// -----

// A sweep's weights are square over the state's units.
func.func @gibbs_sweep_weights(%w: tensor<5x4xf32>, %b: tensor<5xf32>, %s: tensor<?x5xf32>, %u: tensor<?x5xf32>, %c: tensor<5xf32>) {
  // expected-error @+2 {{gibbs_sweep of 5 units needs weights [5, 5], bias and clamp [5] and uniforms shaped like the state, got [5, 4], [5], [5], [?, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = dln.gibbs_sweep %w, %b, %s, %u, %c : tensor<5x4xf32>, tensor<5xf32>, tensor<?x5xf32>, tensor<?x5xf32>, tensor<5xf32> -> tensor<?x5xf32>
  return
}

// -----

func.func @gibbs_sweep_state(%w: tensor<5x5xf32>, %b: tensor<5xf32>, %s: tensor<5xf32>, %c: tensor<5xf32>) {
  // expected-error @+2 {{gibbs_sweep needs a [B, N] state with static N, got [5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = dln.gibbs_sweep %w, %b, %s, %s, %c : tensor<5x5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32> -> tensor<5xf32>
  return
}

// -----

// Pixel coordinates are [batch, points], one per value.
func.func @gather_pixels_rank(%x: tensor<2x3x4x4xf32>, %r: tensor<2x5x1xf32>) {
  // expected-error @+2 {{gather_pixels needs rows and cols of one shape [batch, points], got [2, 5, 1] and [2, 5, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.gather_pixels %x, %r, %r : tensor<2x3x4x4xf32>, tensor<2x5x1xf32> -> tensor<2x5x3xf32>
  return
}

// -----

func.func @gather_pixels_batch(%x: tensor<2x3x4x4xf32>, %r: tensor<3x5xf32>) {
  // expected-error @+2 {{gather_pixels: coordinates for a batch of 3, images for 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.gather_pixels %x, %r, %r : tensor<2x3x4x4xf32>, tensor<3x5xf32> -> tensor<2x5x3xf32>
  return
}

// -----

func.func @scatter_pixels_points(%v: tensor<2x6x3xf32>, %r: tensor<2x5xf32>) {
  // expected-error @+2 {{scatter_pixels needs one coordinate per value: [2, 6, 3] values, [2, 5] coordinates}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dln.scatter_pixels %v, %r, %r size [4, 4] : tensor<2x6x3xf32>, tensor<2x5xf32> -> tensor<2x3x4x4xf32>
  return
}

// -----

// A scan's body must return a carry of its init's type.
func.func @scan_carry_type(%h0: tensor<?x8xf32>, %xs: tensor<?x5x4xf32>) {
  %h, %hs = dln.scan init(%h0 : tensor<?x8xf32>) over(%xs : tensor<?x5x4xf32>) -> (tensor<?x8xf32>, tensor<?x5x8xf32>) {
  ^bb0(%hp: tensor<?x8xf32>, %x: tensor<?x4xf32>):
    // expected-error @+1 {{new carry #0 has type 'tensor<?x4xf32>', but its init has type 'tensor<?x8xf32>'}}
    dln.yield %x, %hp : tensor<?x4xf32>, tensor<?x8xf32>
  }
  return
}

// -----

// The body sees one step of each sequence: dimension 1 dropped.
func.func @scan_step_type(%h0: tensor<?x8xf32>, %xs: tensor<?x5x4xf32>) {
  // expected-error @+1 {{body argument #1 has type 'tensor<?x5x4xf32>', expected 'tensor<?x4xf32>'}}
  %h = dln.scan init(%h0 : tensor<?x8xf32>) over(%xs : tensor<?x5x4xf32>) -> (tensor<?x8xf32>) {
  ^bb0(%hp: tensor<?x8xf32>, %x: tensor<?x5x4xf32>):
    dln.yield %hp : tensor<?x8xf32>
  }
  return
}

// -----

// Sequences share one length.
func.func @scan_lengths(%h0: tensor<2x8xf32>, %a: tensor<2x5x4xf32>, %b: tensor<2x6x4xf32>) {
  // expected-error @+1 {{sequence #1 has 6 time steps, expected 5}}
  %h = dln.scan init(%h0 : tensor<2x8xf32>) over(%a, %b : tensor<2x5x4xf32>, tensor<2x6x4xf32>) -> (tensor<2x8xf32>) {
  ^bb0(%hp: tensor<2x8xf32>, %x: tensor<2x4xf32>, %y: tensor<2x4xf32>):
    dln.yield %hp : tensor<2x8xf32>
  }
  return
}

// -----

// Per-step outputs stack along dimension 1 with the scan's length.
func.func @scan_stacked_length(%h0: tensor<2x8xf32>, %a: tensor<2x5x4xf32>) {
  // expected-error @+1 {{stacked output #0 has 4 time steps, expected 5}}
  %h, %hs = dln.scan init(%h0 : tensor<2x8xf32>) over(%a : tensor<2x5x4xf32>) -> (tensor<2x8xf32>, tensor<2x4x8xf32>) {
  ^bb0(%hp: tensor<2x8xf32>, %x: tensor<2x4xf32>):
    dln.yield %hp, %hp : tensor<2x8xf32>, tensor<2x8xf32>
  }
  return
}

// -----

// Without a sequence the length comes from `steps`.
func.func @scan_no_length(%h0: tensor<2x8xf32>) {
  // expected-error @+1 {{without sequences needs 'steps'}}
  %h = dln.scan init(%h0 : tensor<2x8xf32>) -> (tensor<2x8xf32>) {
  ^bb0(%hp: tensor<2x8xf32>):
    dln.yield %hp : tensor<2x8xf32>
  }
  return
}
