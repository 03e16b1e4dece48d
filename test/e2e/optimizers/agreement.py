#!/usr/bin/env python3
"""Agreement of dlnc's compiled optimizers with torch.optim.

For every optimizer configuration (and learning-rate schedule, gradient
clipping and weight penalty), compiles a small regression model (f64, or
f32 with --dtype f32) (dense
3 -> 4, tanh, dense 4 -> 1, mse) on a generated CSV, trains it full-batch
(`batch = all`, so every step sees the same batch whatever the runtime's
shuffle, and an epoch is one step) for STEPS steps, and trains the same
parameters in PyTorch: the initial parameters come from the executable itself
(`--epochs 0 --save`), the trained ones from its `--save`d .npz, its loss
curve from the metrics JSON's history. Prints one line per configuration
with the largest relative difference of any parameter element and of any
step's loss, |dlnc - torch| / max(|torch|, 1e-6), and fails a configuration
above --tol.

Run by test/e2e/optimizers/agreement.test with /usr/bin/python3 (Debian's
python3-torch and python3-numpy).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import torch

STEPS = 100

# (name, the .dln optimizer call, torch.optim constructor for the params;
# optionally a dict of extras: "train" (more train-block settings),
# "scheduler" (torch.optim.lr_scheduler constructor), "clip" (max norm),
# "penalty" (the regularizers' term from the torch params by name),
# "f32_curve_only" (why, in f32, only the loss curve must agree), "loss"
# (another objective: a LOSSES entry))
CONFIGS = [
    ("sgd", "sgd(lr = 0.05)",
     lambda p: torch.optim.SGD(p, lr=0.05)),
    ("sgd.weight_decay", "sgd(lr = 0.05, weight_decay = 0.01)",
     lambda p: torch.optim.SGD(p, lr=0.05, weight_decay=0.01)),
    ("sgd.momentum", "sgd(lr = 0.05, momentum = 0.9)",
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("sgd.dampening",
     "sgd(lr = 0.05, momentum = 0.8, dampening = 0.3, weight_decay = 0.01)",
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3,
                               weight_decay=0.01)),
    ("sgd.nesterov",
     "sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 0.01)",
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                               weight_decay=0.01)),
    ("adam", "adam(lr = 0.01)",
     lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adam.options",
     "adam(lr = 0.02, betas = (0.8, 0.99), eps = 1e-6, weight_decay = 0.01)",
     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                weight_decay=0.01)),
    ("adamw", "adamw(lr = 0.01)",
     lambda p: torch.optim.AdamW(p, lr=0.01)),
    ("adamw.options", "adamw(lr = 0.01, betas = (0, 0.9), weight_decay = 0.1)",
     lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0, 0.9),
                                 weight_decay=0.1),
     {"f32_curve_only": "beta1 = 0 makes each step g / sqrt(v), a sign-like "
                        "step that amplifies single-precision rounding"}),
    ("rmsprop", "rmsprop(lr = 0.01)",
     lambda p: torch.optim.RMSprop(p, lr=0.01)),
    ("rmsprop.momentum",
     "rmsprop(lr = 0.005, alpha = 0.9, eps = 1e-6, momentum = 0.5, weight_decay = 0.01)",
     lambda p: torch.optim.RMSprop(p, lr=0.005, alpha=0.9, eps=1e-6,
                                   momentum=0.5, weight_decay=0.01),
     {"f32_curve_only": "momentum on normalized steps g / sqrt(v) amplifies "
                        "single-precision rounding"}),
    ("adagrad", "adagrad(lr = 0.1)",
     lambda p: torch.optim.Adagrad(p, lr=0.1)),
    ("adagrad.options", "adagrad(lr = 0.1, eps = 1e-6, weight_decay = 0.01)",
     lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-6, weight_decay=0.01)),
    # Learning-rate schedules, stepped once per epoch (= step here).
    ("schedule.step", "sgd(lr = 0.05)",
     lambda p: torch.optim.SGD(p, lr=0.05),
     {"train": "lr_schedule = step(20, gamma = 0.5)",
      "scheduler": lambda o: torch.optim.lr_scheduler.StepLR(o, 20, 0.5)}),
    ("schedule.multistep", "sgd(lr = 0.05, momentum = 0.9)",
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
     {"train": "lr_schedule = multistep(milestones = [30, 70], gamma = 0.3)",
      "scheduler": lambda o: torch.optim.lr_scheduler.MultiStepLR(
          o, [30, 70], 0.3)}),
    ("schedule.exponential", "adam(lr = 0.01)",
     lambda p: torch.optim.Adam(p, lr=0.01),
     {"train": "lr_schedule = exponential(0.97)",
      "scheduler": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.97)}),
    ("schedule.cosine", "sgd(lr = 0.05, momentum = 0.9)",
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
     {"train": "lr_schedule = cosine(min_lr = 0.001)",
      "scheduler": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
          o, T_max=STEPS, eta_min=0.001)}),
    ("schedule.warmup", "adam(lr = 0.01)",
     lambda p: torch.optim.Adam(p, lr=0.01),
     {"train": "lr_schedule = warmup(epochs = 10, start = 0.1, then = cosine())",
      "scheduler": lambda o: torch.optim.lr_scheduler.SequentialLR(
          o, [torch.optim.lr_scheduler.LinearLR(o, 0.1, total_iters=10),
              torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS - 10)],
          milestones=[10])}),
    # Parameter groups: one optimizer per layer, each with its own rate and
    # state, scheduled alike (a list of torch optimizers here).
    ("groups", "[sgd(lr = 0.05, momentum = 0.9, params = [h]), "
               "adam(lr = 0.01, params = [o])]",
     lambda p: [torch.optim.SGD(p[:2], lr=0.05, momentum=0.9),
                torch.optim.Adam(p[2:], lr=0.01)],
     {"train": "lr_schedule = step(25, gamma = 0.5)",
      "scheduler": lambda o: torch.optim.lr_scheduler.StepLR(o, 25, 0.5)}),
    # Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_).
    ("clip_grad_norm", "sgd(lr = 0.05, momentum = 0.9)",
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
     {"train": "clip_grad_norm = 0.5", "clip": 0.5}),
    # Weight penalties added to the objective (docs/language.md 13.2).
    ("regularize", "adam(lr = 0.01)",
     lambda p: torch.optim.Adam(p, lr=0.01),
     {"train": "regularize = [l1(0.01, params = [h]), l2(0.02, params = [o]), "
               "elastic_net(l1 = 0.001, l2 = 0.002)]",
      "penalty": lambda w: (0.01 * w["h.weight"].abs().sum()
                            + 0.02 * (w["o.weight"] ** 2).sum()
                            + sum(0.001 * w[k].abs().sum()
                                  + 0.002 * (w[k] ** 2).sum()
                                  for k in ("h.weight", "o.weight")))}),
]

F = torch.nn.functional

# Objectives besides mse: (label declaration, outputs, dlnc loss, torch loss of
# (output, target), targets: "real", "sign" (-1/+1), "unit" (in [0, 1]) or
# "class").
LOSSES = {
    "mae": ("[1]", 1, "mae(p, y)", lambda p, y: F.l1_loss(p, y), "real"),
    "bce": ("[1]", 1, "bce(sigmoid(p), y)",
            lambda p, y: F.binary_cross_entropy(torch.sigmoid(p), y), "unit"),
    "bce_with_logits": ("[1]", 1, "bce_with_logits(p, y)",
                        lambda p, y: F.binary_cross_entropy_with_logits(p, y),
                        "unit"),
    "hinge": ("[1]", 1, "hinge(p, y, margin = 0.5)",
              lambda p, y: torch.clamp(0.5 - y * p, min=0).mean(), "sign"),
    "perceptron_loss": ("[1]", 1, "perceptron_loss(p, y)",
                        lambda p, y: torch.clamp(-y * p, min=0).mean(), "sign"),
    "cross_entropy": ("class", 3, "cross_entropy(p, y, label_smoothing = 0.1)",
                      lambda p, y: F.cross_entropy(p, y, label_smoothing=0.1),
                      "class"),
    "multi_margin": ("class", 3, "hinge(p, y)",
                     lambda p, y: F.multi_margin_loss(p, y), "class"),
    "nll": ("class", 3, "nll(log_softmax(p), y)",
            lambda p, y: F.nll_loss(F.log_softmax(p, dim=1), y), "class"),
}

MODEL = """// Generated by agreement.py.
model m {
  input x: %(dtype)s[3]
  label y: %(label)s
  layer h = dense(3 -> 4)
  layer o = dense(4 -> %(outputs)d)
  output p = o(tanh(h(x)))
  loss = %(loss)s
}
data { train = csv("data.csv", label = -1) }
train { optimizer = %(call)s  batch = all  epochs = %(steps)d  seed = 5  %(train)s }
"""

PARAMS = ["h.weight", "h.bias", "o.weight", "o.bias"]


def write_data(path, targets="real"):
    rng = np.random.default_rng(7)
    x = rng.uniform(-2, 2, size=(24, 3))
    y = np.sin(x[:, 0]) + x[:, 1] * x[:, 2] + 0.1 * rng.normal(size=24)
    if targets == "sign":
        y = np.where(y > 0, 1.0, -1.0)
    elif targets == "unit":
        y = 1 / (1 + np.exp(-y))
    elif targets == "class":
        y = np.digitize(y, [-0.5, 0.5]).astype(float)
    # Few digits: NumPy and the runtime parse them to the same doubles.
    np.savetxt(path, np.column_stack([x, y]), fmt="%.6f", delimiter=",")


def torch_train(init, data, make_optimizer, extras):
    dtype = torch.get_default_dtype()
    params = [torch.tensor(init[name], dtype=dtype, requires_grad=True)
              for name in PARAMS]
    hw, hb, ow, ob = params
    x = torch.tensor(data[:, :3], dtype=dtype)
    y = torch.tensor(data[:, 3:], dtype=dtype)
    objective = F.mse_loss
    if "loss" in extras:
        _, _, _, objective, targets = LOSSES[extras["loss"]]
        if targets == "class":
            y = torch.tensor(data[:, 3]).long()
    optimizers = make_optimizer(params)
    if not isinstance(optimizers, list):
        optimizers = [optimizers]
    schedulers = ([extras["scheduler"](o) for o in optimizers]
                  if "scheduler" in extras else [])
    losses = []
    for _ in range(STEPS):
        for optimizer in optimizers:
            optimizer.zero_grad()
        p = torch.tanh(x @ hw + hb) @ ow + ob
        loss = objective(p, y)
        if "penalty" in extras:
            loss = loss + extras["penalty"](dict(zip(PARAMS, params)))
        losses.append(loss.item())
        loss.backward()
        if "clip" in extras:
            torch.nn.utils.clip_grad_norm_(params, extras["clip"])
        for optimizer in optimizers:
            optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    return ({name: t.detach().double().numpy()
             for name, t in zip(PARAMS, params)}, np.array(losses))


def max_relative_difference(ours, theirs):
    worst = 0.0
    for name in PARAMS:
        a, b = ours[name], theirs[name]
        if a.shape != b.shape:
            raise ValueError(f"{name}: shape {a.shape} vs {b.shape}")
        diff = np.abs(a - b) / np.maximum(np.abs(b), 1e-6)
        worst = max(worst, float(diff.max()))
    return worst


def run(args, cwd):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def check(name, call, make_optimizer, extras, dlnc, work, dtype):
    directory = os.path.join(work, name)
    os.makedirs(directory, exist_ok=True)
    label, outputs, loss, _, targets = LOSSES.get(
        extras.get("loss"), ("[1]", 1, "mse(p, y)", None, "real"))
    write_data(os.path.join(directory, "data.csv"), targets)
    with open(os.path.join(directory, "m.dln"), "w") as f:
        f.write(MODEL % {
            "dtype": dtype, "outputs": outputs, "loss": loss, "call": call,
            "steps": STEPS, "train": extras.get("train", ""),
            "label": "class[3]" if label == "class" else dtype + label})
    run([dlnc, "m.dln", "-o", "m"], directory)
    run(["./m", "train", "--quiet", "--epochs", "0", "--save", "init.npz"],
        directory)
    run(["./m", "train", "--quiet", "--save", "final.npz", "--metrics-json",
         "metrics.json"], directory)
    init = {k: v.astype(np.float64) for k, v in
            np.load(os.path.join(directory, "init.npz")).items()}
    final = {k: v.astype(np.float64) for k, v in
             np.load(os.path.join(directory, "final.npz")).items()}
    with open(os.path.join(directory, "metrics.json")) as f:
        history = json.load(f)["history"]
    curve = np.array([epoch["train_loss"] for epoch in history])
    data = np.loadtxt(os.path.join(directory, "data.csv"), delimiter=",")
    expected, expected_curve = torch_train(init, data, make_optimizer, extras)
    if curve.shape != expected_curve.shape:
        raise ValueError(f"{len(curve)} losses in the history, not {STEPS}")
    # In f32, a loss that reaches (nearly) 0 is compared at the scale of the
    # curve: its last digits are rounding of O(loss) terms.
    floor = 1e-6 if dtype == "f64" else 1e-3 * np.abs(expected_curve).max()
    curve_difference = float((np.abs(curve - expected_curve) /
                              np.maximum(np.abs(expected_curve), floor)).max())
    moved = max_relative_difference(init, final)
    return max_relative_difference(final, expected), curve_difference, moved


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlnc", default="dlnc")
    parser.add_argument("--work", required=True, help="scratch directory")
    parser.add_argument("--dtype", choices=["f64", "f32"], default="f64")
    parser.add_argument("--tol", type=float, default=None,
                        help="default 1e-4 in f64, 1e-3 in f32")
    parser.add_argument("-k", default="", help="only configurations "
                        "whose name contains this")
    args = parser.parse_args()
    if args.tol is None:
        args.tol = 1e-4 if args.dtype == "f64" else 1e-3
    torch.set_default_dtype(torch.float64 if args.dtype == "f64"
                            else torch.float32)
    # SequentialLR steps its parts with an explicit epoch (a torch detail).
    warnings.filterwarnings("ignore", category=UserWarning,
                            module="torch.optim.lr_scheduler")
    # Commands run in per-configuration directories.
    dlnc = shutil.which(args.dlnc) or args.dlnc
    dlnc = os.path.abspath(dlnc) if os.sep in dlnc else dlnc
    os.makedirs(args.work, exist_ok=True)
    passed = failed = 0
    print(f"{'configuration':<20} {'params':>12} {'loss curve':>12}  "
          f"(max rel diff after {STEPS} steps, {args.dtype})")
    configs = CONFIGS + [
        ("loss." + loss, "sgd(lr = 0.1, momentum = 0.9)",
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), {"loss": loss})
        for loss in LOSSES]
    for name, call, make_optimizer, *rest in configs:
        if args.k not in name:
            continue
        extras = rest[0] if rest else {}
        try:
            difference, curve, moved = check(name, call, make_optimizer,
                                             extras, dlnc, args.work,
                                             args.dtype)
            # A run that left the parameters alone would agree trivially.
            curve_only = args.dtype == "f32" and "f32_curve_only" in extras
            ok = ((curve_only or difference <= args.tol) and
                  curve <= args.tol and moved > 1e-3)
            status = "ok" if ok else "FAIL"
            if ok and curve_only:
                status += " (loss curve only: " + extras["f32_curve_only"] + ")"
            print(f"{name:<20} {difference:12.3e} {curve:12.3e}  {status}")
        except Exception as error:  # report every configuration
            ok = False
            print(f"{name:<20} {'-':>12} {'-':>12}  FAIL: {error}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
