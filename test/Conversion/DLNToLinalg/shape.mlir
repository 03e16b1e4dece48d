// RUN: dlnc-opt %s -convert-dln-to-linalg -mlir-print-local-scope | FileCheck %s

// Broadcast reads the input through a projected map, so it can fuse.
// CHECK-LABEL: func @broadcast
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
func.func @broadcast(%b: tensor<10xf32>) -> tensor<64x10xf32> {
  %0 = dln.broadcast %b [64, 10] dims [1] : tensor<10xf32> -> tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}

// A scalar broadcast has an empty input map.
// CHECK-LABEL: func @broadcast_scalar
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
func.func @broadcast_scalar(%s: tensor<f32>) -> tensor<2x3x4xf32> {
  %0 = dln.broadcast %s [2, 3, 4] dims [] : tensor<f32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// Transpose reads the input through the permutation.
// CHECK-LABEL: func @transpose
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = dln.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// Reshape goes through the flat vector.
// CHECK-LABEL: func @reshape
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = dln.reshape %x [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// one_hot compares each label with the class index.
// CHECK-LABEL: func @one_hot
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK: arith.index_cast
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @one_hot(%y: tensor<64xi32>) -> tensor<64x10xf32> {
  %0 = dln.one_hot %y classes 10 as f32 : tensor<64xi32> -> tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}
