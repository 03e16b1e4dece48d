// RUN: dlnc-opt %s -split-input-file -verify-diagnostics -dln-lower-entry-points | FileCheck %s

// Public tensor functions take memrefs: inputs are viewed as tensors, a result
// with dln.aliases_arg is written back into that argument (in place), and
// other results go to new trailing output arguments. Only updated arguments
// are writable. dln.abi lists every argument's role and access, in order.
// CHECK-LABEL: func @train_step
// CHECK-SAME: (%[[W:.*]]: memref<2x1xf32>, %[[X:.*]]: memref<4x2xf32>, %[[LOSS:.*]]: memref<f32>)
// CHECK-SAME: attributes {dln.abi = [{access = "readwrite", arg = #dln.arg<param, "w">}, {access = "read", arg = #dln.arg<input, "x">}, {access = "write", arg = #dln.arg<loss, "loss">}], dln.entry_point, llvm.emit_c_interface}
// CHECK: %[[WT:.*]] = bufferization.to_tensor %[[W]] restrict writable
// CHECK: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict :
// CHECK: %[[NEW:.*]] = arith.addf
// CHECK: bufferization.materialize_in_destination %{{.*}} in writable %[[W]]
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[LOSS]]
// CHECK: return
// CHECK-NOT: -> 
func.func @train_step(%w: tensor<2x1xf32> {dln.arg = #dln.arg<param, "w">}, %x: tensor<4x2xf32> {dln.arg = #dln.arg<input, "x">})
    -> (tensor<2x1xf32> {dln.aliases_arg = 0 : i64, dln.arg = #dln.arg<param, "w">}, tensor<f32> {dln.arg = #dln.arg<loss, "loss">}) {
  %0 = arith.addf %w, %w : tensor<2x1xf32>
  %l = arith.constant dense<1.0> : tensor<f32>
  return %0, %l : tensor<2x1xf32>, tensor<f32>
}

// Private functions keep their tensor signatures.
// CHECK-LABEL: func private @helper(%{{.*}}: tensor<2xf32>) -> tensor<2xf32>
func.func private @helper(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

// -----

// Every argument of an entry point needs a role for the entry-point table.
// expected-error @+1 {{entry point argument #0 has no dln.arg role}}
func.func @no_role(%w: tensor<2xf32>) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}
