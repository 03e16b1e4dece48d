#!/usr/bin/env python3
"""Convolution, pooling, batch-norm and recurrent-cell layers of dlnc against
PyTorch.

For each configuration, compiles a small f64 model: a convolution (or
pooling) of a [C, H, W] (or [C, L]) input, tanh, and a dense readout to one
value, mse against a random target. Its initial parameters come from the
executable (`--epochs 0 --save`); one full-batch SGD step with lr 1 then
gives the gradient as `initial - final`. PyTorch computes the loss and the
gradient of every parameter on the same parameters and data (F.conv2d,
F.max_pool2d, ..., torch.autograd); the largest relative difference of the
loss and of any gradient element, |dlnc - torch| / max(|torch|, 1e-8), must
be at most --tol. Batch norm's loss is compared in evaluation mode (running
statistics at their initial values), its gradients in training mode (batch
statistics), and its running statistics after the step with PyTorch's.
Usage: conv_agreement.py --dlnc DLNC --work DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F
try:
    from torchvision.ops import deform_conv2d
except ImportError:  # the deformable configurations are skipped
    deform_conv2d = None

ROWS, CHANNELS, SIZE = 6, 2, 7


def conv(options, kernel, dims=2, out=3, groups=1, **torch_options):
    """A conv layer with `kernel` (a tuple) written into `options`: its .dln
    declaration, its call, and the matching torch function of (x, params)."""
    kind = "conv2d" if dims == 2 else "conv1d"
    layer = f"layer c = {kind}({CHANNELS} -> {out}, {options})"
    torch_conv = F.conv2d if dims == 2 else F.conv1d

    def apply(x, p, training=True, stats=None):
        mode = torch_options.get("padding_mode", "zeros")
        padding = torch_options.get("padding", 0)
        if mode != "zeros":
            pads = torch_options.get("pads")  # F.pad's, last axis first
            if pads is None:
                pads = []
                for p_ in (padding if isinstance(padding, tuple)
                           else (padding,) * dims)[::-1]:
                    pads += [p_, p_]
            x = F.pad(x, pads, mode=mode)
            padding = 0
        weight = p.get("c.weight")
        if weight is None:  # shapes only
            weight = torch.zeros((out, CHANNELS // groups) + kernel)
        return torch_conv(x, weight, p.get("c.bias"),
                          stride=torch_options.get("stride", 1),
                          padding=padding,
                          dilation=torch_options.get("dilation", 1),
                          groups=groups)
    return layer, "c(x)", apply


def conv_transpose(options, kernel, out=3, groups=1, **torch_options):
    """A transposed conv layer (weight [IN, OUT / groups, K...])."""
    layer = f"layer c = conv_transpose2d({CHANNELS} -> {out}, {options})"

    def apply(x, p, training=True, stats=None):
        weight = p.get("c.weight")
        if weight is None:  # shapes only
            weight = torch.zeros((CHANNELS, out // groups) + kernel)
        return F.conv_transpose2d(
            x, weight, p.get("c.bias"), stride=torch_options.get("stride", 1),
            padding=torch_options.get("padding", 0),
            output_padding=torch_options.get("output_padding", 0),
            dilation=torch_options.get("dilation", 1), groups=groups)
    return layer, "c(x)", apply


def pool(call, fn):
    return None, call, lambda x, p, training=True, stats=None: fn(x)


def upsample_after_conv(options, dims=2, **torch_options):
    """upsample of a 1x1 convolution's output, so the gradient of the
    convolution's weights flows back through the upsampling."""
    kind = "conv2d" if dims == 2 else "conv1d"
    layer = f"layer c = {kind}({CHANNELS} -> 3, kernel = 1)"
    torch_conv = F.conv2d if dims == 2 else F.conv1d

    def apply(x, p, training=True, stats=None):
        weight = p.get("c.weight")
        if weight is None:  # shapes only
            weight = torch.zeros((3, CHANNELS) + (1,) * dims)
        h = torch_conv(x, weight, p.get("c.bias"))
        return F.interpolate(h, **torch_options)
    return layer, f"upsample(c(x){options})", apply


