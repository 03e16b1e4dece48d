#!/usr/bin/env bash
# One idempotent set-up step for dlnc on Debian 12: installs the Debian
# packages that are missing, then configures and builds into ./build.
# Used by both README commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # Toolchain and build.
  g++ cmake ninja-build python3
  # LLVM/MLIR 22 (bookworm-security), lit and FileCheck.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  # clang 22 with its sanitizer and libFuzzer runtimes, and lld: the ASan +
  # UBSan build and the fuzz targets (scripts/build-san.sh, docs/testing.md).
  clang-22 libclang-rt-22-dev lld-22
  # Libraries: runtime data loading (zlib), unit tests, formatting, linear algebra,
  # the runtime's command line (CLI11), metrics JSON (nlohmann/json) and the
  # PNG grids of `./model sample` (stb_image_write, header-only).
  zlib1g-dev libgtest-dev libfmt-dev libeigen3-dev libcli11-dev nlohmann-json3-dev
  libstb-dev
  # Unit tests check that NumPy reads the runtime's .npz checkpoints.
  python3-numpy
  # Tests use PyTorch as the oracle: compiled optimizers against torch.optim
  # (test/e2e/optimizers), loss values (test/e2e/loss-values.test).
  python3-torch
  python3-torchvision
  # ONNX's operator node tests and the reader of their files: the conformance
  # driver of test/e2e/onnx.
  libonnx-testdata python3-onnx
  # Bundled data sets used by the examples and end-to-end tests: Fashion-MNIST,
  # and scikit-learn's iris, wine and breast-cancer CSVs (examples/spec).
  dataset-fashion-mnist python3-sklearn
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  # libmlir-22-dev conflicts with other libmlir-N-dev versions: apt removes them.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -G Ninja -S . -B build \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
cmake --build build -j "$(nproc)"
