#!/usr/bin/env python3
"""ONNX operator conformance: ONNX's own node tests, run through dlnc.

Each node test of Debian's libonnx-testdata (model.onnx, one node, with
test_data_set_*/{input,output}_*.pb) whose operator is in OPS becomes a
one-op .dln program, generated here at test time: its weights (Conv, Gemm's
B, BatchNormalization's statistics, ...) go into a checkpoint (.npz) or into
`const`s, its data input into a CSV file. `dlnc` compiles the program, the
executable's `predict --load` runs it, and the outputs are compared with the
test's expected outputs (rtol 1e-4, atol 1e-5, as ONNX's own runner).

The batch axis: for convolutions, pooling, Gemm and MatMul the first ONNX
axis is the batch (one CSV row per sample); element-wise ops, softmax and
flatten take the whole tensor as one sample. A case the language cannot
express is reported as unsupported with the reason; it never counts as
passed.

  conformance.py --dlnc BIN --work DIR [--data DIR] [-k SUBSTRING] [-v]

Prints one line per case and `N passed, N failed, N unsupported`; exits 1
on any failure (or when nothing passed).
"""
import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

OPS = ["Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool",
       "GlobalMaxPool", "Pad", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
       "Softmax", "LogSoftmax", "Gemm", "MatMul", "Flatten", "Concat",
       "Resize", "Upsample", "BatchNormalization", "Dropout", "RNN", "LSTM",
       "GRU"]
RTOL, ATOL = 1e-4, 1e-5


class Unsupported(Exception):
    pass


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def dims(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def literal(array):
    """A .dln list literal of `array` (nested by axis)."""
    if array.ndim == 0:
        return repr(float(array))
    if array.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in array) + "]"
    return "[" + ", ".join(literal(a) for a in array) + "]"


class Program:
    """A one-op .dln program: its text, checkpoint arrays, the input rows and
    the expected output rows."""

    def __init__(self, sample_shape, body, rows, expected, params=None,
                 consts=""):
        self.sample_shape = sample_shape
        self.body = body
        self.rows = rows
        self.expected = expected
        self.params = params or {}
        self.consts = consts

    def text(self, name):
        return (f"model {name} {{\n"
                f"  input x: f32{dims(self.sample_shape)}\n"
                f"{self.consts}{self.body}}}\n")


def symmetric_pads(pads, rank):
    """ONNX pads [b1, ..., e1, ...] as one size per axis, or Unsupported."""
    begin, end = list(pads[:rank]), list(pads[rank:])
    if begin != end:
        raise Unsupported(f"asymmetric padding {list(pads)}: dlnc pads both "
                          "sides of an axis alike")
    return begin


