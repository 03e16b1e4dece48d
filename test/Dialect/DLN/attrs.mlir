// RUN: dlnc-opt %s | dlnc-opt | FileCheck %s
// Round trip of the dln attributes: the model description (data sources,
// samples, optimizer, tensor specs with their initializers) and the roles of
// entry-point arguments.

// CHECK: module attributes {
// CHECK-SAME: dln.data = #dln.data<"/data", train = #dln.idx<"images.gz", "labels.gz", scale = 5.000000e-01 : f64>, test = #dln.csv<"t.csv", label = -1, skip = 1, scale = 1.000000e+00 : f64>>
// CHECK-SAME: dln.input = #dln.sample<"x", [1, 28, 28]>
// CHECK-SAME: dln.label = #dln.class_label<"y", 10>
// CHECK-SAME: dln.optimizer = #dln.optimizer<"adam", lr = 1.000000e-03 : f64, {amsgrad = false, betas = array<f64: 9.000000e-01, 0.99899999999999999>, eps = 1.000000e-08 : f64}>
// CHECK-SAME: dln.params = [#dln.tensor<"fc.weight", [2, 3], <"glorot_uniform", fan_in = 2, fan_out = 3>>, #dln.tensor<"fc.bias", [3], <"uniform", fan_in = 2, fan_out = 3, args = [-1.000000e+00, 1.000000e+00]>>]}
module attributes {
    dln.data = #dln.data<"/data", train = #dln.idx<"images.gz", "labels.gz", scale = 0.5 : f64>, test = #dln.csv<"t.csv", label = -1, skip = 1, scale = 1.0 : f64>>,
    dln.input = #dln.sample<"x", [1, 28, 28]>, dln.label = #dln.class_label<"y", 10>,
    dln.optimizer = #dln.optimizer<"adam", lr = 1.0e-03 : f64, {betas = array<f64: 0.9, 0.999>, eps = 1.0e-08 : f64, amsgrad = false}>,
    dln.params = [#dln.tensor<"fc.weight", [2, 3], #dln.init<"glorot_uniform", fan_in = 2, fan_out = 3>>,
                                 #dln.tensor<"fc.bias", [3], #dln.init<"uniform", fan_in = 2, fan_out = 3, args = [-1.0, 1.0]>>]} {
  // CHECK-LABEL: func @roles
  // CHECK-SAME: {dln.arg = #dln.arg<optimizer_state, "fc.weight.momentum_buffer">}
  // CHECK-SAME: -> (tensor<f32> {dln.arg = #dln.arg<loss, "loss">})
  func.func @roles(%v: tensor<2x3xf32> {dln.arg = #dln.arg<optimizer_state, "fc.weight.momentum_buffer">}) -> (tensor<f32> {dln.arg = #dln.arg<loss, "loss">}) {
    %c = arith.constant dense<0.0> : tensor<f32>
    return %c : tensor<f32>
  }
}

