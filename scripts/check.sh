#!/usr/bin/env bash
# Everything CI checks (README command 2, after scripts/setup.sh):
#   1. the whole lit suite against ./build (lit, GoogleTests, end-to-end);
#   2. the sanitizer suite: the lit suite against ./build-san, where dlnc,
#      libdlnrt and the compiled models run under ASan + UBSan;
#   3. a fuzz smoke run: every libFuzzer target for FUZZ_SECONDS (default 15).
# Every step runs even if an earlier one fails; the exit status is non-zero if
# any failed. docs/testing.md has the longer runs.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
step() {
  local name=$1 start=$SECONDS
  shift
  echo "check: $name: $*"
  "$@" || { status=1; echo "check: $name FAILED"; }
  echo "check: $name took $((SECONDS - start)) s"
}
step suite cmake --build build --target check-dlnc
step "sanitizer suite" bash scripts/sanitize.sh
step "fuzz smoke" bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
exit "$status"
