"""Helpers of the agreement scripts (gan_agreement.py, vae_agreement.py,
cd1_agreement.py): compile a generated .dln, train it from its own initial
parameters, and compare arrays."""
import argparse
import json
import os
import subprocess

import numpy as np


def run(args, cwd):
    """Runs a command in `cwd`; raises with its stderr when it fails."""
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr}")


def relative(a, b):
    """Largest |a - b| / max(|b|, 1e-6) over the elements."""
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)) /
                        np.maximum(np.abs(np.asarray(b)), 1e-6)))


def train_from_init(dlnc, directory, source):
    """Compiles `source` (a .dln in `directory`) to `model`, saves its
    initial parameters (`--epochs 0`), trains it as the program says and
    returns (initial, final, history): the two checkpoints as dicts of
    arrays and the metrics JSON's per-epoch history."""
    run([dlnc, source, "-o", "model"], directory)
    run(["./model", "train", "--quiet", "--epochs", "0", "--save",
         "init.npz"], directory)
    run(["./model", "train", "--quiet", "--save", "final.npz",
         "--metrics-json", "metrics.json"], directory)
    init = dict(np.load(os.path.join(directory, "init.npz")))
    final = dict(np.load(os.path.join(directory, "final.npz")))
    with open(os.path.join(directory, "metrics.json")) as f:
        history = json.load(f).get("history", [])
    return init, final, history


def arguments(doc):
    """The command line every agreement script takes: --dlnc, --work (a
    directory, created) and --tol (default 1e-4)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--dlnc", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--tol", type=float, default=1e-4)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    return args
