// RUN: dlnc-opt %s -dln-emit-manifest | FileCheck %s
// RUN: echo 'module @empty {}' | not dlnc-opt -dln-emit-manifest 2>&1 | FileCheck %s --check-prefix=ERR

// A module without model metadata is rejected.
// ERR: error: missing dln.* model attributes: not a dlnc model

// The dln.* module attributes and the dln.abi tables of the lowered entry
// points become the JSON model description (docs/runtime.md), with exact
// numbers and the batch dimension of batched arguments marked (its size is
// the caller's: -1).
// CHECK: llvm.mlir.global external constant @dln_tiny_manifest("{
// CHECK-SAME: \22batch\22:4
// CHECK-SAME: \22data\22:{\22dir\22:\22/my data\22,\22test\22:{\22kind\22:\22csv\22,\22label\22:-1,\22path\22:\22xor.csv\22,\22scale\22:0.0039215686274509803,\22skip\22:0}
// CHECK-SAME: \22dtype\22:\22f32\22
// CHECK-SAME: \22entry_points\22:[{\22args\22:[{\22access\22:\22read\22,\22dtype\22:\22f32\22,\22name\22:\22fc.weight\22,\22role\22:\22param\22,\22shape\22:[2,1]}
// CHECK-SAME: {\22access\22:\22read\22,\22batch_dim\22:0,\22dtype\22:\22f32\22,\22name\22:\22x\22,\22role\22:\22input\22,\22shape\22:[-1,2]}
// CHECK-SAME: {\22access\22:\22write\22,\22batch_dim\22:0,\22dtype\22:\22f32\22,\22name\22:\22loss\22,\22role\22:\22loss\22,\22shape\22:[-1]}
// CHECK-SAME: {\22access\22:\22write\22,\22batch_dim\22:0,\22dtype\22:\22f32\22,\22name\22:\22p\22,\22role\22:\22output\22,\22shape\22:[-1,1]}],\22name\22:\22eval_step\22}]
// CHECK-SAME: \22format\22:\22dlnc-model\22
// CHECK-SAME: \22inputs\22:[{\22name\22:\22x\22,\22shape\22:[2]}]
// CHECK-SAME: \22labels\22:[{\22kind\22:\22real\22,\22name\22:\22y\22,\22shape\22:[1]}]
// CHECK-SAME: \22model\22:\22tiny\22
// CHECK-SAME: \22outputs\22:[{\22name\22:\22p\22,\22shape\22:[1]}]
// CHECK-SAME: \22params\22:[{\22init\22:{\22fan_in\22:2,\22fan_out\22:1,\22kind\22:\22fan_in_uniform\22},\22name\22:\22fc.weight\22,\22shape\22:[2,1]},{\22init\22:{\22a\22:-1,\22b\22:1,\22fan_in\22:2,\22fan_out\22:1,\22kind\22:\22uniform\22},\22name\22:\22fc.bias\22,\22shape\22:[1]}]
// CHECK-SAME: \22state\22:[{\22init\22:{\22fan_in\22:0,\22fan_out\22:0,\22kind\22:\22zeros\22},\22name\22:\22fc.weight.momentum_buffer\22,\22shape\22:[2,1]}]
// CHECK-SAME: \22train\22:{\22epochs\22:3,\22log_every\22:0,\22optimizer\22:{\22dampening\22:0,\22kind\22:\22sgd\22,\22lr\22:0.10000000000000001,\22momentum\22:0.90000000000000002,\22nesterov\22:true,\22weight_decay\22:0},\22seed\22:7}
// CHECK-SAME: \22version\22:3}\00")
module @tiny attributes {
  dln.batch = 4 : i64, dln.epochs = 3 : i64, dln.seed = 7 : i64, dln.log_every = 0 : i64,
  dln.dtype = f32,
  dln.optimizer = #dln.optimizer<"sgd", lr = 1.000000e-01 : f64, {dampening = 0.000000e+00 : f64, momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 0.000000e+00 : f64}>,
  dln.params = [#dln.tensor<"fc.weight", [2, 1], #dln.init<"fan_in_uniform", fan_in = 2, fan_out = 1>>,
                #dln.tensor<"fc.bias", [1], #dln.init<"uniform", fan_in = 2, fan_out = 1, args = [-1.0, 1.0]>>],
  dln.state = [#dln.tensor<"fc.weight.momentum_buffer", [2, 1], #dln.init<"zeros", fan_in = 0, fan_out = 0>>],
  dln.input = #dln.sample<"x", [2]>,
  dln.label = #dln.sample<"y", [1]>,
  dln.data = #dln.data<"/my data",
              train = #dln.csv<"xor.csv", label = -1, skip = 0, scale = 0.0039215686274509803 : f64>,
              test = #dln.csv<"xor.csv", label = -1, skip = 0, scale = 0.0039215686274509803 : f64>>} {
  func.func @eval_step(%w: memref<2x1xf32>, %b: memref<1xf32>, %x: memref<?x2xf32>, %y: memref<?x1xf32>, %l: memref<?xf32>, %p: memref<?x1xf32>)
      attributes {dln.abi = [{arg = #dln.arg<param, "fc.weight">, access = "read"}, {arg = #dln.arg<param, "fc.bias">, access = "read"},
                             {arg = #dln.arg<input, "x">, access = "read"}, {arg = #dln.arg<label, "y">, access = "read"},
                             {arg = #dln.arg<loss, "loss">, access = "write"}, {arg = #dln.arg<output, "p">, access = "write"}]} {
    return
  }
}
