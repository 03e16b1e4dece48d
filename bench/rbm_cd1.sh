#!/usr/bin/env bash
# Training throughput of an RBM trained by CD-1 (examples/spec/rbm_cdk.dln
# with hidden = 256: 784x256 binary units, batch 64, explicit update rules)
# compiled by dlnc against the same updates in PyTorch (bench/torch_rbm.py),
# measured in the same run, PyTorch with 1 thread and with all cores (dlnc's
# code is single-threaded). Usage: bench/rbm_cd1.sh [EPOCHS]
# (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-1}
source bench/peers.sh

sed 's/model rbm_cdk(k = 1, lr = 0.05, hidden = 128)/model rbm_cdk(k = 1, lr = 0.05, hidden = 256)/' \
  examples/spec/rbm_cdk.dln > "$work/rbm.dln"
grep -q "hidden = 256" "$work/rbm.dln"
./build/bin/dlnc "$work/rbm.dln" -o "$work/rbm"
"$work/rbm" train --quiet --epochs "$epochs" --save "$work/rbm.npz" \
  --metrics-json "$work/dlnc.json" >/dev/null
(cd bench && /usr/bin/python3 torch_rbm.py "$epochs" 1) > "$work/torch1.json"
(cd bench && /usr/bin/python3 torch_rbm.py "$epochs" "$(nproc)") > "$work/torchN.json"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
d = json.load(open(f"{work}/dlnc.json"))
t1 = json.load(open(f"{work}/torch1.json"))
tn = json.load(open(f"{work}/torchN.json"))
error = d["test_metrics"]["reconstruction_error"]
print("rbm CD-1 (784x256, batch 64):")
print(f"  dlnc train samples/s          {d['samples_per_second']:10.0f}  reconstruction error {error:.2f}")
print(f"  torch 1 thread samples/s      {t1['samples_per_second']:10.0f}  reconstruction error {t1['test_metric']:.2f}")
print(f"  torch {tn['threads']} threads samples/s     {tn['samples_per_second']:10.0f}  reconstruction error {tn['test_metric']:.2f}")
print(f"  ratio dlnc / torch(1 thread)  {d['samples_per_second'] / t1['samples_per_second']:.2f}")
print(f"  ratio dlnc / torch({tn['threads']} threads) {d['samples_per_second'] / tn['samples_per_second']:.2f}")
PY
