// RUN: dlnc-opt %s -convert-dln-to-linalg -mlir-print-local-scope | FileCheck %s

// A sequential Gibbs sweep is a loop over the units carrying the state: per
// unit, row i of the weights against every row of the state (a reduction),
// the draw and the clamp in one element-wise generic, and column i written
// back; never one copy of the update per unit.
// CHECK-LABEL: func @gibbs_sweep
// CHECK: %[[N:.*]] = arith.constant 5 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[S:.*]] = %{{.*}}) -> (tensor<?x5xf32>)
// CHECK: tensor.extract_slice %{{.*}}[%[[I]], 0] [1, 5] [1, 1] : tensor<5x5xf32> to tensor<5xf32>
// CHECK: tensor.extract %{{.*}}[%[[I]]] : tensor<5xf32>
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
// CHECK: math.exp
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf une
// CHECK: tensor.insert_slice %{{.*}} into %[[S]][0, %[[I]]] [%{{.*}}, 1] [1, 1]
// CHECK: scf.yield
// CHECK-NOT: dln.gibbs_sweep
func.func @gibbs_sweep(%w: tensor<5x5xf32>, %b: tensor<5xf32>, %s: tensor<?x5xf32>, %u: tensor<?x5xf32>, %c: tensor<5xf32>) -> tensor<?x5xf32> {
  %r = dln.gibbs_sweep %w, %b, %s, %u, %c : tensor<5x5xf32>, tensor<5xf32>, tensor<?x5xf32>, tensor<?x5xf32>, tensor<5xf32> -> tensor<?x5xf32>
  return %r : tensor<?x5xf32>
}
