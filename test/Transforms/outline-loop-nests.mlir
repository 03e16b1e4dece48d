// RUN: dlnc-opt %s -dln-outline-loop-nests | FileCheck %s

// Each top-level loop nest of an entry point moves into its own function,
// called no_inline; the outer values it uses become arguments and the
// constants it uses are cloned in, so its trip counts stay known.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[A:.*]]: memref<8xf32>, %[[B:.*]]: memref<8xf32>)
// CHECK: call @train_step_nest0(%[[A]], %[[B]]) {no_inline} : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK: call @train_step_nest1(%[[B]]) {no_inline}
// CHECK-NOT: scf.for
// CHECK: return
// Functions that are not entry points are left alone.
// CHECK-LABEL: func.func @helper
// CHECK: scf.for
// CHECK-LABEL: func.func private @train_step_nest0
// CHECK-SAME: (%[[X:.*]]: memref<8xf32>, %[[Y:.*]]: memref<8xf32>)
// CHECK-DAG: arith.constant 0 : index
// CHECK-DAG: arith.constant 8 : index
// CHECK: scf.for
// CHECK: memref.load %[[X]]
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK-LABEL: func.func private @train_step_nest1
func.func @train_step(%a: memref<8xf32>, %b: memref<8xf32>) attributes {dln.entry_point} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %b[%i] : memref<8xf32>
  }
  %two = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %b[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %b[%i] : memref<8xf32>
  }
  return
}

func.func @helper(%a: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %a[%i] : memref<8xf32>
  }
  return
}
