"""Checks a training log: the test reconstruction error of every epoch line
is below the previous one, and the last is at most FRACTION of the error
of the untrained model (an `eval --metrics-json` of its epoch-0 checkpoint).

usage: check_falls.py TRAIN.log UNTRAINED.json FRACTION"""
import json
import re
import sys

log, untrained, fraction = sys.argv[1], sys.argv[2], float(sys.argv[3])
errors = [float(m.group(1)) for m in re.finditer(
    r"^epoch .*test_reconstruction_error ([0-9.]+)", open(log).read(), re.M)]
start = json.load(open(untrained))["test_metrics"]["reconstruction_error"]
print(f"untrained {start:.2f}; by epoch:", " ".join(f"{e:.2f}" for e in errors))
print(f"last/untrained {errors[-1] / start:.3f}, last/first epoch "
      f"{errors[-1] / errors[0]:.3f}")
falling = all(b < a for a, b in zip(errors, errors[1:]))
sys.exit(0 if errors and falling and errors[-1] <= fraction * start else 1)
