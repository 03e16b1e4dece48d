#!/usr/bin/env bash
# Training throughput of examples/mlp_fashion.dln compiled by dlnc against the
# same network in PyTorch (Debian's python3-torch), measured in the same run.
# dlnc's code is single-threaded, so PyTorch is timed with 1 thread and with
# all cores. Usage: bench/mlp_fashion.sh [EPOCHS]   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-2}
source bench/peers.sh

start=$(date +%s%N)
./build/bin/dlnc examples/mlp_fashion.dln -o "$work/mlp"
compile=$(( ($(date +%s%N) - start) / 1000000 ))e-3
"$work/mlp" train --quiet --epochs "$epochs" --save "$work/p" --metrics-json "$work/dlnc.json" >/dev/null
/usr/bin/python3 bench/torch_mlp.py "$epochs" 1 > "$work/torch1.json"
/usr/bin/python3 bench/torch_mlp.py "$epochs" "$(nproc)" > "$work/torchN.json"

/usr/bin/python3 - "$work" "$compile" <<'PY'
import json, sys
work, compile_s = sys.argv[1], float(sys.argv[2])
d = json.load(open(f"{work}/dlnc.json"))
t1 = json.load(open(f"{work}/torch1.json"))
tn = json.load(open(f"{work}/torchN.json"))
print(f"dlnc compile time          {compile_s:8.2f} s")
print(f"dlnc train samples/s       {d['samples_per_second']:10.0f}  test_acc {d['test_accuracy']:.4f}")
print(f"torch 1 thread samples/s   {t1['samples_per_second']:10.0f}  test_acc {t1['test_accuracy']:.4f}")
print(f"torch {tn['threads']} threads samples/s  {tn['samples_per_second']:10.0f}  test_acc {tn['test_accuracy']:.4f}")
print(f"ratio dlnc / torch(1 thread)  {d['samples_per_second'] / t1['samples_per_second']:.2f}")
print(f"ratio dlnc / torch({tn['threads']} threads) {d['samples_per_second'] / tn['samples_per_second']:.2f}")
PY
