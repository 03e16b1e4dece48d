#!/usr/bin/env bash
# Training throughput of LSTM and GRU sequence classifiers (input 32, hidden
# 128, 35 steps, batch 32, a linear head on the last step, cross entropy,
# SGD) compiled by dlnc against the same networks in PyTorch
# (bench/torch_recurrent.py), on the same random sequences, measured in the
# same run, PyTorch with 1 thread and with all cores (dlnc's code is
# single-threaded); also dlnc's compile time of examples/spec/lstm.dln.
# Usage: bench/recurrent.sh [EPOCHS] (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-2}
source bench/peers.sh

/usr/bin/python3 - "$work/seq.csv" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(0)
x = rng.normal(size=(2048, 35 * 32)).astype(np.float32)
y = rng.integers(0, 10, size=(2048, 1))
np.savetxt(sys.argv[1], np.hstack([x, y]), delimiter=",", fmt="%.4g")
PY
start=$(date +%s.%N)
./build/bin/dlnc examples/spec/lstm.dln -o "$work/lstm_rows"
compile=$(echo "$(date +%s.%N) - $start" | bc)
for kind in lstm gru; do
  cat > "$work/$kind.dln" <<DLN
model ${kind}_bench {
  input x: f32[35, 32]
  label y: class[10]
  layer body = $kind(32 -> 128)
  layer head = dense(128 -> 10)
  output logits = head(last(body(x)))
  loss = cross_entropy(logits, y)
}
data { train = csv("seq.csv", label = -1) }
train { optimizer = sgd(lr = 0.01)  batch = 32  epochs = $epochs  seed = 5 }
DLN
  ./build/bin/dlnc "$work/$kind.dln" -o "$work/$kind"
  (cd "$work" && "./$kind" train --quiet --save "$kind.npz" \
    --metrics-json "$kind.json" >/dev/null)
  (cd bench && /usr/bin/python3 torch_recurrent.py "$kind" "$work/seq.csv" "$epochs" 1) > "$work/${kind}_torch1.json"
  (cd bench && /usr/bin/python3 torch_recurrent.py "$kind" "$work/seq.csv" "$epochs" "$(nproc)") > "$work/${kind}_torchN.json"
done
/usr/bin/python3 - "$work" "$compile" <<'PY'
import json, sys
work, compile_seconds = sys.argv[1], float(sys.argv[2])
for kind in ("lstm", "gru"):
    d = json.load(open(f"{work}/{kind}.json"))["samples_per_second"]
    t1 = json.load(open(f"{work}/{kind}_torch1.json"))
    tn = json.load(open(f"{work}/{kind}_torchN.json"))
    print(f"{kind} (input 32, hidden 128, 35 steps, batch 32):")
    print(f"  dlnc train samples/s          {d:10.0f}")
    print(f"  torch 1 thread samples/s      {t1['samples_per_second']:10.0f}")
    print(f"  torch {tn['threads']} threads samples/s     {tn['samples_per_second']:10.0f}")
    print(f"  ratio dlnc / torch(1 thread)  {d / t1['samples_per_second']:.2f}")
    print(f"  ratio dlnc / torch({tn['threads']} threads) {d / tn['samples_per_second']:.2f}")
print(f"dlnc compile time of examples/spec/lstm.dln: {compile_seconds:.2f} s")
PY
