#!/usr/bin/env bash
# Training throughput of examples/spec/lenet5.dln,
# examples/spec/autoencoder_conv.dln (batch 64) and examples/spec/unet.dln
# (batch 32) compiled by dlnc against the
# same networks in PyTorch (Debian's python3-torch, bench/torch_conv.py),
# measured in the same run, PyTorch with 1 thread and with all cores (dlnc's
# code is single-threaded). Usage: bench/conv_models.sh [EPOCHS]
# (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-1}
source bench/peers.sh

for model in lenet5 autoencoder_conv unet; do
  ./build/bin/dlnc "examples/spec/$model.dln" -o "$work/$model"
  "$work/$model" train --quiet --epochs "$epochs" --save "$work/$model.npz" \
    --metrics-json "$work/$model.dlnc.json" >/dev/null
  /usr/bin/python3 bench/torch_conv.py "$model" "$epochs" 1 > "$work/$model.torch1.json"
  /usr/bin/python3 bench/torch_conv.py "$model" "$epochs" "$(nproc)" > "$work/$model.torchN.json"
  /usr/bin/python3 - "$work" "$model" <<'PY'
import json, sys
work, model = sys.argv[1], sys.argv[2]
d = json.load(open(f"{work}/{model}.dlnc.json"))
t1 = json.load(open(f"{work}/{model}.torch1.json"))
tn = json.load(open(f"{work}/{model}.torchN.json"))
metric = "test_accuracy" if "test_accuracy" in d else "test_loss"
print(f"{model}:")
print(f"  dlnc train samples/s          {d['samples_per_second']:10.0f}  {metric} {d[metric]:.4f}")
print(f"  torch 1 thread samples/s      {t1['samples_per_second']:10.0f}  test metric {t1['test_metric']:.4f}")
print(f"  torch {tn['threads']} threads samples/s     {tn['samples_per_second']:10.0f}  test metric {tn['test_metric']:.4f}")
print(f"  ratio dlnc / torch(1 thread)  {d['samples_per_second'] / t1['samples_per_second']:.2f}")
print(f"  ratio dlnc / torch({tn['threads']} threads) {d['samples_per_second'] / tn['samples_per_second']:.2f}")
PY
done
