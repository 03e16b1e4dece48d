#!/usr/bin/env python3
"""Error of dlnc's f32 math approximations (dln-approximate-math) in ulps.

Builds one module whose `main` applies math.exp, math.log and math.tanh to
sweeps of f32 inputs and prints the results' bits; dlnc-opt applies the
approximations and lowers it, mlir-runner runs it. Each result is compared
with the correctly rounded f32 value (NumPy in f64, then rounded): the
largest error in units in the last place must stay within the bound below.
Usage: math_accuracy.py DLNC_OPT MLIR_RUNNER RUNNER_LIBS
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

# function: (inputs, reference in f64, largest error in ulps). Inputs cover
# the ranges models use: logits and activations, probabilities.
CASES = {
    "exp": (np.linspace(-87.0, 88.0, 3001, dtype=np.float32), np.exp, 2),
    "log": (np.geomspace(1e-30, 1e30, 3001).astype(np.float32), np.log, 2),
    "tanh": (np.linspace(-9.0, 9.0, 3001, dtype=np.float32), np.tanh, 5),
}


def module():
    lines = ["func.func private @printMemrefI32(memref<*xi32>)",
             "func.func @main() {",
             "  %c0 = arith.constant 0 : index",
             "  %c1 = arith.constant 1 : index"]
    for name, (inputs, _, _) in CASES.items():
        n = inputs.size
        bits = inputs.view(np.int32)
        data = ", ".join(str(int(b)) for b in bits)
        lines += [
            f"  %{name}_in = memref.get_global @{name}_in : memref<{n}xi32>",
            f"  %{name}_out = memref.alloc() : memref<{n}xi32>",
            f"  %{name}_n = arith.constant {n} : index",
            f"  scf.for %i = %c0 to %{name}_n step %c1 {{",
            f"    %b = memref.load %{name}_in[%i] : memref<{n}xi32>",
            "    %x = arith.bitcast %b : i32 to f32",
            f"    %y = math.{name} %x : f32",
            "    %r = arith.bitcast %y : f32 to i32",
            f"    memref.store %r, %{name}_out[%i] : memref<{n}xi32>",
            "  }",
            f"  %{name}_u = memref.cast %{name}_out : memref<{n}xi32> to memref<*xi32>",
            f"  call @printMemrefI32(%{name}_u) : (memref<*xi32>) -> ()"]
        lines.insert(0, f"memref.global \"private\" constant @{name}_in : "
                        f"memref<{n}xi32> = dense<[{data}]>")
    lines += ["  return", "}"]
    return "\n".join(lines)


def ulps(got, want):
    """|got - want| in units of the f32 spacing at want."""
    want32 = want.astype(np.float32)
    spacing = np.spacing(np.abs(want32)).astype(np.float64)
    return np.abs(got.astype(np.float64) - want) / spacing


def main():
    dlnc_opt, runner, libs = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.mlir")
        with open(path, "w") as f:
            f.write(module())
        pipeline = ("builtin.module(func.func(dln-approximate-math),"
                    "convert-scf-to-cf,convert-math-to-llvm,"
                    "convert-arith-to-llvm,finalize-memref-to-llvm,"
                    "convert-func-to-llvm,convert-cf-to-llvm,"
                    "reconcile-unrealized-casts)")
        lowered = subprocess.run([dlnc_opt, path, "--pass-pipeline=" + pipeline],
                                 check=True, capture_output=True, text=True)
        run = subprocess.run(
            [runner, "-e", "main", "-entry-point-result=void",
             f"-shared-libs={libs}/libmlir_runner_utils.so,"
             f"{libs}/libmlir_c_runner_utils.so"],
            input=lowered.stdout, check=True, capture_output=True, text=True)
    printed = re.findall(r"data =\s*\[([^\]]*)\]", run.stdout)
    failed = 0
    for (name, (inputs, reference, bound)), data in zip(CASES.items(), printed):
        bits = np.array([int(v) for v in data.replace("\n", " ").split(",")],
                        dtype=np.int32)
        got = bits.view(np.float32)
        error = ulps(got, reference(inputs.astype(np.float64))).max()
        ok = error <= bound
        failed += not ok
        print(f"{name:5s} max error {error:.2f} ulp (bound {bound}) "
              f"{'ok' if ok else 'FAIL'}")
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