def same_pads(auto_pad, spatial, kernel, strides, dilations):
    """The pads of auto_pad SAME_UPPER / SAME_LOWER, as ONNX defines them."""
    begin, end = [], []
    for size, k, s, d in zip(spatial, kernel, strides, dilations):
        out = -(-size // s)
        total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
        small, large = total // 2, total - total // 2
        begin.append(small if auto_pad == "SAME_UPPER" else large)
        end.append(large if auto_pad == "SAME_UPPER" else small)
    return begin + end


def tuple_of(values):
    values = list(values)
    if len(set(values)) == 1:
        return str(values[0])
    return "(" + ", ".join(str(v) for v in values) + ")"


def window_padding(a, x, kernel, strides, dilations):
    rank = len(kernel)
    auto_pad = a.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pads = same_pads(auto_pad, x.shape[2:], kernel, strides, dilations)
    elif auto_pad == "VALID":
        pads = [0] * (2 * rank)
    else:
        pads = a.get("pads", [0] * (2 * rank))
    return symmetric_pads(pads, rank)


def convert_conv(node, a, inputs, outputs, transposed):
    x, w = inputs[0], inputs[1]
    rank = x.ndim - 2
    if rank not in (1, 2):
        raise Unsupported(f"{rank}-d convolution (dlnc has 1-d and 2-d)")
    kernel = list(a.get("kernel_shape", w.shape[2:]))
    strides = list(a.get("strides", [1] * rank))
    dilations = list(a.get("dilations", [1] * rank))
    groups = a.get("group", 1)
    if transposed and ("output_shape" in a or a.get("auto_pad", b"NOTSET")
                       not in (b"NOTSET", "NOTSET")):
        raise Unsupported("ConvTranspose output_shape / auto_pad: give "
                          "padding and output_padding instead")
    pads = window_padding(a, x, kernel, strides, dilations)
    c_in = x.shape[1]
    c_out = w.shape[1] * groups if transposed else w.shape[0]
    kind = ("conv_transpose" if transposed else "conv") + f"{rank}d"
    options = [f"kernel = {tuple_of(kernel)}", f"stride = {tuple_of(strides)}",
               f"padding = {tuple_of(pads)}",
               f"dilation = {tuple_of(dilations)}", f"groups = {groups}"]
    if transposed and any(a.get("output_padding", [0] * rank)):
        options.append(
            f"output_padding = {tuple_of(a['output_padding'])}")
    params = {"conv.weight": w}
    if len(inputs) > 2:
        params["conv.bias"] = inputs[2]
    else:
        options.append("bias = false")
    body = (f"  layer conv = {kind}({c_in} -> {c_out}, {', '.join(options)})\n"
            "  output y = conv(x)\n")
    return Program(x.shape[1:], body, x.reshape(x.shape[0], -1),
                   outputs[0].reshape(x.shape[0], -1), params)


def convert_pool(node, a, inputs, outputs):
    x = inputs[0]
    rank = x.ndim - 2
    if len(outputs) > 1:
        raise Unsupported("MaxPool's indices output")
    if rank not in (1, 2):
        raise Unsupported(f"{rank}-d pooling (dlnc has 1-d and 2-d)")
    if x.dtype != np.float32:
        raise Unsupported(f"{x.dtype} data (dlnc models compute in f32 or f64)")
    kernel = list(a["kernel_shape"])
    strides = list(a.get("strides", [1] * rank))
    dilations = list(a.get("dilations", [1] * rank))
    if node.op_type == "AveragePool" and any(d != 1 for d in dilations):
        raise Unsupported("dilated average pooling (PyTorch's has none)")
    pads = window_padding(a, x, kernel, strides, dilations)
    for name, values in (("kernel", kernel), ("stride", strides),
                         ("padding", pads), ("dilation", dilations)):
        if len(set(values)) != 1:
            raise Unsupported(f"a {name} that differs per axis "
                              f"{values} (pooling takes one size)")
    options = [f"kernel = {kernel[0]}", f"stride = {strides[0]}",
               f"padding = {pads[0]}"]
    if dilations[0] != 1:
        options.append(f"dilation = {dilations[0]}")
    if a.get("ceil_mode", 0):
        options.append("ceil_mode = true")
    if node.op_type == "AveragePool":
        # ONNX's default excludes the padding from the average.
        options.append(f"count_include_pad = "
                       f"{'true' if a.get('count_include_pad', 0) else 'false'}")
    kind = ("max" if node.op_type == "MaxPool" else "avg") + f"_pool{rank}d"
    body = f"  output y = {kind}(x, {', '.join(options)})\n"
    return Program(x.shape[1:], body, x.reshape(x.shape[0], -1),
                   outputs[0].reshape(x.shape[0], -1))


def text_attr(a, name, default):
    value = a.get(name, default)
    return value.decode() if isinstance(value, bytes) else value


def convert_resize(node, a, inputs, outputs):
    """Resize / Upsample with one scale for every spatial axis, in the
    coordinate conventions PyTorch's F.interpolate shares with ONNX."""
    x = inputs[0]
    if x.ndim not in (3, 4):
        raise Unsupported(f"resizing rank-{x.ndim} data")
    y = outputs[0]
    # Optional inputs left out have empty names and no data file.
    given = {}
    data = iter(inputs)
    for position, name in enumerate(node.input):
        if name:
            given[position] = next(data)
    scales = None
    if node.op_type == "Upsample":
        scales = list(a.get("scales", given.get(1, [])))
    elif 2 in given and given[2].size:
        scales = list(given[2])
    if 3 in given and given[3].size:
        scales = [o / i for o, i in zip(given[3], x.shape)]
    if text_attr(a, "coordinate_transformation_mode", "") == \
            "tf_crop_and_resize":
        raise Unsupported("tf_crop_and_resize's region of interest")
    if not scales or list(scales[:2]) != [1, 1] or len(set(scales[2:])) != 1:
        raise Unsupported(f"scales {[float(v) for v in scales or []]}: dlnc "
                          "resamples every spatial axis by one factor")
    scale = float(scales[2])
    if any(int(np.floor(n * scale)) != m
           for n, m in zip(x.shape[2:], y.shape[2:])):
        raise Unsupported("output sizes that are not floor(size * scale)")
    mode = text_attr(a, "mode", "nearest")
    transform = text_attr(a, "coordinate_transformation_mode", "half_pixel")
    nearest_mode = text_attr(a, "nearest_mode", "round_prefer_floor")
    if mode == "linear" and transform in ("half_pixel", "pytorch_half_pixel"):
        if scale < 1:
            raise Unsupported("linear downsampling (PyTorch and dlnc "
                              "interpolate without ONNX's antialiasing rules)")
        options = ", mode = bilinear"
    elif mode == "linear" and transform == "align_corners":
        if any(n * scale != int(n * scale) for n in x.shape[2:]):
            raise Unsupported("align_corners with a fractional size n * "
                              "scale (ONNX divides by n * scale - 1, "
                              "PyTorch and dlnc by the rounded size - 1)")
        options = ", mode = bilinear, align_corners = true"
    elif mode == "nearest" and (
            (transform == "asymmetric" and nearest_mode == "floor") or
            (transform == "half_pixel" and nearest_mode == "round_prefer_floor"
             and scale == int(scale))):
        options = ", mode = nearest"
    else:
        raise Unsupported(f"mode {mode} with {transform}"
                          + (f" and {nearest_mode}" if mode == "nearest" else "")
                          + " (dlnc has PyTorch's nearest and linear modes)")
    if node.op_type == "Upsample" and mode == "linear":
        raise Unsupported("Upsample's linear mode (asymmetric coordinates)")
    return Program(x.shape[1:], f"  output y = upsample(x, scale = {scale!r}"
                   f"{options})\n", x.reshape(x.shape[0], -1),
                   y.reshape(x.shape[0], -1))


def convert_recurrent(op, a, inputs, outputs, wanted):
    """RNN, LSTM and GRU: one sample is one batch element's [T, I]
    sequence. RNN, LSTM and GRU with linear_before_reset = 1 (PyTorch's
    cells) run dlnc's rnn / lstm / gru layers with ONNX's weights in
    PyTorch's gate order (checkpoint arrays); ONNX's default GRU
    (linear_before_reset = 0: the reset gate applied before the recurrent
    product) is written out as a `fn` scanned over the sequence, its weights
    `const`s."""
    x, w, r = inputs[0], inputs[1], inputs[2]
    present = lambda i: len(inputs) > i and inputs[i] is not None and \
        inputs[i].size > 0
    for index, what in ((4, "per-sample sequence_lens (seq types are "
                            "designed)"),
                        (5, "an initial_h input (a layer's init = s0 is "
                            "designed)"),
                        (6, "an initial_c input"), (7, "peephole weights P")):
        if present(index):
            raise Unsupported(what)
    direction = text_attr(a, "direction", "forward")
    if direction != "forward":
        raise Unsupported(f"direction {direction}")
    for name in ("activations", "clip", "input_forget"):
        if a.get(name):
            raise Unsupported(f"attribute {name} = {a[name]!r}")
    hidden = a["hidden_size"]
    batchwise = a.get("layout", 0) == 1
    if not batchwise:  # [T, B, I] to [B, T, I]
        x = x.transpose(1, 0, 2)
    batch, steps, features = x.shape
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[op]
    bias = inputs[3][0] if present(3) else np.zeros(2 * gates * hidden,
                                                    np.float32)
    w, r = w[0], r[0]
    b_ih, b_hh = bias[:gates * hidden], bias[gates * hidden:]
    # ONNX's gate blocks in PyTorch's order: LSTM i o f c -> i f c o, GRU
    # z r h -> r z h.
    order = {"RNN": [0], "LSTM": [0, 2, 3, 1], "GRU": [1, 0, 2]}[op]

    def torch_order(m):
        return np.concatenate([m[g * hidden:(g + 1) * hidden] for g in order])
    if op == "GRU" and not a.get("linear_before_reset", 0):
        consts = ""
        for name, m in (("w", w), ("r", r), ("wb", b_ih), ("rb", b_hh)):
            for g, gate in enumerate("zrh"):
                part = m[g * hidden:(g + 1) * hidden]
                consts += (f"  const {name}{gate}: f32{dims(part.shape)} = "
                           f"{literal(part)}\n")
        body = ("  fn cell(h, v) {\n"
                "    let z = sigmoid(wz @ v + wbz + rz @ h + rbz)\n"
                "    let g = sigmoid(wr @ v + wbr + rr @ h + rbr)\n"
                "    let n = tanh(wh @ v + wbh + rh @ (g * h) + rbh)\n"
                "    return (1 - z) * n + z * h\n  }\n"
                f"  let hs = scan(cell, x, init = zeros({hidden}))\n")
        params = {}
    else:
        kind = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}[op]
        consts = ""
        body = (f"  layer c = {kind}({features} -> {hidden})\n"
                "  let hs = c(x)\n")
        params = {"c.weight_ih_l0": torch_order(w),
                  "c.weight_hh_l0": torch_order(r),
                  "c.bias_ih_l0": torch_order(b_ih),
                  "c.bias_hh_l0": torch_order(b_hh)}
    if wanted == "Y":  # [T, 1, B, H], or [B, T, 1, H] batchwise
        y = outputs[0]
        y = y[:, :, 0] if batchwise else y[:, 0].transpose(1, 0, 2)
        body += "  output y = hs\n"
    else:  # Y_h: [1, B, H], or [B, 1, H] batchwise
        y = outputs[-1]
        y = y[:, 0] if batchwise else y[0]
        body += "  output y = last(hs)\n"
    return Program((steps, features), body, x.reshape(batch, -1),
                   y.reshape(batch, -1), params, consts)


