#!/usr/bin/env bash
# Runs every libFuzzer target of test/fuzz for SECONDS each (default 60),
# building ./build-san first if needed (docs/testing.md):
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# Each target starts from its seed corpus, test/fuzz/corpus/<target>/ (the
# frontend's for fuzz_compile), and keeps what it learns in
# build-san/fuzz/corpus/<target>/ across runs. Prints executions, speed and
# coverage per target, and the path of any input that crashed it
# (build-san/fuzz/crashes/<target>/); exits non-zero if one did.
# To keep such an input as a regression test, fix the bug and copy the file
# into test/fuzz/corpus/<target>/ (test/fuzz/corpus.test replays them all).
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
((${#targets[@]})) ||
  targets=(fuzz_frontend fuzz_compile fuzz_idx fuzz_csv fuzz_checkpoint)

if ! log=$(bash scripts/build-san.sh "${targets[@]}" 2>&1); then
  echo "$log" | tail -40
  echo "fuzz: building build-san failed (bash scripts/build-san.sh)"
  exit 1
fi

# Largest input per target: room around the biggest seed, small enough to
# keep executions fast. The loaders cap what a header may claim; the RSS
# limit catches allocations that escape the caps.
declare -A max_len=([fuzz_frontend]=8192 [fuzz_compile]=8192 [fuzz_idx]=4096
                    [fuzz_csv]=2048 [fuzz_checkpoint]=8192)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

status=0
for target in "${targets[@]}"; do
  corpus=build-san/fuzz/corpus/$target
  crashes=build-san/fuzz/crashes/$target
  log=build-san/fuzz/$target.log
  mkdir -p "$corpus" "$crashes"
  # Diagnostics of rejected inputs go to the closed stdout/stderr; libFuzzer
  # and sanitizer reports still reach the log.
  seeds=test/fuzz/corpus/$target
  dict=()
  case $target in
  fuzz_frontend | fuzz_compile)
    seeds=test/fuzz/corpus/fuzz_frontend
    dict=(-dict=test/fuzz/dln.dict)
    ;;
  esac
  "build-san/test/fuzz/$target" -max_total_time="$seconds" \
    -max_len="${max_len[$target]:-4096}" -rss_limit_mb=2048 -timeout=10 \
    -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$crashes/" \
    "${dict[@]}" "$corpus" "$seeds" >"$log" 2>&1
  rc=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  crash=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | cut -d' ' -f5)
  printf 'fuzz: %-16s %4ss  %9s execs  %6s/s  %s  corpus %s\n' "$target" \
    "$seconds" "${execs:-?}" "${speed:-?}" "${cov:-cov: ?}" \
    "$(find "$corpus" -type f | wc -l)"
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "fuzz: $target FAILED (exit $rc): ${crash:-see $log}"
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"
  fi
done
exit "$status"
