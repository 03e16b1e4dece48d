// RUN: dlnc-opt %s -split-input-file -allow-unregistered-dialect -pass-pipeline='builtin.module(func.func(dln-deallocate-after-last-use))' | FileCheck %s

// The block-end dealloc of two fresh buffers becomes one dealloc per buffer,
// each right after the buffer's last use.
// CHECK-LABEL: func.func @straight_line
//       CHECK:   %[[A:.*]] = memref.alloc
//       CHECK:   linalg.fill {{.*}} outs(%[[A]]
//       CHECK:   %[[B:.*]] = memref.alloc
//       CHECK:   linalg.copy ins(%[[A]] {{.*}} outs(%[[B]]
//  CHECK-NEXT:   bufferization.dealloc (%[[A]] : memref<4xf32>) if (%{{.*}})
//  CHECK-NEXT:   linalg.copy ins(%[[B]] {{.*}} outs(%arg0
//  CHECK-NEXT:   bufferization.dealloc (%[[B]] : memref<4xf32>) if (%{{.*}})
//  CHECK-NEXT:   return
func.func @straight_line(%out: memref<4xf32>) {
  %true = arith.constant true
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>)
  %b = memref.alloc() : memref<4xf32>
  linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
  linalg.copy ins(%b : memref<4xf32>) outs(%out : memref<4xf32>)
  bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%true, %true)
  return
}

// -----

// A use of a view, or a use inside a loop, keeps the buffer alive until
// after the op holding it.
// CHECK-LABEL: func.func @views_and_regions
//       CHECK:   %[[A:.*]] = memref.alloc
//       CHECK:   %[[B:.*]] = memref.alloc
//       CHECK:   %[[V:.*]] = memref.subview %[[A]]
//       CHECK:   scf.for
//       CHECK:     linalg.copy ins(%[[B]]
//       CHECK:   }
//  CHECK-NEXT:   bufferization.dealloc (%[[B]] : memref<4xf32>)
//  CHECK-NEXT:   linalg.copy ins(%[[V]]
//  CHECK-NEXT:   bufferization.dealloc (%[[A]] : memref<8xf32>)
//  CHECK-NEXT:   return
func.func @views_and_regions(%out: memref<4xf32>) {
  %true = arith.constant true
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<4xf32>
  %v = memref.subview %a[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  scf.for %i = %c0 to %c2 step %c1 {
    linalg.copy ins(%b : memref<4xf32>) outs(%out : memref<4xf32>)
  }
  linalg.copy ins(%v : memref<4xf32, strided<[1]>>) outs(%out : memref<4xf32>)
  bufferization.dealloc (%a, %b : memref<8xf32>, memref<4xf32>) if (%true, %true)
  return
}

// -----

// A buffer nobody reads is freed right after its allocation.
// CHECK-LABEL: func.func @unused
//       CHECK:   %[[A:.*]] = memref.alloc
//  CHECK-NEXT:   bufferization.dealloc (%[[A]] : memref<4xf32>)
//  CHECK-NEXT:   memref.alloc
func.func @unused() {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  "test.use"(%b) : (memref<4xf32>) -> ()
  bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%true, %true)
  return
}

// -----

// Left alone: retained values, conditional ownership, buffers that are not
// fresh allocations of the block, and buffers reaching the terminator.
// CHECK-LABEL: func.func @retained
//       CHECK:   bufferization.dealloc (%{{.*}}, %{{.*}} : memref<4xf32>, memref<4xf32>) if (%{{.*}}, %{{.*}}) retain
func.func @retained(%arg0: memref<4xf32>) -> memref<4xf32> {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %r = bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%true, %true) retain (%arg0 : memref<4xf32>)
  return %arg0 : memref<4xf32>
}

// CHECK-LABEL: func.func @conditional
//       CHECK:   bufferization.dealloc (%{{.*}}, %{{.*}} : memref<4xf32>, memref<4xf32>) if (%arg0, %{{.*}})
func.func @conditional(%arg0: i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%arg0, %true)
  return
}

// CHECK-LABEL: func.func @not_fresh
//       CHECK:   bufferization.dealloc (%arg0, %{{.*}} : memref<4xf32>, memref<4xf32>) if
func.func @not_fresh(%arg0: memref<4xf32>) {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  bufferization.dealloc (%arg0, %a : memref<4xf32>, memref<4xf32>) if (%true, %true)
  return
}

// CHECK-LABEL: func.func @escapes
//       CHECK:   bufferization.dealloc (%{{.*}}, %{{.*}} : memref<4xf32>, memref<4xf32>) if
//  CHECK-NEXT:   cf.br
func.func @escapes() {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%true, %true)
  cf.br ^bb1(%a : memref<4xf32>)
^bb1(%x: memref<4xf32>):
  return
}

// -----

// A tensor made from the buffer, and a pointer taken from it, keep it alive
// as long as they are used.
// CHECK-LABEL: func.func @tensor_and_pointer
//       CHECK:   %[[A:.*]] = memref.alloc
//       CHECK:   %[[B:.*]] = memref.alloc
//       CHECK:   %[[T:.*]] = bufferization.to_tensor %[[A]]
//       CHECK:   %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[B]]
//       CHECK:   "test.use"(%[[T]])
//  CHECK-NEXT:   bufferization.dealloc (%[[A]] : memref<4xf32>)
//  CHECK-NEXT:   "test.use"(%[[P]])
//  CHECK-NEXT:   bufferization.dealloc (%[[B]] : memref<4xf32>)
//  CHECK-NEXT:   return
func.func @tensor_and_pointer() {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %t = bufferization.to_tensor %a : memref<4xf32> to tensor<4xf32>
  %p = memref.extract_aligned_pointer_as_index %b : memref<4xf32> -> index
  "test.use"(%t) : (tensor<4xf32>) -> ()
  "test.use"(%p) : (index) -> ()
  bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%true, %true)
  return
}
