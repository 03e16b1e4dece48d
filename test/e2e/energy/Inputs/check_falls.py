"""Checks a training log: the test reconstruction error of every epoch line
is below the previous one, and the last is at most FRACTION of the error
of the untrained model (an `eval --metrics-json` of its epoch-0 checkpoint).
When the model reports a pseudo-log-likelihood (`test_pll`, a stochastic
estimate), the last epoch's is above the first epoch's and the untrained
model's.

usage: check_falls.py TRAIN.log UNTRAINED.json FRACTION"""
import json
import re
import sys

log, untrained, fraction = sys.argv[1], sys.argv[2], float(sys.argv[3])
text = open(log).read()
errors = [float(m.group(1)) for m in re.finditer(
    r"^epoch .*test_reconstruction_error ([0-9.]+)", text, re.M)]
start = json.load(open(untrained))["test_metrics"]
print(f"untrained {start['reconstruction_error']:.2f}; by epoch:",
      " ".join(f"{e:.2f}" for e in errors))
print(f"last/untrained {errors[-1] / start['reconstruction_error']:.3f}, "
      f"last/first epoch {errors[-1] / errors[0]:.3f}")
falling = all(b < a for a, b in zip(errors, errors[1:]))
ok = bool(errors) and falling and \
    errors[-1] <= fraction * start["reconstruction_error"]
plls = [float(m.group(1)) for m in re.finditer(
    r"^epoch .*test_pll (-?[0-9.]+)", text, re.M)]
if "pll" in start:
    print(f"pseudo-log-likelihood: untrained {start['pll']:.2f}; by epoch:",
          " ".join(f"{p:.2f}" for p in plls))
    ok &= bool(plls) and plls[-1] > plls[0] and plls[-1] > start["pll"]
sys.exit(0 if ok else 1)
