// RUN: dlnc-opt %s -canonicalize -split-input-file | FileCheck %s

// last(hs) of states that are also the carry is the final carry; the
// stacked states, then unused, are no longer stored, and the sequence the
// body does not read is no longer sliced (its length moves to `steps`).
// CHECK-LABEL: func @last_state
// CHECK: %[[H:.*]] = dln.scan init(%{{.*}} : tensor<?x8xf32>) over(%{{.*}} : tensor<?x5x4xf32>) -> (tensor<?x8xf32>) {
// CHECK: ^bb0(%{{.*}}: tensor<?x8xf32>, %{{.*}}: tensor<?x4xf32>):
// CHECK: dln.yield %{{.*}} : tensor<?x8xf32>
// CHECK-NOT: dln.slice
// CHECK: return %[[H]]
func.func @last_state(%h0: tensor<?x8xf32>, %xs: tensor<?x5x4xf32>, %ys: tensor<?x5x3xf32>, %w: tensor<4x8xf32>) -> tensor<?x8xf32> {
  %h, %hs = dln.scan init(%h0 : tensor<?x8xf32>) over(%xs, %ys : tensor<?x5x4xf32>, tensor<?x5x3xf32>) -> (tensor<?x8xf32>, tensor<?x5x8xf32>) {
  ^bb0(%hp: tensor<?x8xf32>, %x: tensor<?x4xf32>, %y: tensor<?x3xf32>):
    %p = dln.matmul %x, %w : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
    %n = dln.add %hp, %p : tensor<?x8xf32>
    dln.yield %n, %n : tensor<?x8xf32>, tensor<?x8xf32>
  }
  %s = dln.slice %hs offsets [0, 4, 0] sizes [?, 1, 8] strides [1, 1, 1] : tensor<?x5x8xf32> -> tensor<?x1x8xf32>
  %c0 = arith.constant 0 : index
  %b = tensor.dim %s, %c0 : tensor<?x1x8xf32>
  %r = dln.reshape %s [%b, 8] : tensor<?x1x8xf32> -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

// Another step than the last, or an output that is not the carry, stays a
// slice of the stacked output; in reverse the last state is step 0.
// CHECK-LABEL: func @other_steps
// CHECK: %[[R:.*]]:2 = dln.scan reverse
// CHECK: %[[MIDDLE:.*]] = dln.slice %[[R]]#1 offsets [0, 3, 0]
// CHECK-NOT: dln.slice
// CHECK: %[[LAST:.*]] = dln.reshape %[[R]]#0 [2, 1, 8]
// CHECK: return %[[MIDDLE]], %[[LAST]]
func.func @other_steps(%h0: tensor<2x8xf32>, %xs: tensor<2x5x8xf32>) -> (tensor<2x1x8xf32>, tensor<2x1x8xf32>) {
  %h, %hs = dln.scan reverse init(%h0 : tensor<2x8xf32>) over(%xs : tensor<2x5x8xf32>) -> (tensor<2x8xf32>, tensor<2x5x8xf32>) {
  ^bb0(%hp: tensor<2x8xf32>, %x: tensor<2x8xf32>):
    %n = dln.add %hp, %x : tensor<2x8xf32>
    dln.yield %n, %n : tensor<2x8xf32>, tensor<2x8xf32>
  }
  %middle = dln.slice %hs offsets [0, 3, 0] sizes [2, 1, 8] strides [1, 1, 1] : tensor<2x5x8xf32> -> tensor<2x1x8xf32>
  %last = dln.slice %hs offsets [0, 0, 0] sizes [2, 1, 8] strides [1, 1, 1] : tensor<2x5x8xf32> -> tensor<2x1x8xf32>
  return %middle, %last : tensor<2x1x8xf32>, tensor<2x1x8xf32>
}
