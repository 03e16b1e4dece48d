#!/usr/bin/env bash
# Runs the lit suite (GoogleTests and end-to-end tests included) against
# ./build-san, where dlnc, libdlnrt and every model dlnc compiles run under
# AddressSanitizer + UndefinedBehaviorSanitizer (docs/testing.md). Builds
# build-san first if needed.
#   bash scripts/sanitize.sh            # the whole suite
#   bash scripts/sanitize.sh PATH...    # test files or directories under test/
set -uo pipefail
cd "$(dirname "$0")/.."

if ! log=$(bash scripts/build-san.sh 2>&1); then
  echo "$log" | tail -40
  echo "sanitize: building build-san failed (bash scripts/build-san.sh)"
  exit 1
fi
tests=("$@")
((${#tests[@]})) || tests=(test)
paths=()
for t in "${tests[@]}"; do paths+=("build-san/${t%/}"); done
# lit maps build-tree paths back to the sources through lit.site.cfg.py.
/usr/lib/llvm-22/bin/lit -sv "${paths[@]}"
