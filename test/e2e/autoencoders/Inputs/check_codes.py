"""Checks an encode block's output against the checkpoint's weights: row i
of CODES.csv must be relu(x_i @ enc.weight + enc.bias) for row i of
INPUTS.csv, to float32 precision.

usage: check_codes.py CHECKPOINT.npz INPUTS.csv CODES.csv"""
import sys

import numpy as np

params = np.load(sys.argv[1])
inputs = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
codes = np.loadtxt(sys.argv[3], delimiter=",", ndmin=2)
expected = np.maximum(inputs @ params["enc.weight"] + params["enc.bias"], 0)
print(f"{codes.shape[0]} codes of {codes.shape[1]}; "
      f"{(codes > 0).mean():.0%} active; "
      f"max |difference| {np.abs(codes - expected).max():.2e}")
if codes.shape != (inputs.shape[0], 32):
    sys.exit(f"expected {inputs.shape[0]} rows of 32 codes, got {codes.shape}")
if not np.allclose(codes, expected, rtol=1e-4, atol=1e-5):
    sys.exit("codes differ from relu(x @ enc.weight + enc.bias)")
