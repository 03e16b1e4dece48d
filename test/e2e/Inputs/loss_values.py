"""Loss and metric values of compiled dlnc models against PyTorch (the oracle).

For each loss: writes a small f64 model and a random CSV, compiles it, saves
its initial parameters (0 epochs), evaluates it, and compares the mean test
loss with torch.nn.functional on the same parameters and data. Each metric
is compared the same way (its mean over the test split).
Usage: loss_values.py DLNC WORKDIR
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

DLNC, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
rng = np.random.default_rng(0)
ROWS, FEATURES, CLASSES = 24, 4, 3

# name: (label declaration, output width, dlnc loss, torch loss(z, y))
CASES = {
    "mse": ("f64[1]", 1, "mse(z, y)", lambda z, y: F.mse_loss(z, y)),
    "mae": ("f64[1]", 1, "mae(z, y)", lambda z, y: F.l1_loss(z, y)),
    "l1_loss": ("f64[1]", 1, "l1_loss(z, y)", lambda z, y: F.l1_loss(z, y)),
    "bce": ("f64[1]", 1, "binary_cross_entropy(sigmoid(z), y)",
            lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), y)),
    "bce_with_logits": ("f64[1]", 1, "bce_with_logits(z, y)",
                        lambda z, y: F.binary_cross_entropy_with_logits(z, y)),
    "hinge": ("f64[1]", 1, "hinge(z, y, margin = 0.5)",
              lambda z, y: torch.clamp(0.5 - y * z, min=0).mean()),
    "multi_margin": ("class[3]", CLASSES, "hinge(z, y, margin = 2)",
                     lambda z, y: F.multi_margin_loss(z, y, margin=2.0)),
    "cross_entropy": ("class[3]", CLASSES, "cross_entropy(z, y)",
                      lambda z, y: F.cross_entropy(z, y)),
    "label_smoothing": ("class[3]", CLASSES,
                        "cross_entropy(z, y, label_smoothing = 0.2)",
                        lambda z, y: F.cross_entropy(z, y,
                                                     label_smoothing=0.2)),
    "nll": ("class[3]", CLASSES, "nll(log_softmax(z), y)",
            lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y)),
    "perceptron_loss": ("f64[1]", 1, "perceptron_loss(z, y)",
                        lambda z, y: torch.clamp(-y * z, min=0).mean()),
}


def kl_sparsity(h, rho, beta, batch=8):
    # Batch-level: each evaluation batch's KL, averaged over the batches.
    total = 0.0
    for first in range(0, h.shape[0], batch):
        rho_hat = h[first:first + batch].mean(0)
        kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log(
            (1 - rho) / (1 - rho_hat))
        total += float(beta * kl.sum()) * min(batch, h.shape[0] - first)
    return total / h.shape[0]


# Losses of reconstructions of the input x (output width FEATURES):
# name: (dlnc losses, torch objective(z, x)).
RECONSTRUCTIONS = {
    "mse_sum": ("mse(z, x, reduction = sum)",
                lambda z, x: ((z - x) ** 2).sum(1).mean()),
    "mae_sum": ("mae(z, x, reduction = sum)",
                lambda z, x: (z - x).abs().sum(1).mean()),
    "bce_with_logits_sum": (
        "bce_with_logits(z, sigmoid(x), reduction = sum)",
        lambda z, x: F.binary_cross_entropy_with_logits(
            z, torch.sigmoid(x), reduction="none").sum(1).mean()),
    "kl_normal": (
        "kl_normal(z, tanh(x))",
        lambda z, x: (-0.5 * (1 + torch.tanh(x) - z ** 2
                              - torch.exp(torch.tanh(x)))).sum(1).mean()),
    "kl_sparsity": (
        "mse(z, x)\n  loss sparsity = kl_sparsity(sigmoid(z), rho = 0.1, beta = 2)",
        lambda z, x: float(F.mse_loss(z, x))
        + kl_sparsity(torch.sigmoid(z), 0.1, 2.0)),
}


def top_k(z, y, k):
    picked = z.gather(1, y.reshape(-1, 1))
    return ((z > picked).sum(1) < k).double().mean()


# name: (label declaration, output width, loss, dlnc metric, torch metric(z, y))
METRICS = {
    "top_k": ("class[3]", CLASSES, "cross_entropy(z, y)", "top_k(z, y, k = 2)",
              lambda z, y, x: top_k(z, y, 2)),
    "top_1": ("class[3]", CLASSES, "cross_entropy(z, y)", "top_k(z, y, k = 1)",
              lambda z, y, x: top_k(z, y, 1)),
    "log_likelihood": ("class[3]", CLASSES, "cross_entropy(z, y)",
                       "log_likelihood(z, y)",
                       lambda z, y, x: -F.cross_entropy(z, y)),
    # Reconstructions of the input, as an autoencoder's.
    "reconstruction_error": ("f64[1]", FEATURES, "mse(z, x)",
                             "reconstruction_error(z, x)",
                             lambda z, y, x: ((z - x) ** 2).sum(1).mean()),
    "psnr": ("f64[1]", FEATURES, "mse(z, x)", "psnr(z, x, max = 2.0)",
             lambda z, y, x: (10 * torch.log10(4.0 / ((z - x) ** 2).mean(1))).mean()),
}


def labels_for(name, declaration, width):
    if declaration.startswith("class"):
        return rng.integers(0, CLASSES, ROWS).astype(float)
    if name in ("hinge", "perceptron_loss"):
        return rng.choice([-1.0, 1.0], ROWS)
    if name in ("bce", "bce_with_logits"):
        return rng.uniform(0, 1, ROWS)
    return rng.normal(size=ROWS)


def run(name, declaration, width, loss, metric):
    """Compiles, initializes and evaluates one model; returns (metrics JSON,
    x, y, the output z from its parameters in torch)."""
    x = rng.normal(size=(ROWS, FEATURES))
    y = labels_for(name, declaration, width)
    data = os.path.join(WORK, name + ".csv")
    np.savetxt(data, np.column_stack([x, y]), delimiter=",", fmt="%.17g")
    source = os.path.join(WORK, name + ".dln")
    with open(source, "w") as f:
        f.write(f"""model {name} {{
  input x: f64[{FEATURES}]
  label y: {declaration}
  layer a = dense({FEATURES} -> 5)
  layer b = dense(5 -> {width})
  output z = b(tanh(a(x)))
  loss = {loss}
  {"metric " + name + " = " + metric if metric else ""}
}}
data {{ train = csv("{name}.csv", label = -1)  test = csv("{name}.csv", label = -1) }}
train {{ optimizer = sgd(lr = 0.1)  batch = 8 }}
""")
    exe = os.path.join(WORK, name)
    params = exe + ".npz"
    metrics = exe + ".json"
    subprocess.run([DLNC, source, "-o", exe], check=True)
    subprocess.run([exe, "train", "--epochs", "0", "--quiet", "--save", params],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([exe, "eval", "--load", params, "--metrics-json", metrics],
                   check=True, stdout=subprocess.DEVNULL)
    p = np.load(params)
    xt = torch.tensor(x)
    z = torch.tanh(xt @ torch.tensor(p["a.weight"]) + torch.tensor(p["a.bias"]))
    z = z @ torch.tensor(p["b.weight"]) + torch.tensor(p["b.bias"])
    if declaration.startswith("class"):
        yt = torch.tensor(y).long()
    else:
        yt = torch.tensor(y).reshape(ROWS, -1)
    return json.load(open(metrics)), z, yt, xt


worst = 0.0


def compare(name, ours, theirs):
    global worst
    rel = abs(ours - theirs) / max(abs(theirs), 1e-300)
    worst = max(worst, rel)
    print(f"{name:20s} dlnc {ours:.12g}  torch {theirs:.12g}  rel {rel:.1e}")


for name, (declaration, width, loss, oracle) in CASES.items():
    result, z, y, _ = run(name, declaration, width, loss, None)
    compare(name, result["test_loss"], float(oracle(z, y)))
for name, (loss, oracle) in RECONSTRUCTIONS.items():
    result, z, _, x = run(name, "f64[1]", FEATURES, loss, None)
    compare(name, result["test_loss"], float(oracle(z, x)))
for name, (declaration, width, loss, metric, oracle) in METRICS.items():
    result, z, y, x = run(name, declaration, width, loss, metric)
    compare("metric " + name, result["test_metrics"][name],
            float(oracle(z, y, x)))

print(f"max relative difference {worst:.1e}")
sys.exit(0 if worst <= 1e-9 else 1)