def whole(x, expected, body, consts=""):
    """The whole tensor as one sample."""
    return Program(x.shape, body, x.reshape(1, -1), expected.reshape(1, -1),
                   consts=consts)


def convert(case_dir):
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    nodes = model.graph.node
    if len(nodes) != 1:
        raise Unsupported(f"a graph of {len(nodes)} nodes (a function's "
                          "expansion; the one-node test covers the op)")
    node = nodes[0]
    data_sets = sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")))
    if not data_sets:
        raise Unsupported("no test data set")

    def read(path):
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        return numpy_helper.to_array(tensor)

    inputs = [read(p) for p in sorted(glob.glob(
        os.path.join(data_sets[0], "input_*.pb")),
        key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))]
    outputs = [read(p) for p in sorted(glob.glob(
        os.path.join(data_sets[0], "output_*.pb")),
        key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))]
    a = attrs(node)
    op = node.op_type
    x = inputs[0]
    if x.dtype != np.float32:
        raise Unsupported(f"{x.dtype} data (dlnc models compute in f32 or f64)")
    opset = max((o.version for o in model.opset_import
                 if o.domain in ("", "ai.onnx")), default=1)
    if op in ("Relu", "Sigmoid", "Tanh"):
        return whole(x, outputs[0], f"  output y = {op.lower()}(x)\n")
    if op == "LeakyRelu":
        return whole(x, outputs[0], "  output y = leaky_relu(x, slope = "
                     f"{a.get('alpha', 0.01)!r})\n")
    if op in ("Softmax", "LogSoftmax"):
        axis = a.get("axis", -1 if opset >= 13 else 1)
        if axis < 0:
            axis += x.ndim
        # Before opset 13 the op flattens from `axis` into one row: the
        # same as one axis only when `axis` is the last.
        if opset < 13 and axis != x.ndim - 1:
            raise Unsupported(f"{op} (opset {opset}) flattening from axis "
                              f"{axis} of a rank-{x.ndim} tensor")
        name = "softmax" if op == "Softmax" else "log_softmax"
        # The whole tensor is one sample of the program.
        option = "" if axis == x.ndim - 1 else f", axis = {axis}"
        return whole(x, outputs[0], f"  output y = {name}(x{option})\n")
    if op == "Flatten":
        return whole(x, outputs[0], "  output y = flatten(x)\n")
    if op == "Gemm":
        b = inputs[1]
        if a.get("transB", 0):
            b = b.T
        rows = x.T if a.get("transA", 0) else x
        alpha, beta = a.get("alpha", 1.0), a.get("beta", 1.0)
        consts = f"  const b: f32{dims(b.shape)} = {literal(b)}\n"
        body = f"  output y = {alpha!r} * (x @ b)"
        if len(inputs) > 2:
            c = inputs[2]
            if c.ndim == 2 and c.shape[0] != 1:
                raise Unsupported("a bias C with one row per sample (dlnc "
                                  "models take one input)")
            c = c.reshape(-1) if c.size > 1 else c.reshape(())
            consts += f"  const c: f32{dims(c.shape)} = {literal(c)}\n"
            body += f" + {beta!r} * c"
        return Program(rows.shape[1:], body + "\n", rows,
                       outputs[0].reshape(rows.shape[0], -1), consts=consts)
    if op == "MatMul":
        b = inputs[1]
        if x.ndim != 2 or b.ndim != 2:
            raise Unsupported("batched MatMul of two data inputs (dlnc "
                              "models take one input)")
        consts = f"  const b: f32{dims(b.shape)} = {literal(b)}\n"
        return Program(x.shape[1:], "  output y = x @ b\n", x,
                       outputs[0].reshape(x.shape[0], -1), consts=consts)
    if op in ("Conv", "ConvTranspose"):
        return convert_conv(node, a, inputs, outputs, op == "ConvTranspose")
    if op in ("MaxPool", "AveragePool"):
        return convert_pool(node, a, inputs, outputs)
    if op in ("GlobalAveragePool", "GlobalMaxPool"):
        if x.ndim != 4:
            raise Unsupported(f"global pooling of rank-{x.ndim} data")
        kind = "global_avg_pool" if op == "GlobalAveragePool" else \
            "global_max_pool"
        return Program(x.shape[1:], f"  output y = {kind}(x)\n",
                       x.reshape(x.shape[0], -1),
                       outputs[0].reshape(x.shape[0], -1))
    if op == "BatchNormalization":
        if a.get("training_mode", 0) or len(outputs) > 1:
            raise Unsupported("training-mode BatchNormalization (its batch "
                              "statistics outputs)")
        scale, bias, mean, var = inputs[1:5]
        eps = a.get("epsilon", 1e-5)
        body = (f"  layer bn = batch_norm({x.shape[1]}, eps = {eps!r})\n"
                "  output y = bn(x)\n")
        params = {"bn.gamma": scale, "bn.beta": bias,
                  "bn.running_mean": mean, "bn.running_var": var}
        return Program(x.shape[1:], body, x.reshape(x.shape[0], -1),
                       outputs[0].reshape(x.shape[0], -1), params)
    if op == "Dropout":
        if len(outputs) > 1 or len(inputs) > 2:
            raise Unsupported("Dropout's mask output or training_mode input "
                              "(dlnc's training draws are its own)")
        ratio = a.get("ratio", 0.5)
        if len(inputs) > 1:
            ratio = float(inputs[1])
        # Inference: the identity.
        return whole(x, outputs[0],
                     f"  output y = dropout(x, {ratio!r})\n")
    if op == "Concat":
        raise Unsupported("several data inputs (dlnc models take one input; "
                          "concat is tested with one)")
    if op in ("Resize", "Upsample"):
        return convert_resize(node, a, inputs, outputs)
    if op in ("RNN", "LSTM", "GRU"):
        # The first output the node names: all states Y, else Y_h.
        wanted = "Y" if node.output[0] else "Y_h"
        return convert_recurrent(op, a, inputs, outputs, wanted)
    if op == "Pad":
        raise Unsupported("no pad builtin (padding is part of convolutions "
                          "and pooling)")
    raise Unsupported(f"operator {op}")


