// RUN: dlnc-opt %s -pass-pipeline='builtin.module(func.func(dln-tile-contractions{tile-sizes=0,64,0}))' | FileCheck %s
// RUN: dlnc-opt %s -pass-pipeline='builtin.module(func.func(dln-tile-contractions))' | FileCheck %s --check-prefix=NONE

#mk = affine_map<(d0, d1, d2) -> (d0, d1)>
#kn = affine_map<(d0, d1, d2) -> (d1, d2)>
#mn = affine_map<(d0, d1, d2) -> (d0, d2)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// The reduction loop of a product is tiled by 64, carrying the accumulator.
// CHECK-LABEL: func @product
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C768:.*]] = arith.constant 768 : index
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %[[C768]] step %[[C64]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<32x256xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, %[[K]]] [32, 64] [1, 1] : tensor<32x768xf32> to tensor<32x64xf32>
// CHECK: tensor.extract_slice %{{.*}}[%[[K]], 0] [64, 256] [1, 1] : tensor<768x256xf32> to tensor<64x256xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<32x64xf32>, tensor<64x256xf32>)
// CHECK: scf.yield
// NONE-LABEL: func @product
// NONE-NOT: scf.for
func.func @product(%x: tensor<32x768xf32>, %w: tensor<768x256xf32>, %acc: tensor<32x256xf32>) -> tensor<32x256xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %w : tensor<32x768xf32>, tensor<768x256xf32>) outs(%acc : tensor<32x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<32x256xf32>
  return %0 : tensor<32x256xf32>
}

// A tile size that does not divide its loop (100 by 64) is dropped, so
// every tile keeps a static shape.
// CHECK-LABEL: func @uneven
// CHECK-NOT: scf.for
// CHECK: linalg.matmul
func.func @uneven(%x: tensor<32x784xf32>, %w: tensor<100x784xf32>, %acc: tensor<32x100xf32>) -> tensor<32x100xf32> {
  %0 = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %w : tensor<32x784xf32>, tensor<100x784xf32>) outs(%acc : tensor<32x100xf32>) -> tensor<32x100xf32>
  return %0 : tensor<32x100xf32>
}

// Element-wise ops are not contractions and stay untiled.
// CHECK-LABEL: func @elementwise
// CHECK-NOT: scf.for
func.func @elementwise(%x: tensor<32x768xf32>, %y: tensor<32x768xf32>) -> tensor<32x768xf32> {
  %e = tensor.empty() : tensor<32x768xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<32x768xf32>, tensor<32x768xf32>) outs(%e : tensor<32x768xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<32x768xf32>
  return %0 : tensor<32x768xf32>
}
