#!/usr/bin/env bash
# Compile time of dlnc against model depth: MLPs of N dense(16 -> 16) + relu
# layers. Compile time should grow about linearly with N.
# Usage: bench/compile_depth.sh [N ...]   (default 50 100 200; after scripts/setup.sh)
# DLNC=/other/build/bin/dlnc compares another compiler (an older commit, say).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in "${@:-50 100 200}"; do
  for depth in $n; do
    /usr/bin/python3 bench/deep_mlp.py "$depth" > "$work/deep$depth.dln"
    start=$(date +%s%N)
    "${DLNC:-./build/bin/dlnc}" "$work/deep$depth.dln" -o "$work/deep$depth"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    printf 'depth %4d layers: compile %7.2f s  (%.3f s per layer)\n' "$depth" \
      "$(echo "$ms" | awk '{print $1 / 1000}')" "$(echo "$ms $depth" | awk '{print $1 / 1000 / $2}')"
  done
done