def deform(options, out=3, groups=1, offset_groups=1, modulated=True,
           stride=1, padding=0, dilation=1):
    """deform_conv2d with offsets (scaled so they reach outside the image)
    and a mask predicted by plain convolutions of the input; against
    torchvision.ops.deform_conv2d, so the offset and mask convolutions'
    gradients check the gradients to the offsets and the mask."""
    taps = 9 * offset_groups
    window = f"kernel = 3, stride = {stride}, padding = {dilation}"
    layer = (f"layer o = conv2d({CHANNELS} -> {2 * taps}, {window}, "
             f"dilation = {dilation})\n" +
             (f"  layer mk = conv2d({CHANNELS} -> {taps}, {window}, "
              f"dilation = {dilation})\n" if modulated else "") +
             f"  layer c = deform_conv2d({CHANNELS} -> {out}, kernel = 3, "
             f"{options})")
    call = ("c(x, 2.5 * o(x)" +
            (", mask = sigmoid(mk(x)))" if modulated else ")"))

    def apply(x, p, training=True, stats=None):
        def plain(name, channels):
            weight = p.get(f"{name}.weight")
            if weight is None:  # shapes only
                weight = torch.zeros((channels, CHANNELS, 3, 3))
            return F.conv2d(x, weight, p.get(f"{name}.bias"), stride=stride,
                            padding=dilation, dilation=dilation)
        offsets = 2.5 * plain("o", 2 * taps)
        mask = torch.sigmoid(plain("mk", taps)) if modulated else None
        weight = p.get("c.weight")
        if weight is None:
            weight = torch.zeros((out, CHANNELS // groups, 3, 3))
        return deform_conv2d(x, offsets, weight, p.get("c.bias"),
                             stride=stride, padding=padding,
                             dilation=dilation, mask=mask)
    return layer, call, apply


def cell(kind, options="", hidden=3):
    """A recurrent cell stepped once from a state computed from the input:
    h = tanh(e(flatten(x))), then cell(h, flatten(x)), against PyTorch's
    own cell kernels (what torch.nn.RNNCell / GRUCell call)."""
    features = CHANNELS * SIZE
    layer = (f"layer e = dense({features} -> {hidden})\n  "
             f"layer cell = {kind}({features} -> {hidden}{options})")
    gates = 3 if kind == "gru_cell" else 1
    kernel = {"gru_cell": torch._VF.gru_cell,
              "rnn_cell": (torch._VF.rnn_relu_cell if "relu" in options
                           else torch._VF.rnn_tanh_cell)}[kind]

    def apply(x, p, training=True, stats=None):
        flat = x.reshape(x.shape[0], -1)
        if "e.weight" not in p:  # shapes only
            return torch.zeros(x.shape[0], hidden)
        h = torch.tanh(flat @ p["e.weight"] + p["e.bias"])
        return kernel(flat, h, p["cell.weight_ih"], p["cell.weight_hh"],
                      p.get("cell.bias_ih"), p.get("cell.bias_hh"))
    assert gates in (1, 3)
    return layer, "cell(tanh(e(flatten(x))), flatten(x))", apply


def sequence(kind, options="", hidden=3, layers=1, bidirectional=False,
             bias=True, nonlinearity="tanh"):
    """rnn / lstm / gru over a [T, F] sample (names ending in .seq: T = SIZE
    steps of CHANNELS features), against the kernels torch.nn.RNN / LSTM /
    GRU call (batch_first), given our parameters in their flat-weights
    order: per layer and direction w_ih, w_hh, b_ih, b_hh."""
    layer = f"layer c = {kind}({CHANNELS} -> {hidden}{options})"
    directions = 2 if bidirectional else 1
    kernel = {"rnn": torch._VF.rnn_tanh if nonlinearity == "tanh"
              else torch._VF.rnn_relu, "lstm": torch._VF.lstm,
              "gru": torch._VF.gru}[kind]

    def apply(x, p, training=True, stats=None):
        if "c.weight_ih_l0" not in p:  # shapes only
            return torch.zeros(x.shape[0], x.shape[1], hidden * directions)
        flat = []
        for layer_index in range(layers):
            for direction in range(directions):
                suffix = f"_l{layer_index}" + ("_reverse" if direction else "")
                names = ["weight_ih", "weight_hh"] + \
                    (["bias_ih", "bias_hh"] if bias else [])
                flat += [p["c." + n + suffix] for n in names]
        h0 = torch.zeros(layers * directions, x.shape[0], hidden)
        state = (h0, h0) if kind == "lstm" else h0
        return kernel(x, state, flat, bias, layers, 0.0, False,
                      bidirectional, True)[0]
    return layer, "c(x)", apply


def lstm_cell_scan(hidden=3):
    """lstm_cell scanned over the [T, F] sample through a helper that keeps
    the h states, against torch's own LSTM cell kernel stepped in a loop."""
    layer = (f"layer cell = lstm_cell({CHANNELS} -> {hidden}, forget_bias = 0.5)\n"
             f"  fn states(xs) {{\n"
             f"    let (hs, cs) = scan(cell, xs, init = (zeros({hidden}), zeros({hidden})))\n"
             f"    return hs\n  }}")

    def apply(x, p, training=True, stats=None):
        if "cell.weight_ih" not in p:  # shapes only
            return torch.zeros(x.shape[0], x.shape[1], hidden)
        h = c = torch.zeros(x.shape[0], hidden)
        states = []
        for t in range(x.shape[1]):
            h, c = torch._VF.lstm_cell(x[:, t], (h, c), p["cell.weight_ih"],
                                       p["cell.weight_hh"], p["cell.bias_ih"],
                                       p["cell.bias_hh"])
            states.append(h)
        return torch.stack(states, 1)
    return layer, "states(x)", apply


def batch_norm(options="", momentum=0.1, eps=1e-5, affine=True):
    """batch_norm(C) on [C, H, W] or [C, L]: F.batch_norm, whose running
    statistics (updated in training) go to `stats`."""
    layer = f"layer c = batch_norm({CHANNELS}{options})"

    def apply(x, p, training=True, stats=None):
        mean = p.get("c.running_mean", torch.zeros(CHANNELS)).detach().clone()
        var = p.get("c.running_var", torch.ones(CHANNELS)).detach().clone()
        out = F.batch_norm(x, mean, var, p.get("c.gamma") if affine else None,
                           p.get("c.beta") if affine else None,
                           training=training, momentum=momentum, eps=eps)
        if stats is not None:
            stats["c.running_mean"], stats["c.running_var"] = mean, var
        return out
    return layer, "c(x)", apply


CONFIGS = {
    "conv.k3.pad1": conv("kernel = 3, padding = 1", (3, 3), padding=1),
    "conv.k3.same": conv("kernel = 3, padding = same", (3, 3), padding=1),
    "conv.k3.s2.p1": conv("kernel = 3, stride = 2, padding = 1", (3, 3),
                          stride=2, padding=1),
    "conv.k4.same": conv("kernel = 4, padding = same", (4, 4),
                         padding="same"),
    "conv.k2.d3.same.circular": conv(
        "kernel = 2, dilation = 3, padding = circular", (2, 2), dilation=3,
        pads=[1, 2, 1, 2], padding_mode="circular"),
    "conv.k31.p10": conv("kernel = (3, 1), padding = (1, 0)", (3, 1),
                         padding=(1, 0)),
    "conv.k3.d2.p2": conv("kernel = 3, dilation = 2, padding = 2", (3, 3),
                          dilation=2, padding=2),
    "conv.groups2": conv("kernel = 3, groups = 2", (3, 3), out=4, groups=2),
    "conv.depthwise": conv("kernel = 3, padding = 1, groups = 2", (3, 3),
                           out=2, groups=2, padding=1),
    "conv.1x1.nobias": conv("kernel = 1, bias = false", (1, 1)),
    "conv.circular": conv("kernel = 3, padding = circular", (3, 3), padding=1,
                          padding_mode="circular"),
    "conv.reflect": conv("kernel = 3, padding = 2, padding_mode = reflect",
                         (3, 3), padding=2, padding_mode="reflect"),
    "conv.replicate": conv("kernel = 3, padding = 1, padding_mode = replicate",
                           (3, 3), padding=1, padding_mode="replicate"),
    "conv1d.k3.d2": conv("kernel = 3, dilation = 2, padding = 1", (3,),
                         dims=1, dilation=2, padding=1),
    "conv_transpose.k2.s2": conv_transpose("kernel = 2, stride = 2", (2, 2),
                                           stride=2),
    "conv_transpose.k3.s2.p1.op1": conv_transpose(
        "kernel = 3, stride = 2, padding = 1, output_padding = 1", (3, 3),
        stride=2, padding=1, output_padding=1),
    "conv_transpose.k3.d2.groups2": conv_transpose(
        "kernel = 3, dilation = 2, groups = 2", (3, 3), out=4, groups=2,
        dilation=2),
    "max_pool2d.k2": pool("max_pool2d(x, kernel = 2)",
                          lambda x: F.max_pool2d(x, 2)),
    "max_pool2d.k3.s2.p1": pool("max_pool2d(x, kernel = 3, stride = 2, padding = 1)",
                                lambda x: F.max_pool2d(x, 3, 2, 1)),
    "avg_pool2d.k2": pool("avg_pool2d(x, kernel = 2)",
                          lambda x: F.avg_pool2d(x, 2)),
    "avg_pool2d.k3.s2.p1.exclude": pool(
        "avg_pool2d(x, kernel = 3, stride = 2, padding = 1, count_include_pad = 0)",
        lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)),
    "max_pool2d.k3.d2": pool("max_pool2d(x, kernel = 2, stride = 1, dilation = 2)",
                             lambda x: F.max_pool2d(x, 2, 1, dilation=2)),
    "max_pool2d.k2.s2.ceil": pool(
        "max_pool2d(x, kernel = 2, stride = 2, ceil_mode = true)",
        lambda x: F.max_pool2d(x, 2, 2, ceil_mode=True)),
    "max_pool2d.k4.s2.p1.ceil": pool(
        "max_pool2d(x, kernel = 4, stride = 2, padding = 1, ceil_mode = true)",
        lambda x: F.max_pool2d(x, 4, 2, 1, ceil_mode=True)),
    "avg_pool2d.k2.s2.ceil": pool(
        "avg_pool2d(x, kernel = 2, stride = 2, ceil_mode = true)",
        lambda x: F.avg_pool2d(x, 2, 2, ceil_mode=True)),
    "avg_pool2d.k4.s2.p1.ceil": pool(
        "avg_pool2d(x, kernel = 4, stride = 2, padding = 1, ceil_mode = true)",
        lambda x: F.avg_pool2d(x, 4, 2, 1, ceil_mode=True)),
    "avg_pool2d.k4.s2.p1.ceil.exclude": pool(
        "avg_pool2d(x, kernel = 4, stride = 2, padding = 1, ceil_mode = true, "
        "count_include_pad = false)",
        lambda x: F.avg_pool2d(x, 4, 2, 1, ceil_mode=True,
                               count_include_pad=False)),
    "avg_pool2d.k2.s2.p1.ceil.dropped": pool(
        "avg_pool2d(x, kernel = 2, stride = 2, padding = 1, ceil_mode = true)",
        lambda x: F.avg_pool2d(x, 2, 2, 1, ceil_mode=True)),
    "avg_pool1d.k2": pool("avg_pool1d(x, kernel = 2)",
                          lambda x: F.avg_pool1d(x, 2)),
    "global_avg_pool": pool("global_avg_pool(x)", lambda x: x.mean((2, 3))),
    "global_max_pool": pool("global_max_pool(x)", lambda x: x.amax((2, 3))),
    "upsample.nearest.x2": upsample_after_conv(
        "", scale_factor=2, mode="nearest"),
    "upsample.nearest.x1.5": upsample_after_conv(
        ", scale = 1.5", scale_factor=1.5, mode="nearest"),
    "upsample.bilinear.x2": upsample_after_conv(
        ", mode = bilinear", scale_factor=2, mode="bilinear",
        align_corners=False),
    "upsample.bilinear.x3.align": upsample_after_conv(
        ", scale = 3, mode = bilinear, align_corners = true", scale_factor=3,
        mode="bilinear", align_corners=True),
    "upsample1d.linear.x2": upsample_after_conv(
        ", mode = linear", dims=1, scale_factor=2, mode="linear",
        align_corners=False),
    "deform.v2.k3.p1": deform("padding = 1", padding=1),
    "deform.v1.k3.s2.p1": deform("stride = 2, padding = 1", modulated=False,
                                 stride=2, padding=1),
    "deform.v2.d2.groups2.og2": deform(
        "padding = 2, dilation = 2, groups = 2, offset_groups = 2", out=4,
        groups=2, offset_groups=2, padding=2, dilation=2),
    "batch_norm2d": batch_norm(),
    "batch_norm2d.noaffine.m03.eps1e-3": batch_norm(
        ", momentum = 0.3, eps = 1e-3, affine = false", momentum=0.3, eps=1e-3,
        affine=False),
    "batch_norm1d": batch_norm(),
    "rnn_cell.1d": cell("rnn_cell"),
    "rnn_cell.relu.1d": cell("rnn_cell", ", activation = relu"),
    "rnn_cell.nobias.1d": cell("rnn_cell", ", bias = false"),
    "gru_cell.1d": cell("gru_cell"),
    "gru_cell.nobias.1d": cell("gru_cell", ", bias = false"),
    "lstm_cell.scan.seq": lstm_cell_scan(),
    "rnn.seq": sequence("rnn"),
    "rnn.relu.layers2.seq": sequence("rnn", ", layers = 2, activation = relu",
                                     layers=2, nonlinearity="relu"),
    "rnn.bidirectional.nobias.seq": sequence(
        "rnn", ", bidirectional = true, bias = false", bidirectional=True,
        bias=False),
    "lstm.seq": sequence("lstm"),
    "lstm.layers2.bidirectional.seq": sequence(
        "lstm", ", layers = 2, bidirectional = true", layers=2,
        bidirectional=True),
    "gru.seq": sequence("gru"),
    "gru.layers3.nobias.seq": sequence("gru", ", layers = 3, bias = false",
                                       layers=3, bias=False),
    "gru.bidirectional.seq": sequence("gru", ", bidirectional = true",
                                      bidirectional=True),
}


def run(args, cwd):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def check(name, layer, call, apply, dlnc, work):
    directory = os.path.join(work, name)
    os.makedirs(directory, exist_ok=True)
    dims = 1 if "1d" in name else 2
    shape = (CHANNELS, SIZE) if dims == 1 else (CHANNELS, SIZE, SIZE)
    if name.endswith(".seq"):  # [T, features]
        shape = (SIZE, CHANNELS)
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    x = rng.normal(size=(ROWS,) + shape)
    y = rng.normal(size=ROWS)
    np.savetxt(os.path.join(directory, "data.csv"),
               np.column_stack([x.reshape(ROWS, -1), y]), delimiter=",",
               fmt="%.17g")
    # The readout's width: the size of one sample's feature map.
    with torch.no_grad():
        width = apply(torch.tensor(x[:1]), {}, training=False).numel()
    source = f"""model m {{
  input x: f64[{", ".join(map(str, shape))}]
  label y: f64[1]
  {layer or ""}
  layer r = dense({width} -> 1)
  output z = r(flatten(tanh({call})))
  loss = mse(z, y)
}}
data {{ train = csv("data.csv", label = -1)  test = csv("data.csv", label = -1) }}
train {{ optimizer = sgd(lr = 1.0)  batch = all  epochs = 1  seed = 3 }}
"""
    with open(os.path.join(directory, "m.dln"), "w") as f:
        f.write(source)
    run([dlnc, "m.dln", "-o", "m"], directory)
    run(["./m", "train", "--quiet", "--epochs", "0", "--save", "init.npz"],
        directory)
    run(["./m", "train", "--quiet", "--save", "final.npz"], directory)
    eval_out = run(["./m", "eval", "--load", "init.npz", "--metrics-json",
                    "/dev/stdout"], directory)
    ours_loss = json.loads(eval_out[eval_out.index("{"):])["test_loss"]
    init = dict(np.load(os.path.join(directory, "init.npz")))
    final = dict(np.load(os.path.join(directory, "final.npz")))
    params = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()
              if not k.startswith("__")}

    def loss_of(training, stats=None):
        h = apply(torch.tensor(x), params, training, stats)
        z = torch.tanh(h).reshape(ROWS, -1) @ params["r.weight"] + params["r.bias"]
        return F.mse_loss(z, torch.tensor(y).reshape(ROWS, 1))
    eval_loss = loss_of(training=False).item()
    stats = {}
    loss_of(training=True, stats=stats).backward()

    def difference(ours, theirs):
        return float((np.abs(ours - theirs) /
                      np.maximum(np.abs(theirs), 1e-8)).max())
    worst = abs(ours_loss - eval_loss) / max(abs(eval_loss), 1e-8)
    for k, p in params.items():
        if k in stats:  # running statistics: the values after the step
            worst = max(worst, difference(final[k], stats[k].numpy()))
        else:  # lr 1: the step is the gradient
            worst = max(worst, difference(init[k] - final[k], p.grad.numpy()))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlnc", default="dlnc")
    parser.add_argument("--work", required=True)
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument("-k", default="")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    dlnc = shutil.which(args.dlnc) or args.dlnc
    dlnc = os.path.abspath(dlnc) if os.sep in dlnc else dlnc
    passed = failed = 0
    for name, (layer, call, apply) in CONFIGS.items():
        if args.k not in name:
            continue
        if name.startswith("deform") and deform_conv2d is None:
            print(f"{name:<32} {'-':>10}  skipped: no torchvision")
            continue
        try:
            worst = check(name, layer, call, apply, dlnc, args.work)
            ok = worst <= args.tol
            print(f"{name:<32} {worst:10.2e}  {'ok' if ok else 'FAIL'}")
        except Exception as error:
            ok = False
            print(f"{name:<32} {'-':>10}  FAIL: {error}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
