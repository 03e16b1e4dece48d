// RUN: dlnc-opt %s -convert-dln-to-linalg -split-input-file -mlir-print-local-scope | FileCheck %s

// A scan is one loop over time whatever T is: step t of the sequence is a
// rank-reduced slice, the body is inlined once, the new carry is copied into
// the carried tensor (one buffer for the whole loop once bufferized) and the
// step's output is written into slot t of the stacked result.
// CHECK-LABEL: func @elman
// CHECK-DAG: %[[T:.*]] = arith.constant 28 : index
// CHECK-DAG: %[[B:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x8xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[B]]) : tensor<?x28x8xf32>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[T]] step %{{.*}} iter_args(%[[H:.*]] = %{{.*}}, %[[HS:.*]] = %[[EMPTY]]) -> (tensor<?x8xf32>, tensor<?x28x8xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, %[[I]], 0] [%{{.*}}, 1, 4] [1, 1, 1] : tensor<?x28x4xf32> to tensor<?x4xf32>
// CHECK: linalg.matmul ins(%[[H]],
// CHECK: math.tanh
// CHECK: %[[SLOT:.*]] = tensor.insert_slice %[[NEXT:.*]] into %[[HS]][0, %[[I]], 0] [%{{.*}}, 1, 8] [1, 1, 1]
// CHECK: %[[COPY:.*]] = linalg.copy ins(%[[NEXT]] : tensor<?x8xf32>) outs(%[[H]] : tensor<?x8xf32>)
// CHECK: scf.yield %[[COPY]], %[[SLOT]]
// CHECK-NOT: dln.
func.func @elman(%w: tensor<8x8xf32>, %xs: tensor<?x28x4xf32>, %h0: tensor<?x8xf32>, %u: tensor<4x8xf32>) -> tensor<?x28x8xf32> {
  %h, %hs = dln.scan init(%h0 : tensor<?x8xf32>) over(%xs : tensor<?x28x4xf32>) -> (tensor<?x8xf32>, tensor<?x28x8xf32>) {
  ^bb0(%hp: tensor<?x8xf32>, %x: tensor<?x4xf32>):
    %m = dln.matmul %hp, %w : tensor<?x8xf32>, tensor<8x8xf32> -> tensor<?x8xf32>
    %p = dln.matmul %x, %u : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
    %s = dln.add %m, %p : tensor<?x8xf32>
    %n = dln.tanh %s : tensor<?x8xf32>
    dln.yield %n, %n : tensor<?x8xf32>, tensor<?x8xf32>
  }
  return %hs : tensor<?x28x8xf32>
}

// -----

// In reverse, iteration i visits step T - 1 - i, and its output goes to
// slot T - 1 - i. Without sequences, `steps` is the trip count.
// CHECK-LABEL: func @reverse_steps
// CHECK-DAG: %[[T:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[T]] step %[[ONE]]
// CHECK: %[[LAST:.*]] = arith.subi %[[T]], %[[ONE]]
// CHECK: %[[STEP:.*]] = arith.subi %[[LAST]], %[[I]]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, %[[STEP]], 0]
func.func @reverse_steps(%h0: tensor<2x3xf32>) -> tensor<2x5x3xf32> {
  %h, %hs = dln.scan reverse init(%h0 : tensor<2x3xf32>) {steps = 5 : i64} -> (tensor<2x3xf32>, tensor<2x5x3xf32>) {
  ^bb0(%hp: tensor<2x3xf32>):
    %n = dln.tanh %hp : tensor<2x3xf32>
    dln.yield %n, %n : tensor<2x3xf32>, tensor<2x3xf32>
  }
  return %hs : tensor<2x5x3xf32>
}
