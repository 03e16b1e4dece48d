// RUN: dlnc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(dln-vectorize-contractions{vector-bytes=64 rows=4 col-vectors=2}))' | FileCheck %s

#mk = affine_map<(d0, d1, d2) -> (d0, d1)>
#kn = affine_map<(d0, d1, d2) -> (d1, d2)>
#mn = affine_map<(d0, d1, d2) -> (d0, d2)>

// C[8x64] += A[8x5] * B[5x64]: two column blocks of 32 and two row blocks of
// 4; eight accumulators live across the k loop.
// CHECK-LABEL: func @exact_blocks
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %[[C32]]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %[[C4]]
// CHECK-COUNT-8: vector.load %{{.*}} : memref<8x64xf32>, vector<16xf32>
// CHECK: scf.for %[[K:.*]] = {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-2: vector.load %{{.*}}[%[[K]], %{{.*}}] : memref<5x64xf32>, vector<16xf32>
// CHECK: memref.load %{{.*}}[%{{.*}}, %[[K]]] : memref<8x5xf32>
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store
// CHECK-NOT: linalg.generic
func.func @exact_blocks(%a: memref<8x5xf32>, %b: memref<5x64xf32>, %c: memref<8x64xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<8x5xf32>, memref<5x64xf32>) outs(%c : memref<8x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y fastmath<reassoc,contract> : f32
    %s = arith.addf %z, %m fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#km = affine_map<(d0, d1, d2) -> (d0, d1)>
#kn = affine_map<(d0, d1, d2) -> (d0, d2)>
#mn = affine_map<(d0, d1, d2) -> (d1, d2)>

// A transposed (weight gradient X^T dY) in f64, with leftover rows and
// columns: the remainders keep the original op on subviews.
// CHECK-LABEL: func @transposed_with_remainders
// CHECK: scf.for
// CHECK: memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<3x6xf64>
// CHECK: vector.fma {{.*}} : vector<8xf64>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<3x2xf64, strided<[6, 1], offset: 4>>, memref<3x20xf64>) outs(%{{.*}} : memref<2x20xf64, strided<[20, 1], offset: 80>>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<3x4xf64, strided<[6, 1]>>, memref<3x4xf64, strided<[20, 1], offset: 16>>) outs(%{{.*}} : memref<4x4xf64, strided<[20, 1], offset: 16>>)
func.func @transposed_with_remainders(%a: memref<3x6xf64>, %b: memref<3x20xf64>, %c: memref<6x20xf64>) {
  linalg.generic {indexing_maps = [#km, #kn, #mn], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%a, %b : memref<3x6xf64>, memref<3x20xf64>) outs(%c : memref<6x20xf64>) {
  ^bb0(%x: f64, %y: f64, %z: f64):
    %m = arith.mulf %x, %y : f64
    %s = arith.addf %z, %m : f64
    linalg.yield %s : f64
  }
  return
}

// -----

#mk = affine_map<(d0, d1, d2) -> (d0, d2)>
#nk = affine_map<(d0, d1, d2) -> (d1, d2)>
#mn = affine_map<(d0, d1, d2) -> (d0, d1)>

// A B^T walks B by columns: not this kernel's layout, left alone.
// CHECK-LABEL: func @transposed_rhs
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @transposed_rhs(%a: memref<8x5xf32>, %b: memref<64x5xf32>, %c: memref<8x64xf32>) {
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x5xf32>, memref<64x5xf32>) outs(%c : memref<8x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A named linalg.matmul is recognized through the contraction interface, and
// the product it leaves for small shapes gets its loops ordered (m, k, n), so
// the innermost loop walks contiguous rows of B and C.
// CHECK-LABEL: func @named_matmul
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.matmul
// CHECK-LABEL: func @named_small
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : memref<3x5xf32>, memref<5x10xf32>)
func.func @named_matmul(%a: memref<8x5xf32>, %b: memref<5x64xf32>, %c: memref<8x64xf32>) {
  linalg.matmul ins(%a, %b : memref<8x5xf32>, memref<5x64xf32>) outs(%c : memref<8x64xf32>)
  return
}
func.func @named_small(%a: memref<3x5xf32>, %b: memref<5x10xf32>, %c: memref<3x10xf32>) {
  linalg.matmul ins(%a, %b : memref<3x5xf32>, memref<5x10xf32>) outs(%c : memref<3x10xf32>)
  return
}

// -----

#mk = affine_map<(d0, d1, d2) -> (d0, d1)>
#kn = affine_map<(d0, d1, d2) -> (d1, d2)>
#mn = affine_map<(d0, d1, d2) -> (d0, d2)>

// Dynamic rows (the batch): the row loop runs to m - m % 4, and the leftover
// rows (0 to 3, known only at run time) keep the original op on a subview,
// marked so that it is not blocked again.
// CHECK-LABEL: func @dynamic_rows
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[M:.*]] = memref.dim %{{.*}}, %c0 : memref<?x32xf32>
// CHECK: %[[REM:.*]] = arith.remui %[[M]], %[[C4]]
// CHECK: %[[FULL:.*]] = arith.subi %[[M]], %[[REM]]
// CHECK: %[[LEFT:.*]] = arith.subi %[[M]], %[[FULL]]
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[FULL]] step %[[C4]]
// CHECK: vector.fma
// CHECK: memref.subview %{{.*}}[%[[FULL]], 0] [%[[LEFT]], 32]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : memref<?x32xf32, strided<[32, 1], offset: ?>>) attrs = {dln.kernel_remainder}
func.func @dynamic_rows(%a: memref<?x5xf32>, %b: memref<5x32xf32>, %c: memref<?x32xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x5xf32>, memref<5x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y fastmath<reassoc,contract> : f32
    %s = arith.addf %z, %m fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#mk = affine_map<(d0, d1, d2) -> (d0, d1)>
#kn = affine_map<(d0, d1, d2) -> (d1, d2)>
#mn = affine_map<(d0, d1, d2) -> (d0, d2)>

// Dynamic columns (a convolution's batch of window positions): the column
// loop runs to n - n % 32 and the leftover columns of the full rows keep
// the original op; 6 static rows leave 2 rows for it too.
// CHECK-LABEL: func @dynamic_columns
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: %[[N:.*]] = memref.dim %{{.*}}, %c1 : memref<6x?xf32>
// CHECK: %[[REM:.*]] = arith.remui %[[N]], %[[C32]]
// CHECK: %[[FULL:.*]] = arith.subi %[[N]], %[[REM]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[FULL]] step %[[C32]]
// CHECK: vector.fma
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : memref<2x?xf32, strided<[?, 1], offset: ?>>) attrs = {dln.kernel_remainder}
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : memref<4x?xf32, strided<[?, 1], offset: ?>>) attrs = {dln.kernel_remainder}
func.func @dynamic_columns(%a: memref<6x5xf32>, %b: memref<5x?xf32>, %c: memref<6x?xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<6x5xf32>, memref<5x?xf32>) outs(%c : memref<6x?xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y fastmath<reassoc,contract> : f32
    %s = arith.addf %z, %m fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#mk = affine_map<(d0, d1, d2) -> (d0, d2)>
#nk = affine_map<(d0, d1, d2) -> (d1, d2)>
#mn = affine_map<(d0, d1, d2) -> (d0, d1)>

// C += A Bt with a long dynamic k (a convolution's weight gradient): 4 x 4
// dot products (AVX-512) accumulate vectors over k, the last partial vector
// a masked read, then one horizontal sum each; 6 rows leave 2 for the
// original op.
// CHECK-LABEL: func @dot_products
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-16: vector.fma
// CHECK: scf.if
// CHECK: vector.transfer_read
// CHECK-COUNT-16: vector.reduction <add>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : memref<2x8xf32, strided<[8, 1], offset: 32>>) attrs = {dln.kernel_remainder}
func.func @dot_products(%a: memref<6x?xf32>, %b: memref<8x?xf32>, %c: memref<6x8xf32>) {
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<6x?xf32>, memref<8x?xf32>) outs(%c : memref<6x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y fastmath<reassoc,contract> : f32
    %s = arith.addf %z, %m fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}
