# -*- Python -*-
# lit configuration of the dlnc test suite.
import os
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "dlnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".dln", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlnc_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "corpus"]

llvm_config.with_system_environment(["HOME", "TMPDIR", "PATH"])
llvm_config.use_default_substitutions()
# `not`, `split-file` and `count` are in LLVM's tool directory.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["dlnc", "dlnc-opt"], [os.path.join(config.dlnc_obj_root, "bin")])
config.substitutions.append(
    ("%examples", os.path.join(config.dlnc_src_root, "examples")))
config.substitutions.append(("%python", config.python_executable))
# Building an application that embeds compiled models against libdlnrt: in a
# sanitized build (DLNC_SANITIZE, docs/testing.md) the objects dlnc emits and
# the runtime are instrumented, so link with the compiler that built them.
if config.dlnc_sanitize:
    config.substitutions.append(
        ("%cxx", config.cxx_compiler + " -fsanitize=" + config.dlnc_sanitize))
    config.available_features.add("sanitizers")
    # A report aborts, so `not` counts it as a crash, never as the expected
    # failure; leaks are reports too.
    options = "abort_on_error=1:print_stacktrace=1"
    config.environment["ASAN_OPTIONS"] = options + ":detect_leaks=1"
    config.environment["UBSAN_OPTIONS"] = options
else:
    config.substitutions.append(("%cxx", "c++"))
if config.dlnc_fuzz in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("fuzz")
config.substitutions.append(
    ("%fuzz_bin", os.path.join(config.dlnc_obj_root, "test", "fuzz")))
config.substitutions.append(
    ("%dlnrt_cflags",
     "-std=c++17 -I" + os.path.join(config.dlnc_src_root, "runtime", "include")))
config.substitutions.append(
    ("%dlnrt_libs", "-L" + os.path.join(config.dlnc_obj_root, "lib") +
     " -ldlnrt -lz -lm -lpthread"))

# mlir-runner and its runtime libraries, for tests that execute generated MLIR
# (test/Ops/op_harness.py). The libraries sit in LLVM's lib directory.
mlir_runner = os.path.join(config.llvm_tools_dir, "mlir-runner")
runner_libs = getattr(config, "llvm_lib_dir", None) or os.path.join(
    os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(("%mlir_runner_libs", runner_libs))
config.substitutions.append(("%mlir_runner", mlir_runner))
if os.path.exists(mlir_runner) and os.path.exists(
        os.path.join(runner_libs, "libmlir_runner_utils.so")):
    config.available_features.add("mlir-runner")

# End-to-end tests that read Debian's dataset-fashion-mnist.
if os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
    config.available_features.add("fashion-mnist")

# scikit-learn's CSVs (Debian's python3-sklearn), read by examples/spec.
if os.path.exists("/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv"):
    config.available_features.add("sklearn-data")

# ONNX's node tests (Debian's libonnx-testdata, read with python3-onnx), the
# conformance suite of test/e2e/onnx.
if os.path.isdir("/usr/share/libonnx-testdata/data/node") and subprocess.run(
        [config.python_executable, "-c", "import onnx"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("onnx-testdata")

# PyTorch as the oracle of test/e2e/optimizers (Debian's python3-torch).
if subprocess.run([config.python_executable, "-c", "import torch"],
                  stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("torch")

# torchvision.ops.deform_conv2d, the oracle of deformable convolution
# (Debian's python3-torchvision).
if subprocess.run([config.python_executable, "-c",
                   "from torchvision.ops import deform_conv2d"],
                  capture_output=True).returncode == 0:
    config.available_features.add("torchvision")
