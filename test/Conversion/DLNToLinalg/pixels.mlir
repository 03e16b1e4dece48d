// RUN: dlnc-opt %s --convert-dln-to-linalg -split-input-file | FileCheck %s

// gather_pixels: the flat index of each coordinate once (-1 outside the
// 14x14 image), then the result with the channel loop innermost, reading the
// collapsed image at that index (0 where it is -1).
// CHECK-LABEL: func @gather
// CHECK: %[[INDEX:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x50xf32>, tensor<?x50xf32>) outs(%{{.*}} : tensor<?x50xi64>)
// CHECK: arith.cmpf oge
// CHECK: arith.cmpf ole, %{{.*}}, %{{.*}} : f32
// CHECK: arith.fptosi
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
// CHECK: %[[IMAGE:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<?x8x14x14xf32> into tensor<?x8x196xf32>
// CHECK: linalg.generic {{.*}} ins(%[[INDEX]] : tensor<?x50xi64>) outs(%{{.*}} : tensor<?x50x8xf32>)
// CHECK: arith.cmpi sge
// CHECK: linalg.index 2
// CHECK: tensor.extract %[[IMAGE]]
func.func @gather(%x: tensor<?x8x14x14xf32>, %r: tensor<?x50xf32>, %c: tensor<?x50xf32>) -> tensor<?x50x8xf32> {
  %0 = dln.gather_pixels %x, %r, %c : tensor<?x8x14x14xf32>, tensor<?x50xf32> -> tensor<?x50x8xf32>
  return %0 : tensor<?x50x8xf32>
}

// -----

// scatter_pixels: loops over batch, points and channels on a zero image;
// a coordinate outside the image skips its channels.
// CHECK-LABEL: func @scatter
// CHECK: linalg.fill
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for {{.*}} iter_args
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<?x50xf32>
// CHECK: scf.if %{{.*}} -> (tensor<?x8x14x14xf32>)
// CHECK: scf.for {{.*}} iter_args
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x50x8xf32>
// CHECK: arith.addf
// CHECK: tensor.insert
// CHECK: } else {
func.func @scatter(%v: tensor<?x50x8xf32>, %r: tensor<?x50xf32>, %c: tensor<?x50xf32>) -> tensor<?x8x14x14xf32> {
  %0 = dln.scatter_pixels %v, %r, %c size [14, 14] : tensor<?x50x8xf32>, tensor<?x50xf32> -> tensor<?x8x14x14xf32>
  return %0 : tensor<?x8x14x14xf32>
}
