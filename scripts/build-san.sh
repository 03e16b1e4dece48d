#!/usr/bin/env bash
# Configures and builds ./build-san: dlnc, libdlnrt and the tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, plus the libFuzzer targets of
# test/fuzz, all with clang-22 (docs/testing.md). -O1 with line tables: fast
# enough, and reports name source lines. Arguments are ninja targets (default:
# everything). scripts/setup.sh installs the packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build-san/build.ninja ]; then
  cmake -G Ninja -S . -B build-san \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
    -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    -DDLNC_SANITIZE=address,undefined -DDLNC_FUZZ=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
fi
cmake --build build-san -j "$(nproc)" ${1+--target "$@"}
