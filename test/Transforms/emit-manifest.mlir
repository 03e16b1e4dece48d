// RUN: dlnc-opt %s -dln-emit-manifest | FileCheck %s
// RUN: echo 'module @empty {}' | not dlnc-opt -dln-emit-manifest 2>&1 | FileCheck %s --check-prefix=ERR

// A module without model metadata is rejected.
// ERR: error: missing dln.dtype: not a dlnc model

// The dln.* module attributes become the runtime manifest, one fact a line,
// with exact numbers and percent-encoded strings.
// CHECK: llvm.mlir.global external constant @dln_model_manifest("dln-manifest 1\0Amodel tiny\0Adtype f32\0Abatch 4\0Aepochs 3\0Aseed 7\0Alog_every 0\0Aoptimizer sgd lr=0.1\0Aparam fc.weight 2x1 fan_in=2 fan_out=1 init=fan_in_uniform\0Aparam fc.bias 1 a=-1 b=1 fan_in=2 fan_out=1 init=uniform\0Ainput x 2\0Alabel y real 1\0Aoutput p 1\0Adata dir /my%20data\0Adata train csv label=-1 path=xor.csv scale=0.00392156862745098 skip=0\0Adata test csv label=-1 path=xor.csv scale=0.00392156862745098 skip=0\0A\00")
module @tiny attributes {
  dln.batch = 4 : i64, dln.epochs = 3 : i64, dln.seed = 7 : i64, dln.log_every = 0 : i64,
  dln.dtype = f32, dln.output_name = "p",
  dln.optimizer = {kind = "sgd", lr = 1.000000e-01 : f64},
  dln.params = [{name = "fc.weight", shape = array<i64: 2, 1>, init = "fan_in_uniform", fan_in = 2 : i64, fan_out = 1 : i64},
                {name = "fc.bias", shape = array<i64: 1>, init = "uniform", a = -1.0 : f64, b = 1.0 : f64, fan_in = 2 : i64, fan_out = 1 : i64}],
  dln.input = {name = "x", shape = array<i64: 2>},
  dln.label = {name = "y", kind = "real", shape = array<i64: 1>},
  dln.data = {dir = "/my data",
              train = {kind = "csv", path = "xor.csv", label = -1 : i64, skip = 0 : i64, scale = 0.0039215686274509803 : f64},
              test = {kind = "csv", path = "xor.csv", label = -1 : i64, skip = 0 : i64, scale = 0.0039215686274509803 : f64}}} {
  func.func @eval_step(%w: tensor<2x1xf32>, %b: tensor<1xf32>, %x: tensor<4x2xf32>, %y: tensor<4x1xf32>) -> (tensor<4xf32>, tensor<4x1xf32>) {
    %l = arith.constant dense<0.0> : tensor<4xf32>
    return %l, %y : tensor<4xf32>, tensor<4x1xf32>
  }
}

