"""Checks that train_loss - test_loss in METRICS equals the weight penalty of
examples/spec/regularization_l1_l2_elastic.dln's train block computed from
the parameters in CHECKPOINT (relative difference below 1e-4)."""
import json
import sys

import numpy as np

checkpoint, metrics = sys.argv[1], sys.argv[2]
params = {k: v.astype(np.float64) for k, v in np.load(checkpoint).items()}
m = json.load(open(metrics))
penalty = (1e-4 * np.abs(params["fc1.weight"]).sum()          # l1(1e-4, [fc1])
           + 1e-3 * (params["fc2.weight"] ** 2).sum()         # l2(1e-3, [fc2])
           + 1e-5 * np.abs(params["head.weight"]).sum()       # elastic_net on head
           + 1e-4 * (params["head.weight"] ** 2).sum())
reported = m["train_loss"] - m["test_loss"]
error = abs(reported - penalty) / penalty
print(f"penalty {penalty:.8f} reported {reported:.8f} relative difference {error:.1e}")
sys.exit(0 if error < 1e-4 else 1)
