// RUN: dlnc-opt %s -split-input-file -dln-merge-duplicate-functions | FileCheck %s

// Private functions with equal bodies (locations aside) merge into the first;
// every call of the others is redirected to it.
// CHECK-LABEL: func.func @train_step
// CHECK: call @nest0(%{{.*}}) {no_inline}
// CHECK: call @nest0(%{{.*}}) {no_inline}
// CHECK: call @nest2(%{{.*}}) {no_inline}
// CHECK-LABEL: func.func private @nest0
// CHECK-NOT: func.func private @nest1
// CHECK-LABEL: func.func private @nest2
// CHECK: arith.constant 3.0
func.func @train_step(%a: memref<8xf32>, %b: memref<8xf32>) {
  call @nest0(%a) {no_inline} : (memref<8xf32>) -> ()
  call @nest1(%b) {no_inline} : (memref<8xf32>) -> ()
  call @nest2(%b) {no_inline} : (memref<8xf32>) -> ()
  return
}
func.func private @nest0(%x: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %two = arith.constant 2.0 : f32
  memref.store %two, %x[%c0] : memref<8xf32>
  return
}
func.func private @nest1(%y: memref<8xf32>) {
  %c0 = arith.constant 0 : index loc("other.dln":3:4)
  %two = arith.constant 2.0 : f32
  memref.store %two, %y[%c0] : memref<8xf32>
  return
}
// Same shape of body, another constant: kept.
func.func private @nest2(%y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %three = arith.constant 3.0 : f32
  memref.store %three, %y[%c0] : memref<8xf32>
  return
}

// -----

// Public functions are never merged: callers outside the module see them.
// CHECK-LABEL: func.func @first
// CHECK-LABEL: func.func @second
func.func @first(%x: memref<8xf32>) {
  return
}
func.func @second(%x: memref<8xf32>) {
  return
}

// -----

// Equal bodies with different types stay apart.
// CHECK-LABEL: func.func private @f32_copy
// CHECK-LABEL: func.func private @f64_copy
func.func private @f32_copy(%x: memref<8xf32>, %y: memref<8xf32>) {
  memref.copy %x, %y : memref<8xf32> to memref<8xf32>
  return
}
func.func private @f64_copy(%x: memref<8xf64>, %y: memref<8xf64>) {
  memref.copy %x, %y : memref<8xf64> to memref<8xf64>
  return
}
func.func @use(%a: memref<8xf32>, %b: memref<8xf64>) {
  call @f32_copy(%a, %a) : (memref<8xf32>, memref<8xf32>) -> ()
  call @f64_copy(%b, %b) : (memref<8xf64>, memref<8xf64>) -> ()
  return
}
