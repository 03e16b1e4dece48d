"""The exactly enumerable Boltzmann machine of boltzmann-machine.test: 8
visible and 2 hidden binary units, so all 1024 joint states can be summed.

usage: small_bm.py data OUT.csv
           3000 samples of 8 bits: three prototypes (weights 0.5, 0.3,
           0.2), each bit flipped with probability 0.1
       small_bm.py kl DATA.csv PARAMS.npz MAX
           KL(data || model) of the visible marginal, in nats, and fails
           above MAX; also that w is symmetric with a zero diagonal
       small_bm.py tv PARAMS.npz SAMPLES.csv MAX
           total variation between the samples' joint states and the
           model's exact distribution; fails above MAX (an exact sampler's
           is printed as the noise floor)"""
import itertools
import sys

import numpy as np

STATES = np.array(list(itertools.product([0, 1], repeat=10)), float)


def log_model(path):
    p = np.load(path)
    w, b = p["w"].astype(float), p["b"].astype(float)
    if np.abs(w - w.T).max() > 1e-12 or np.abs(np.diag(w)).max() > 0:
        sys.exit("w is not symmetric with a zero diagonal")
    energy = 0.5 * np.einsum("si,ij,sj->s", STATES, w, STATES) + STATES @ b
    return energy - np.logaddexp.reduce(energy)


mode = sys.argv[1]
if mode == "data":
    rng = np.random.default_rng(1)
    protos = np.array([[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1],
                       [1, 0, 1, 0, 1, 0, 1, 0]], float)
    x = protos[rng.choice(3, size=3000, p=[0.5, 0.3, 0.2])]
    x = np.where(rng.uniform(size=x.shape) < 0.1, 1 - x, x)
    np.savetxt(sys.argv[2], np.column_stack([x, np.zeros(len(x))]), fmt="%g",
               delimiter=",")
elif mode == "kl":
    data = np.loadtxt(sys.argv[2], delimiter=",")[:, :8].astype(int)
    logp = log_model(sys.argv[3])
    visible = {}
    for state, lp in zip(STATES[:, :8].astype(int), logp):
        key = tuple(state)
        visible[key] = np.logaddexp(visible.get(key, -np.inf), lp)
    keys, counts = np.unique(data, axis=0, return_counts=True)
    q = counts / counts.sum()
    kl = float(sum(qi * (np.log(qi) - visible[tuple(k)])
                   for k, qi in zip(keys, q)))
    print(f"KL(data || model) {kl:.4f} nats")
    sys.exit(0 if kl <= float(sys.argv[4]) else 1)
else:
    p = np.exp(log_model(sys.argv[2]))
    samples = np.loadtxt(sys.argv[3], delimiter=",")
    index = (samples @ (2 ** np.arange(9, -1, -1))).astype(int)
    n = len(samples)
    tv = 0.5 * np.abs(np.bincount(index, minlength=1024) / n - p).sum()
    exact = np.random.default_rng(0).choice(1024, size=n, p=p)
    floor = 0.5 * np.abs(np.bincount(exact, minlength=1024) / n - p).sum()
    print(f"total variation {tv:.4f} over {n} samples (exact sampler "
          f"{floor:.4f})")
    sys.exit(0 if tv <= float(sys.argv[4]) else 1)
