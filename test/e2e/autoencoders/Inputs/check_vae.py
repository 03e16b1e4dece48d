"""Checks a VAE run: the training loss (the negative ELBO) falls every
epoch, the samples vary (mean pixel-wise standard deviation across samples
above MIN_STD) and each PNG is a grid of the expected size.

usage: check_vae.py METRICS.json SAMPLES.csv MIN_STD PNG:WIDTH ..."""
import json
import struct
import sys

import numpy as np

metrics = json.load(open(sys.argv[1]))
losses = [epoch["train_loss"] for epoch in metrics["history"]]
print("train loss by epoch:", " ".join(f"{v:.2f}" for v in losses))
failed = not all(b < a for a, b in zip(losses, losses[1:]))
samples = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
spread = samples.std(0).mean()
print(f"{samples.shape[0]} samples, mean pixel std {spread:.3f}")
failed |= not spread > float(sys.argv[3])
for spec in sys.argv[4:]:
    path, width = spec.rsplit(":", 1)
    data = open(path, "rb").read()
    w, h = struct.unpack(">II", data[16:24])
    print(f"{path.rsplit('/', 1)[-1]}: PNG {w}x{h}")
    failed |= data[:8] != b"\x89PNG\r\n\x1a\n" or w != h or w != int(width)
sys.exit(1 if failed else 0)
