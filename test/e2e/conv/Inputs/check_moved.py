"""Checks that parameters trained away from their zero initialization: the
mean absolute value of each named array of a checkpoint is at least MIN.

usage: check_moved.py CHECKPOINT.npz MIN NAME..."""
import sys

import numpy as np

checkpoint, least, names = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
params = np.load(checkpoint)
failed = False
for name in names:
    moved = float(np.abs(params[name]).mean())
    print(f"{name}: mean |value| {moved:.3g}")
    if not moved >= least:
        print(f"{name} stayed within {least:g} of zero", file=sys.stderr)
        failed = True
sys.exit(1 if failed else 0)
