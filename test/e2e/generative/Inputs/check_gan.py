"""Checks a GAN run: both steps report a finite loss in every epoch, the
samples do not collapse (mean pixel-wise standard deviation across the
samples above MIN_STD) and the PNG is a grid of the expected size.

usage: check_gan.py METRICS.json SAMPLES.csv MIN_STD PNG:WIDTH"""
import json
import math
import struct
import sys

import numpy as np

metrics = json.load(open(sys.argv[1]))
failed = False
for epoch in metrics["history"]:
    losses = epoch.get("train_step_losses", {})
    print(f"epoch {epoch['epoch']}: " +
          "  ".join(f"{k} {v}" for k, v in losses.items()))
    failed |= sorted(losses) != ["discriminator", "generator"]
    failed |= not all(v is not None and math.isfinite(v)
                      for v in losses.values())
samples = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
spread = samples.std(0).mean()
print(f"{samples.shape[0]} samples, mean pixel std {spread:.3f}")
failed |= not spread > float(sys.argv[3])
path, width = sys.argv[4].rsplit(":", 1)
data = open(path, "rb").read()
w, h = struct.unpack(">II", data[16:24])
print(f"{path.rsplit('/', 1)[-1]}: PNG {w}x{h}")
failed |= data[:8] != b"\x89PNG\r\n\x1a\n" or w != h or w != int(width)
sys.exit(1 if failed else 0)
