// RUN: dlnc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(dln-approximate-math))' | FileCheck %s

// f32 tanh and exp become arithmetic (no libm call per element).
// CHECK-LABEL: func @f32_activations
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK: return
func.func @f32_activations(%x: f32) -> (f32, f32) {
  %t = math.tanh %x : f32
  %e = math.exp %x : f32
  return %t, %e : f32, f32
}

// -----

// f64 keeps libm's accuracy: gradient checks run in f64.
// CHECK-LABEL: func @f64_kept
// CHECK: math.tanh
// CHECK: math.log
func.func @f64_kept(%x: f64) -> (f64, f64) {
  %t = math.tanh %x : f64
  %l = math.log %x : f64
  return %t, %l : f64, f64
}
