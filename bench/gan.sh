#!/usr/bin/env bash
# Training throughput of the GAN of examples/spec/gan.dln (G 64-256-784,
# D 784-256-1, BCE, Adam for both, batch 64, one discriminator and one
# generator step per batch) compiled by dlnc against the same recipe in
# PyTorch (bench/torch_gan.py), measured in the same run, PyTorch with 1
# thread and with all cores (dlnc's code is single-threaded).
# Usage: bench/gan.sh [EPOCHS]   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-1}
source bench/peers.sh

./build/bin/dlnc examples/spec/gan.dln -o "$work/gan"
"$work/gan" train --quiet --epochs "$epochs" --save "$work/gan.npz" \
  --metrics-json "$work/dlnc.json" >/dev/null
(cd bench && /usr/bin/python3 torch_gan.py "$epochs" 1) > "$work/torch1.json"
(cd bench && /usr/bin/python3 torch_gan.py "$epochs" "$(nproc)") > "$work/torchN.json"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
d = json.load(open(f"{work}/dlnc.json"))
t1 = json.load(open(f"{work}/torch1.json"))
tn = json.load(open(f"{work}/torchN.json"))
losses = d["train_step_losses"]
print("gan (G 64-256-784, D 784-256-1, batch 64, one D + one G step):")
print(f"  dlnc train samples/s          {d['samples_per_second']:10.0f}  "
      f"d_loss {losses['discriminator']:.3f}  g_loss {losses['generator']:.3f}")
for t in (t1, tn):
    print(f"  torch {t['threads']} thread(s) samples/s   {t['samples_per_second']:10.0f}  "
          f"d_loss {t['discriminator_loss']:.3f}  g_loss {t['generator_loss']:.3f}")
print(f"  ratio dlnc / torch(1 thread)  {d['samples_per_second'] / t1['samples_per_second']:.2f}")
print(f"  ratio dlnc / torch({tn['threads']} threads) {d['samples_per_second'] / tn['samples_per_second']:.2f}")
PY
