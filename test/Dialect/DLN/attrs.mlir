// RUN: dlnc-opt %s | dlnc-opt | FileCheck %s
// Round trip of the dln attributes: tensor specs with their initializers, and
// the roles of entry-point arguments.

// CHECK: module attributes {dln.params = [#dln.tensor<"fc.weight", [2, 3], <"glorot_uniform", fan_in = 2, fan_out = 3>>, #dln.tensor<"fc.bias", [3], <"uniform", fan_in = 2, fan_out = 3, args = [-1.000000e+00, 1.000000e+00]>>]}
module attributes {dln.params = [#dln.tensor<"fc.weight", [2, 3], #dln.init<"glorot_uniform", fan_in = 2, fan_out = 3>>,
                                 #dln.tensor<"fc.bias", [3], #dln.init<"uniform", fan_in = 2, fan_out = 3, args = [-1.0, 1.0]>>]} {
  // CHECK-LABEL: func @roles
  // CHECK-SAME: {dln.arg = #dln.arg<optimizer_state, "fc.weight.momentum">}
  // CHECK-SAME: -> (tensor<f32> {dln.arg = #dln.arg<loss, "loss">})
  func.func @roles(%v: tensor<2x3xf32> {dln.arg = #dln.arg<optimizer_state, "fc.weight.momentum">}) -> (tensor<f32> {dln.arg = #dln.arg<loss, "loss">}) {
    %c = arith.constant dense<0.0> : tensor<f32>
    return %c : tensor<f32>
  }
}