def run_case(case_dir, args):
    name = os.path.basename(case_dir)
    try:
        program = convert(case_dir)
    except Unsupported as e:
        return name, "unsupported", str(e)
    work = os.path.join(args.work, name)
    os.makedirs(work, exist_ok=True)
    source = os.path.join(work, "model.dln")
    with open(source, "w") as f:
        f.write(program.text("case"))
    binary = os.path.join(work, "model")
    compiled = subprocess.run([args.dlnc, source, "-o", binary],
                              capture_output=True, text=True)
    if compiled.returncode != 0:
        return name, "failed", "dlnc: " + compiled.stderr.strip()
    rows = os.path.join(work, "input.csv")
    np.savetxt(rows, program.rows.astype(np.float64), delimiter=",",
               fmt="%.9g")
    command = [binary, "predict", "--input", rows]
    if program.params:
        checkpoint = os.path.join(work, "params.npz")
        np.savez(checkpoint, **{k: v.astype(np.float32)
                                for k, v in program.params.items()})
        command += ["--load", checkpoint]
    ran = subprocess.run(command, capture_output=True, text=True)
    if ran.returncode != 0:
        return name, "failed", "predict: " + ran.stderr.strip()
    got = np.array([[float(v) for v in line.split(",")]
                    for line in ran.stdout.splitlines() if line])
    want = program.expected.astype(np.float64)
    if got.shape != want.shape:
        return name, "failed", f"output shape {got.shape}, expected {want.shape}"
    bad = np.abs(got - want) > ATOL + RTOL * np.abs(want)
    if bad.any():
        i = np.argwhere(bad)[0]
        return name, "failed", (f"{int(bad.sum())} of {bad.size} values "
                                f"differ; at {tuple(i)}: {got[tuple(i)]!r} "
                                f"vs {want[tuple(i)]!r}")
    return name, "passed", f"{want.size} values"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dlnc", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--data",
                        default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("-k", default="")
    parser.add_argument("-v", action="store_true")
    args = parser.parse_args()
    cases = []
    for case_dir in sorted(glob.glob(os.path.join(args.data, "test_*"))):
        if args.k not in os.path.basename(case_dir):
            continue
        try:
            op = onnx.load(os.path.join(case_dir, "model.onnx")).graph.node[0].op_type
        except Exception:
            continue
        if op in OPS:
            cases.append(case_dir)
    os.makedirs(args.work, exist_ok=True)
    counts = {"passed": 0, "failed": 0, "unsupported": 0}
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for name, status, detail in pool.map(lambda c: run_case(c, args),
                                             cases):
            counts[status] += 1
            if status != "passed" or args.v:
                print(f"{status.upper():11s} {name}: {detail}")
    print(f"{counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['unsupported']} unsupported")
    return 1 if counts["failed"] or not counts["passed"] else 0


if __name__ == "__main__":
    sys.exit(main())
