// RUN: dlnc-opt %s -convert-dln-to-linalg | FileCheck %s

// Binary ops become identity-mapped generics with fast-math float ops.
// CHECK-LABEL: func @add
// CHECK: linalg.generic {indexing_maps = [#[[ID:.*]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc,contract>
// CHECK-NOT: dln.
func.func @add(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.add %a, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// A scalar factor is broadcast with an empty affine map.
// CHECK-LABEL: func @scale
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR:.*]], #{{.*}}]
// CHECK: arith.mulf
func.func @scale(%a: tensor<4x8xf64>, %s: tensor<f64>) -> tensor<4x8xf64> {
  %0 = dln.scale %a, %s : tensor<4x8xf64>, tensor<f64> -> tensor<4x8xf64>
  return %0 : tensor<4x8xf64>
}

// sigmoid(x) = 1 / (1 + exp(-x))
// CHECK-LABEL: func @sigmoid
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @sigmoid(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.sigmoid %a : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func @tanh
// CHECK: math.tanh
func.func @tanh(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.tanh %a : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// relu and its adjoint select on x > 0.
// CHECK-LABEL: func @relu
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.cmpf ogt
// CHECK: arith.select
func.func @relu(%a: tensor<4x8xf32>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.relu %a : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = dln.relu_grad %a, %d : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// sigmoid_grad: dy * y * (1 - y)
// CHECK-LABEL: func @sigmoid_grad
// CHECK: ^bb0(%[[Y:.*]]: f32, %[[DY:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ONE_MINUS:.*]] = arith.subf %{{.*}}, %[[Y]]
// CHECK: %[[P:.*]] = arith.mulf %[[Y]], %[[ONE_MINUS]]
// CHECK: arith.mulf %[[DY]], %[[P]]
func.func @sigmoid_grad(%y: tensor<4x8xf32>, %dy: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.sigmoid_grad %y, %dy : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// tanh_grad: dy * (1 - y * y)
// CHECK-LABEL: func @tanh_grad
// CHECK: ^bb0(%[[Y:.*]]: f32, %[[DY:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[SQ:.*]] = arith.mulf %[[Y]], %[[Y]]
// CHECK: %[[D:.*]] = arith.subf %{{.*}}, %[[SQ]]
// CHECK: arith.mulf %[[DY]], %[[D]]
func.func @tanh_grad(%y: tensor<4x8xf32>, %dy: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.tanh_grad %y, %dy : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// A scalar broadcast to a shape.
// CHECK-LABEL: func @broadcast
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<f32>) outs(%{{.*}} : tensor<64xf32>)
func.func @broadcast(%s: tensor<f32>) -> tensor<64xf32> {
  %0 = dln.broadcast %s : tensor<f32> -> tensor<64xf32>
  return %0 : tensor<64xf32>
}
