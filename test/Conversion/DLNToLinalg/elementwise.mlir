// RUN: dlnc-opt %s -convert-dln-to-linalg | FileCheck %s

// Binary ops become identity-mapped generics with fast-math float ops.
// CHECK-LABEL: func @add
// CHECK: linalg.generic {indexing_maps = [#[[ID:.*]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc,contract>
// CHECK-NOT: dln.
func.func @add(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.add %a, %b : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Each binary op's scalar body.
// CHECK-LABEL: func @binary
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: arith.maximumf
func.func @binary(%a: tensor<3xf64>, %b: tensor<3xf64>) -> tensor<3xf64> {
  %0 = dln.sub %a, %b : tensor<3xf64>
  %1 = dln.mul %0, %b : tensor<3xf64>
  %2 = dln.div %1, %b : tensor<3xf64>
  %3 = dln.max %2, %a : tensor<3xf64>
  return %3 : tensor<3xf64>
}

// sigmoid(x) = 1 / (1 + exp(-x))
// CHECK-LABEL: func @sigmoid
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @sigmoid(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.sigmoid %a : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Unary math ops map to the math dialect.
// CHECK-LABEL: func @unary
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.absf
// CHECK: arith.negf
func.func @unary(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.tanh %a : tensor<4x8xf32>
  %1 = dln.exp %0 : tensor<4x8xf32>
  %2 = dln.log %1 : tensor<4x8xf32>
  %3 = dln.sqrt %2 : tensor<4x8xf32>
  %4 = dln.abs %3 : tensor<4x8xf32>
  %5 = dln.neg %4 : tensor<4x8xf32>
  return %5 : tensor<4x8xf32>
}

// relu selects on x > 0.
// CHECK-LABEL: func @relu
// CHECK: arith.cmpf ogt
// CHECK: arith.select
func.func @relu(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dln.relu %a : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// sign is (x > 0) - (x < 0).
// CHECK-LABEL: func @sign
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: arith.subf
func.func @sign(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dln.sign %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func @floor
// CHECK: math.floor %{{.*}} : f32
func.func @floor(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dln.floor %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Comparisons give 0/1 in the float type; select tests its condition != 0.
// CHECK-LABEL: func @compare_select
// CHECK: arith.cmpf oge
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf une
// CHECK: arith.select
func.func @compare_select(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dln.compare ge, %a, %b : tensor<4xf32>
  %1 = dln.select %0, %a, %b : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// stop_gradient disappears.
// CHECK-LABEL: func @stop_gradient
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[A]]
func.func @stop_gradient(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dln.stop_gradient %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}
