#!/usr/bin/env python3
"""Single-op test harness: forward results and gradients of every dln op.

Each case of build_cases() is a dln snippet (usually one op) with its inputs
and a NumPy reference. For each the harness generates MLIR whose `main`
prints, bit-exact, f(x), the gradient of obj(x) = reduce_sum(f(x) * w) from
`dln.value_and_grad`, and obj at x +- eps*e_j for every element of every
differentiated input. dlnc-opt lowers it (pipeline() below) and mlir-runner
runs it; the harness then compares the forward result with NumPy and the
analytic gradient with central differences (both also with PyTorch where it
is installed). Cases are compiled in one module per job; a module that fails
is rerun one case at a time, so each failure names its case.

  op_harness.py [--dlnc-opt BIN] [--mlir-runner BIN] [--runner-libs DIR]
                [-O2] [-k SUBSTRING] [--keep] [--print-module CASE]
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import zlib

import numpy as np

# The lowering, in one place: autodiff and dln->linalg as dlnc does them, then
# upstream bufferization and LLVM lowering. The calls from `main` into `run`
# and from `run` into the objective are `no_inline`, so the constant inputs
# never reach the ops and nothing is constant-folded away.
DLN_TO_LINALG = ["dln-autodiff", "inline", "symbol-dce", "canonicalize", "cse",
                 "convert-dln-to-linalg", "canonicalize"]
# -O2 adds dlnc's own optimizations; tiles of 2 rows leave remainders even on
# the small inputs here.
OPTIMIZE_TENSORS = ["func.func(dln-fuse-elementwise)", "cse",
                    "func.func(dln-tile-contractions{tile-sizes=2,0,0})", "canonicalize"]
BUFFERIZE = ["convert-elementwise-to-linalg", "eliminate-empty-tensors",
             "one-shot-bufferize{bufferize-function-boundaries}",
             "buffer-deallocation-pipeline", "canonicalize"]
OPTIMIZE_BUFFERS = ["func.func(dln-vectorize-contractions)"]
TO_LLVM = ["func.func(convert-linalg-to-loops)", "lower-affine",
           "convert-scf-to-cf", "canonicalize", "convert-vector-to-llvm",
           "expand-strided-metadata", "lower-affine", "finalize-memref-to-llvm",
           "convert-math-to-llvm", "convert-math-to-libm",
           "convert-arith-to-llvm", "convert-index-to-llvm",
           "convert-func-to-llvm", "convert-cf-to-llvm",
           "reconcile-unrealized-casts"]


def pipeline(optimize):
    passes = DLN_TO_LINALG + (OPTIMIZE_TENSORS if optimize else []) + \
        BUFFERIZE + (OPTIMIZE_BUFFERS if optimize else []) + TO_LLVM
    return "builtin.module(" + ",".join(passes) + ")"


EPS = 1e-6                   # central-difference step
FWD_RTOL, FWD_ATOL = 1e-10, 1e-12
GRAD_RTOL, GRAD_ATOL = 1e-6, 1e-8

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


class Arg:
    """An input: shape, element type, value generator, differentiated or not.

    gen: 'any' uniform in [-1, 1] at least 0.1 from 0 (away from the kinks of
    relu, abs, sign and from ties); 'pos' in [0.5, 2]; 'zeros' has exact 0s
    (forward-only checks of sign); 'cond' 0/1 masks; 'labels:K' ids in
    [-1, K] (both ends out of range); or a fixed array.
    """

    def __init__(self, shape, gen="any", dtype="f64", wrt=None):
        self.shape, self.gen, self.dtype = tuple(shape), gen, dtype
        if wrt is None:
            wrt = dtype == "f64" and not (isinstance(gen, str) and gen == "cond")
        self.wrt = wrt


class Case:
    def __init__(self, name, args, body, out, ref, grad=True, grad_ref=None,
                 torch_fn=None):
        self.name, self.args, self.body, self.out = name, args, body, tuple(out)
        self.ref, self.grad, self.grad_ref = ref, grad, grad_ref
        self.torch_fn = torch_fn


def T(shape, et="f64"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + et + ">"


def sh(shape):
    return "x".join(map(str, shape)) if shape else "scalar"


def ints(values):
    return "[" + ", ".join(map(str, values)) + "]"


RANKS = [(), (5,), (2, 3), (2, 3, 4)]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def unary(op, shape, ref, gen="any", grad=True, torch_fn=None, name=None):
    return Case(name or f"{op}.{sh(shape)}", [Arg(shape, gen)],
                [f"%r = dln.{op} %a0 : {T(shape)}"], shape, ref, grad=grad,
                torch_fn=torch_fn)


def binary(op, shape, ref, gens=("any", "any"), torch_fn=None, name=None,
           args=None, grad_ref=None):
    return Case(name or f"{op}.{sh(shape)}",
                args or [Arg(shape, gens[0]), Arg(shape, gens[1])],
                [f"%r = dln.{op} %a0, %a1 : {T(shape)}"], shape, ref,
                torch_fn=torch_fn, grad_ref=grad_ref)


def reduce(op, shape, axes, ref, torch_fn=None, gen="any"):
    out = tuple(d for i, d in enumerate(shape) if i not in axes)
    return Case(f"{op}.{sh(shape)}.axes{''.join(map(str, axes)) or '-none'}",
                [Arg(shape, gen)],
                [f"%r = dln.{op} %a0 {ints(axes)} : {T(shape)} -> {T(out)}"],
                out, lambda x: ref(x, axes), torch_fn=torch_fn)


def broadcast(shape, out, dims):
    def ref(x):
        # Insert the new dimensions as size 1, then stretch them.
        view = [1] * len(out)
        for i, d in enumerate(dims):
            view[d] = shape[i]
        return np.broadcast_to(x.reshape(view), out).copy()
    return Case(f"broadcast.{sh(shape)}.to{sh(out)}.dims{''.join(map(str, dims))}",
                [Arg(shape)],
                [f"%r = dln.broadcast %a0 {ints(out)} dims {ints(dims)} : "
                 f"{T(shape)} -> {T(out)}"], out, ref)


def reshape(shape, out):
    return Case(f"reshape.{sh(shape)}.to{sh(out)}", [Arg(shape)],
                [f"%r = dln.reshape %a0 {ints(out)} : {T(shape)} -> {T(out)}"],
                out, lambda x: x.reshape(out),
                torch_fn=lambda t, x: x.reshape(out))


def transpose(shape, perm):
    out = tuple(shape[p] for p in perm)
    return Case(f"transpose.{sh(shape)}.perm{''.join(map(str, perm))}",
                [Arg(shape)],
                [f"%r = dln.transpose %a0 {ints(perm)} : {T(shape)} -> {T(out)}"],
                out, lambda x: np.transpose(x, perm),
                torch_fn=lambda t, x: x.permute(*perm))


def matmul(lhs, rhs, tl, tr):
    def op(m, t):
        return np.swapaxes(m, -1, -2) if t else m
    a, b = op(np.empty(lhs), tl), op(np.empty(rhs), tr)
    assert a.shape[-1] == b.shape[-2], f"bad matmul case {lhs} {rhs}"
    out = a.shape[:-1] + b.shape[-1:]
    flags = [f for f, on in (("transpose_lhs", tl), ("transpose_rhs", tr)) if on]
    attr = " {" + ", ".join(flags) + "}" if flags else ""
    name = "matmul" + ("".join("." + f[10:] + "T" for f in flags) or ".NN")
    return Case(f"{name}.{sh(lhs)}.{sh(rhs)}", [Arg(lhs), Arg(rhs)],
                [f"%r = dln.matmul %a0, %a1{attr} : {T(lhs)}, {T(rhs)} -> {T(out)}"],
                out, lambda x, y: op(x, tl) @ op(y, tr),
                torch_fn=lambda t, x, y: (x.transpose(-1, -2) if tl else x) @
                (y.transpose(-1, -2) if tr else y))


def snippet(name, args, body, out, ref, grad=True, grad_ref=None, torch_fn=None):
    return Case(name, args, body.strip().splitlines(), out, ref, grad=grad,
                grad_ref=grad_ref, torch_fn=torch_fn)


def build_cases():
    cases = []
    unaries = {
        "neg": (np.negative, "any", lambda t, x: -x),
        "exp": (np.exp, "any", lambda t, x: t.exp(x)),
        "log": (np.log, "pos", lambda t, x: t.log(x)),
        "sqrt": (np.sqrt, "pos", lambda t, x: t.sqrt(x)),
        "abs": (np.abs, "any", lambda t, x: t.abs(x)),
        "tanh": (np.tanh, "any", lambda t, x: t.tanh(x)),
        "sigmoid": (sigmoid, "any", lambda t, x: t.sigmoid(x)),
        "relu": (lambda x: np.maximum(x, 0), "any", lambda t, x: t.relu(x)),
    }
    for op, (ref, gen, tf) in unaries.items():
        for shape in RANKS:
            cases.append(unary(op, shape, ref, gen, torch_fn=tf))
    # Forward only: sign (exact zeros included) and stop_gradient.
    for shape in RANKS:
        cases.append(unary("sign", shape, np.sign, gen="zeros", grad=False,
                           torch_fn=lambda t, x: t.sign(x)))
    for shape in RANKS:
        cases.append(unary("floor", shape, np.floor, grad=False,
                           torch_fn=lambda t, x: t.floor(x)))
    for shape in [(), (2, 3)]:
        cases.append(unary("stop_gradient", shape, lambda x: x, grad=False))
    # stop_gradient's operand gets no gradient: d/dx sum(w * x * sg(x)) = w*x.
    cases.append(snippet("stop_gradient.cuts_path.2x3", [Arg((2, 3))], f"""
        %s = dln.stop_gradient %a0 : {T((2, 3))}
        %r = dln.mul %a0, %s : {T((2, 3))}""", (2, 3), lambda x: x * x,
        grad_ref=lambda w, x: [w * x]))

    binaries = {
        "add": (np.add, ("any", "any"), lambda t, x, y: x + y),
        "sub": (np.subtract, ("any", "any"), lambda t, x, y: x - y),
        "mul": (np.multiply, ("any", "any"), lambda t, x, y: x * y),
        "div": (np.divide, ("any", "any"), lambda t, x, y: x / y),
        "max": (np.maximum, ("any", "any"), lambda t, x, y: t.maximum(x, y)),
    }
    for op, (ref, gens, tf) in binaries.items():
        for shape in RANKS:
            cases.append(binary(op, shape, ref, gens, torch_fn=tf))
    # Ties of max send the whole gradient to the left operand.
    tie_a = np.array([[0.5, -0.25, 1.0], [0.75, -1.0, 0.125]])
    tie_b = np.array([[0.5, 0.5, 1.0], [-0.5, -1.0, 0.25]])
    cases.append(binary("max", (2, 3), np.maximum, name="max.ties.2x3",
                        args=[Arg((2, 3), tie_a), Arg((2, 3), tie_b)],
                        grad_ref=lambda w, a, b: [w * (a >= b), w * (a < b)]))
    # The same value on both sides: adjoints of both operands accumulate.
    cases.append(snippet("mul.same_operand.2x3", [Arg((2, 3))],
                         f"%r = dln.mul %a0, %a0 : {T((2, 3))}", (2, 3),
                         lambda x: x * x, torch_fn=lambda t, x: x * x))

    # compare: forward only, with ties, each predicate.
    cmp_a = np.array([[0.5, -0.25, 1.0], [0.75, -1.0, 0.125]])
    cmp_b = np.array([[0.5, 0.5, 1.0], [-0.5, -1.0, 0.25]])
    preds = {"lt": np.less, "le": np.less_equal, "gt": np.greater,
             "ge": np.greater_equal, "eq": np.equal, "ne": np.not_equal}
    for p, fn in preds.items():
        cases.append(Case(f"compare.{p}.2x3", [Arg((2, 3), cmp_a),
                                               Arg((2, 3), cmp_b)],
                          [f"%r = dln.compare {p}, %a0, %a1 : {T((2, 3))}"],
                          (2, 3), lambda x, y, fn=fn: fn(x, y).astype(np.float64),
                          grad=False))
    for shape in [(), (5,), (2, 3, 4)]:
        cases.append(Case(f"compare.gt.{sh(shape)}", [Arg(shape), Arg(shape)],
                          [f"%r = dln.compare gt, %a0, %a1 : {T(shape)}"], shape,
                          lambda x, y: (x > y).astype(np.float64), grad=False))

    # select: the 0/1 condition is an input but not differentiated.
    for shape in RANKS:
        cases.append(Case(f"select.{sh(shape)}",
                          [Arg(shape, "cond"), Arg(shape), Arg(shape)],
                          [f"%r = dln.select %a0, %a1, %a2 : {T(shape)}"], shape,
                          lambda c, x, y: np.where(c != 0, x, y),
                          torch_fn=lambda t, c, x, y: t.where(c != 0, x, y)))
    # Leaky relu: a select on a compare of the differentiated input.
    cases.append(snippet("select.leaky_relu.2x3", [Arg((2, 3))], f"""
        %z = arith.constant dense<0.0> : {T((2, 3))}
        %k = arith.constant dense<0.1> : {T((2, 3))}
        %c = dln.compare gt, %a0, %z : {T((2, 3))}
        %s = dln.mul %a0, %k : {T((2, 3))}
        %r = dln.select %c, %a0, %s : {T((2, 3))}""", (2, 3),
        lambda x: np.where(x > 0, x, 0.1 * x)))

    for shape, out, dims in [((), (2, 3), ()), ((3,), (2, 3), (1,)),
                             ((2,), (2, 3), (0,)), ((2, 3), (2, 3), (0, 1)),
                             ((2, 3), (4, 2, 3), (1, 2)),
                             ((2, 4), (2, 3, 4), (0, 2)),
                             ((2, 3), (2, 3, 4), (0, 1)),
                             ((3,), (2, 3, 4), (1,)), ((), (5,), ()),
                             ((1,), (2, 1, 3), (1,))]:
        cases.append(broadcast(shape, out, dims))

    for shape, out in [((2, 3), (6,)), ((6,), (3, 2)), ((2, 3, 4), (4, 6)),
                       ((2, 3, 4), (24,)), ((2, 3, 4), (3, 2, 4)), ((1,), ()),
                       ((), (1, 1)), ((2, 3), (2, 3))]:
        cases.append(reshape(shape, out))

    for shape, perm in [((2, 3), (1, 0)), ((2, 3), (0, 1)),
                        ((2, 3, 4), (2, 1, 0)), ((2, 3, 4), (1, 0, 2)),
                        ((2, 3, 4), (0, 2, 1)), ((2, 3, 4), (1, 2, 0)),
                        ((2, 3, 4), (2, 0, 1)), ((5,), (0,))]:
        cases.append(transpose(shape, perm))

    # one_hot: forward only; ids -1 and K are out of range (all-zero rows).
    for et, shape in [("i32", (5,)), ("i64", (2, 3))]:
        k = 4
        cases.append(Case(f"one_hot.{et}.{sh(shape)}", [Arg(shape, f"labels:{k}", et)],
                          [f"%r = dln.one_hot %a0 classes {k} as f64 : "
                           f"{T(shape, et)} -> {T(shape + (k,))}"],
                          shape + (k,),
                          lambda y, k=k: (y[..., None] == np.arange(k)).astype(np.float64),
                          grad=False))

    sums = lambda x, axes: np.sum(x, axis=tuple(axes))
    maxs = lambda x, axes: np.max(x, axis=tuple(axes))
    for shape, axes in [((5,), (0,)), ((2, 3), (0,)), ((2, 3), (1,)),
                        ((2, 3), (0, 1)), ((2, 3, 4), (0,)), ((2, 3, 4), (1,)),
                        ((2, 3, 4), (2,)), ((2, 3, 4), (0, 2)),
                        ((2, 3, 4), (1, 2)), ((2, 3, 4), (0, 1, 2)),
                        ((2, 3), ()), ((), ())]:
        cases.append(reduce("reduce_sum", shape, axes, sums,
                            torch_fn=None if not axes else
                            lambda t, x, a=axes: x.sum(dim=a)))
        cases.append(reduce("reduce_max", shape, axes, maxs,
                            torch_fn=None if not axes else
                            lambda t, x, a=axes: x.amax(dim=a)))
    # Ties of reduce_max: every maximal element receives the full gradient.
    tied = np.array([[0.5, 0.75, 0.75], [-0.25, -0.25, -0.5]])
    cases.append(Case("reduce_max.ties.2x3.axes1", [Arg((2, 3), tied)],
                      [f"%r = dln.reduce_max %a0 [1] : {T((2, 3))} -> {T((2,))}"],
                      (2,), lambda x: x.max(axis=1),
                      grad_ref=lambda w, x: [w[:, None] * (x == x.max(1, keepdims=True))]))

    for tl, tr in [(False, False), (True, False), (False, True), (True, True)]:
        m, k, n = 3, 4, 2
        cases.append(matmul((k, m) if tl else (m, k), (n, k) if tr else (k, n), tl, tr))
        cases.append(matmul((2,) + ((k, m) if tl else (m, k)),
                            (2,) + ((n, k) if tr else (k, n)), tl, tr))
    cases.append(matmul((2, 2, 3, 4), (2, 2, 4, 2), False, False))
    cases.append(matmul((1, 4), (4, 1), False, False))
    # With -O2: more rows and columns than one register block of
    # dln-vectorize-contractions (4 x 16 f64), with remainders, and tiled.
    cases.append(matmul((6, 9), (9, 20), False, False))
    cases.append(matmul((9, 6), (9, 20), True, False))
    cases.append(matmul((9, 6), (20, 9), True, True))
    cases.append(matmul((4, 3, 4), (4, 2, 4), False, True))

    # Composites as the frontend builds them from primitives.
    x23, t2, t3 = T((2, 3)), T((2,)), T((3,))
    cases.append(snippet("softmax.2x3.axis1", [Arg((2, 3))], f"""
        %m = dln.reduce_max %a0 [1] : {x23} -> {t2}
        %mb = dln.broadcast %m [2, 3] dims [0] : {t2} -> {x23}
        %s = dln.sub %a0, %mb : {x23}
        %e = dln.exp %s : {x23}
        %z = dln.reduce_sum %e [1] : {x23} -> {t2}
        %zb = dln.broadcast %z [2, 3] dims [0] : {t2} -> {x23}
        %r = dln.div %e, %zb : {x23}""", (2, 3),
        lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True),
        torch_fn=lambda t, x: t.softmax(x, 1)))
    cases.append(snippet("log_softmax.2x3.axis1", [Arg((2, 3))], f"""
        %m = dln.reduce_max %a0 [1] : {x23} -> {t2}
        %mb = dln.broadcast %m [2, 3] dims [0] : {t2} -> {x23}
        %s = dln.sub %a0, %mb : {x23}
        %e = dln.exp %s : {x23}
        %z = dln.reduce_sum %e [1] : {x23} -> {t2}
        %l = dln.log %z : {t2}
        %lb = dln.broadcast %l [2, 3] dims [0] : {t2} -> {x23}
        %r = dln.sub %s, %lb : {x23}""", (2, 3),
        lambda x: x - np.log(np.exp(x).sum(1, keepdims=True)),
        torch_fn=lambda t, x: t.log_softmax(x, 1)))
    cases.append(snippet("cross_entropy.2x3", [Arg((2, 3)), Arg((2,), "labels:3", "i32")], f"""
        %h = dln.one_hot %a1 classes 3 as f64 : {T((2,), "i32")} -> {x23}
        %m = dln.reduce_max %a0 [1] : {x23} -> {t2}
        %mb = dln.broadcast %m [2, 3] dims [0] : {t2} -> {x23}
        %s = dln.sub %a0, %mb : {x23}
        %e = dln.exp %s : {x23}
        %z = dln.reduce_sum %e [1] : {x23} -> {t2}
        %l = dln.log %z : {t2}
        %lb = dln.broadcast %l [2, 3] dims [0] : {t2} -> {x23}
        %ls = dln.sub %s, %lb : {x23}
        %p = dln.mul %h, %ls : {x23}
        %q = dln.reduce_sum %p [0, 1] : {x23} -> tensor<f64>
        %n = arith.constant dense<-0.5> : tensor<f64>
        %r = dln.mul %q, %n : tensor<f64>""", (),
        lambda x, y: -np.mean(np.sum((y[:, None] == np.arange(3)) *
                                     (x - np.log(np.exp(x).sum(1, keepdims=True))), 1))))
    cases.append(snippet("dense_relu.2x3.3x4", [Arg((2, 3)), Arg((3, 4)), Arg((4,))], f"""
        %y = dln.matmul %a0, %a1 : {x23}, {T((3, 4))} -> {T((2, 4))}
        %bb = dln.broadcast %a2 [2, 4] dims [1] : {T((4,))} -> {T((2, 4))}
        %z = dln.add %y, %bb : {T((2, 4))}
        %r = dln.relu %z : {T((2, 4))}""", (2, 4),
        lambda x, w, b: np.maximum(x @ w + b, 0),
        torch_fn=lambda t, x, w, b: t.relu(x @ w + b)))
    cases.append(snippet("mse.2x3", [Arg((2, 3)), Arg((2, 3))], f"""
        %d = dln.sub %a0, %a1 : {x23}
        %s = dln.mul %d, %d : {x23}
        %m = dln.reduce_sum %s [0, 1] : {x23} -> tensor<f64>
        %n = arith.constant dense<0.16666666666666666> : tensor<f64>
        %r = dln.mul %m, %n : tensor<f64>""", (),
        lambda x, y: np.sum((x - y) ** 2) * 0.16666666666666666,
        torch_fn=lambda t, x, y: ((x - y) ** 2).sum() * 0.16666666666666666))
    cases.append(snippet("bce_with_sigmoid.2x3", [Arg((2, 3)), Arg((2, 3), "cond")], f"""
        %p = dln.sigmoid %a0 : {x23}
        %lp = dln.log %p : {x23}
        %one = arith.constant dense<1.0> : {x23}
        %q = dln.sub %one, %p : {x23}
        %lq = dln.log %q : {x23}
        %u = dln.sub %one, %a1 : {x23}
        %t0 = dln.mul %a1, %lp : {x23}
        %t1 = dln.mul %u, %lq : {x23}
        %s = dln.add %t0, %t1 : {x23}
        %r = dln.neg %s : {x23}""", (2, 3),
        lambda x, y: -(y * np.log(sigmoid(x)) + (1 - y) * np.log(1 - sigmoid(x)))))
    cases.append(snippet("layer_norm.2x3.axis1", [Arg((2, 3))], f"""
        %s = dln.reduce_sum %a0 [1] : {x23} -> {t2}
        %k = arith.constant dense<0.3333333333333333> : {t2}
        %m = dln.mul %s, %k : {t2}
        %mb = dln.broadcast %m [2, 3] dims [0] : {t2} -> {x23}
        %d = dln.sub %a0, %mb : {x23}
        %d2 = dln.mul %d, %d : {x23}
        %v = dln.reduce_sum %d2 [1] : {x23} -> {t2}
        %vm = dln.mul %v, %k : {t2}
        %ep = arith.constant dense<1.0e-5> : {t2}
        %ve = dln.add %vm, %ep : {t2}
        %sd = dln.sqrt %ve : {t2}
        %sb = dln.broadcast %sd [2, 3] dims [0] : {t2} -> {x23}
        %r = dln.div %d, %sb : {x23}""", (2, 3),
        lambda x: (x - x.mean(1, keepdims=True)) /
        np.sqrt(((x - x.mean(1, keepdims=True)) ** 2).mean(1, keepdims=True) + 1e-5)))
    # A reshape of a transposed (non-contiguous) value, and the reverse.
    cases.append(snippet("transpose_reshape.2x3x4", [Arg((2, 3, 4))], f"""
        %t = dln.transpose %a0 [2, 0, 1] : {T((2, 3, 4))} -> {T((4, 2, 3))}
        %r = dln.reshape %t [8, 3] : {T((4, 2, 3))} -> {T((8, 3))}""", (8, 3),
        lambda x: np.transpose(x, (2, 0, 1)).reshape(8, 3)))
    cases.append(snippet("reshape_transpose.2x3x4", [Arg((2, 3, 4))], f"""
        %t = dln.reshape %a0 [6, 4] : {T((2, 3, 4))} -> {T((6, 4))}
        %r = dln.transpose %t [1, 0] : {T((6, 4))} -> {T((4, 6))}""", (4, 6),
        lambda x: x.reshape(6, 4).T))
    cases.append(snippet("bias_grad_accumulates.2x3", [Arg((3,)), Arg((2, 3))], f"""
        %b = dln.broadcast %a0 [2, 3] dims [1] : {t3} -> {x23}
        %y = dln.mul %b, %a1 : {x23}
        %r = dln.add %y, %b : {x23}""", (2, 3), lambda b, x: b * x + b,
        torch_fn=lambda t, b, x: b * x + b))
    cases += window_cases()
    cases += pixel_cases()
    cases += sampling_cases()
    cases += scan_cases()
    cases += random_cases()
    return cases


M64 = (1 << 64) - 1


def splitmix_finalize(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def np_random(key, shape, distribution, stream):
    """dln.random's f64 numbers (RandomPatterns.cpp), with Python integers."""
    golden = 0x9E3779B97F4A7C15
    seed, step = (int(k) & M64 for k in key)
    base = splitmix_finalize((seed + golden) & M64)
    base = splitmix_finalize(base ^ ((step * 0xD1B54A32D192ED03) & M64))
    base = splitmix_finalize(base ^ ((stream * 0xA0761D6478BD642F) & M64))
    out = np.empty(int(np.prod(shape, dtype=np.int64)))
    for i in range(out.size):
        z = splitmix_finalize((base + (i + 1) * golden) & M64)
        u1 = (z >> 11) * 2.0 ** -53
        if distribution == "uniform":
            out[i] = u1
            continue
        z2 = splitmix_finalize(z ^ 0xE7037ED1A0B428DB)
        u2 = (z2 >> 11) * 2.0 ** -53
        out[i] = np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(6.283185307179586 * u2)
    return out.reshape(shape)


def random_cases():
    """Bit-exact against the NumPy model of the hash: the key, the stream
    and every element's index all reach the numbers."""
    cases = []
    for dist, shape, key, stream in [("uniform", (3, 5), (0, 0), 0),
                                     ("uniform", (2, 3, 4), (7, 123), 5),
                                     ("normal", (4, 6), (42, 9), 2),
                                     ("normal", (5,), (-3, 1 << 40), 77)]:
        key_arr = np.array(key, dtype=np.int64)
        cases.append(Case(
            f"random.{dist}.{sh(shape)}.stream{stream}",
            [Arg((2,), key_arr, "i64")],
            [f"%r = dln.random %a0 {ints(shape)} {dist} stream {stream} as f64 : "
             f"{T((2,), 'i64')} -> {T(shape)}"], shape,
            lambda k, s=shape, d=dist, st=stream: np_random(k, s, d, st),
            grad=False))
    return cases


def np_pad(x, low, high, interior, value=0.0):
    """XLA's pad: interior copies of value between elements, then low/high."""
    out_shape = [l + n + (n - 1) * i + h
                 for n, l, h, i in zip(x.shape, low, high, interior)]
    out = np.full(out_shape, value)
    out[tuple(slice(l, l + (n - 1) * (i + 1) + 1, i + 1)
              for n, l, i in zip(x.shape, low, interior))] = x
    return out


def np_patches(x, window, strides, dilations):
    """[B, C, S...] -> [C, K..., B, O...]."""
    n = len(window)
    counts = [(x.shape[2 + i] - dilations[i] * (window[i] - 1) - 1)
              // strides[i] + 1 for i in range(n)]
    out = np.zeros([x.shape[1]] + list(window) + [x.shape[0]] + counts)
    for k in np.ndindex(*window):
        index = tuple(slice(k[i] * dilations[i],
                            k[i] * dilations[i] + (counts[i] - 1) * strides[i] + 1,
                            strides[i]) for i in range(n))
        out[(slice(None),) + k] = np.moveaxis(x[(slice(None), slice(None)) + index], 1, 0)
    return out


def np_unpatches(cols, spatial, strides, dilations):
    """The adjoint of np_patches: [C, K..., B, O...] -> [B, C, S...]."""
    n = len(spatial)
    window, batch = cols.shape[1:1 + n], cols.shape[1 + n]
    counts = cols.shape[2 + n:]
    out = np.zeros([batch, cols.shape[0]] + list(spatial))
    for k in np.ndindex(*window):
        index = tuple(slice(k[i] * dilations[i],
                            k[i] * dilations[i] + (counts[i] - 1) * strides[i] + 1,
                            strides[i]) for i in range(n))
        out[(slice(None), slice(None)) + index] += np.moveaxis(
            cols[(slice(None),) + k], 0, 1)
    return out


def window_cases():
    """pad, slice, patches and unpatches: the ops of convolutions and
    pooling, with strides, dilations and interior padding."""
    cases = []
    for shape, low, high, interior in [((2, 3), (1, 0), (0, 2), (0, 0)),
                                       ((2, 3, 4), (0, 1, 2), (1, 0, 1), (1, 0, 2))]:
        out = tuple(l + n + (n - 1) * i + h
                    for n, l, h, i in zip(shape, low, high, interior))
        cases.append(Case(
            f"pad.{sh(shape)}.i{''.join(map(str, interior))}", [Arg(shape)],
            [f"%r = dln.pad %a0 low {ints(low)} high {ints(high)} interior "
             f"{ints(interior)} {{value = 0.5 : f64}} : {T(shape)} -> {T(out)}"],
            out, lambda x, l=low, h=high, i=interior: np_pad(x, l, h, i, 0.5)))
    for shape, offsets, sizes, strides in [((5, 4), (1, 0), (2, 4), (2, 1)),
                                           ((2, 7, 6), (0, 1, 0), (2, 2, 2), (1, 3, 4))]:
        cases.append(Case(
            f"slice.{sh(shape)}.s{''.join(map(str, strides))}", [Arg(shape)],
            [f"%r = dln.slice %a0 offsets {ints(offsets)} sizes {ints(sizes)} "
             f"strides {ints(strides)} : {T(shape)} -> {T(sizes)}"],
            tuple(sizes), lambda x, o=offsets, z=sizes, t=strides: x[tuple(
                slice(a, a + (b - 1) * c + 1, c) for a, b, c in zip(o, z, t))]))
    for shape, window, strides, dilations in [
            ((2, 2, 5, 6), (2, 3), (1, 1), (1, 1)),
            ((1, 3, 7, 7), (3, 2), (2, 3), (1, 2)),
            ((2, 2, 9), (3,), (2,), (2,))]:
        n = len(window)
        counts = tuple((shape[2 + i] - dilations[i] * (window[i] - 1) - 1)
                       // strides[i] + 1 for i in range(n))
        cols = (shape[1],) + window + (shape[0],) + counts
        tag = f"{sh(shape)}.w{''.join(map(str, window))}" \
              f".s{''.join(map(str, strides))}.d{''.join(map(str, dilations))}"
        attrs = (f"strides {ints(strides)} dilations {ints(dilations)}")
        cases.append(Case(
            f"patches.{tag}", [Arg(shape)],
            [f"%r = dln.patches %a0 window {ints(window)} {attrs} : "
             f"{T(shape)} -> {T(cols)}"],
            cols, lambda x, w=window, t=strides, d=dilations:
            np_patches(x, w, t, d)))
        cases.append(Case(
            f"unpatches.{tag}", [Arg(cols)],
            [f"%r = dln.unpatches %a0 spatial {ints(shape[2:])} {attrs} : "
             f"{T(cols)} -> {T(shape)}"],
            shape, lambda c, s=shape[2:], t=strides, d=dilations:
            np_unpatches(c, s, t, d)))
    return cases


def pixel_cases():
    """gather_pixels and scatter_pixels at fixed coordinates: inside,
    outside on every side, and repeated (whose values scatter_pixels adds)."""
    batch, channels, height, width = 2, 3, 4, 5
    rows = np.array([[0, 3, -1, 2, 4, 1, 1], [2, 2, 0, 3, 1, -2, 0]], float)
    cols = np.array([[0, 4, 2, 5, 1, 3, 3], [1, 1, 4, -1, 2, 0, 0]], float)
    points = rows.shape[1]
    image, coords = (batch, channels, height, width), (batch, points)
    values = (batch, points, channels)

    def inside(b, n):
        return (0 <= rows[b, n] < height) and (0 <= cols[b, n] < width)

    def gather(x, r, c):
        out = np.zeros(values)
        for b in range(batch):
            for n in range(points):
                if inside(b, n):
                    out[b, n] = x[b, :, int(r[b, n]), int(c[b, n])]
        return out

    def scatter(v, r, c):
        out = np.zeros(image)
        for b in range(batch):
            for n in range(points):
                if inside(b, n):
                    out[b, :, int(r[b, n]), int(c[b, n])] += v[b, n]
        return out
    coordinate_args = [Arg(coords, rows, wrt=False), Arg(coords, cols, wrt=False)]
    return [
        Case("gather_pixels.2x3x4x5.p7", [Arg(image)] + coordinate_args,
             [f"%r = dln.gather_pixels %a0, %a1, %a2 : {T(image)}, "
              f"{T(coords)} -> {T(values)}"], values, gather),
        Case("scatter_pixels.2x7x3.s4x5", [Arg(values)] + coordinate_args,
             [f"%r = dln.scatter_pixels %a0, %a1, %a2 size [{height}, {width}]"
              f" : {T(values)}, {T(coords)} -> {T(image)}"], image, scatter),
    ]


def sampling_cases():
    """gibbs_sweep: units visited in order, each seeing the ones already
    resampled in this sweep, clamped units kept; forward only (a sample)."""
    rng = np.random.default_rng(12)
    units, batch = 5, 3
    weights = rng.normal(0, 1.5, size=(units, units))
    weights = (weights + weights.T) / 2
    np.fill_diagonal(weights, 0)
    state = (rng.uniform(size=(batch, units)) < 0.5).astype(float)
    uniform = rng.uniform(size=(batch, units))
    clamp = np.array([0, 1, 0, 0, 1], float)

    def sweep(w, b, s, u, c):
        s = s.copy()
        for i in range(units):
            p = sigmoid(s @ w[i] + b[i])
            s[:, i] = np.where(c[i] != 0, s[:, i], (u[:, i] < p).astype(float))
        return s
    square, vector, rows = (units, units), (units,), (batch, units)
    return [Case(
        "gibbs_sweep.3x5",
        [Arg(square, weights, wrt=False), Arg(vector),
         Arg(rows, state, wrt=False), Arg(rows, uniform, wrt=False),
         Arg(vector, clamp, wrt=False)],
        [f"%r = dln.gibbs_sweep %a0, %a1, %a2, %a3, %a4 : {T(square)}, "
         f"{T(vector)}, {T(rows)}, {T(rows)}, {T(vector)} -> {T(rows)}"],
        rows, sweep, grad=False)]


def scan_cases():
    """dln.scan: an Elman recurrence forward over time (stacked states), two
    carries run in reverse (final carries only), and `steps` without a
    sequence; gradients flow to the inits, the sequences and the weights the
    body captures."""
    b, t, h = 2, 4, 3
    w, xs, h0 = (h, h), (b, t, h), (b, h)
    step, stacked = T((b, h)), T((b, t, h))

    def elman(wv, xv, hv):
        out = np.empty((b, t, h))
        for i in range(t):
            hv = np.tanh(hv @ wv + xv[:, i])
            out[:, i] = hv
        return out

    def two_carries(wv, xv, hv, cv):
        for i in reversed(range(t)):
            hv = np.tanh(hv @ wv + xv[:, i])
            cv = cv * sigmoid(xv[:, i]) + hv
        return hv + cv

    def autonomous(wv, hv):
        out = np.empty((b, 3, h))
        for i in range(3):
            hv = np.tanh(hv @ wv)
            out[:, i] = hv
        return out
    return [
        snippet("scan.elman.2x4x3", [Arg(w), Arg(xs), Arg(h0)], f"""
        %h, %r = dln.scan init(%a2 : {step}) over(%a1 : {stacked}) -> ({step}, {stacked}) {{
        ^bb0(%hp: {step}, %x: {step}):
          %m = dln.matmul %hp, %a0 : {step}, {T(w)} -> {step}
          %s = dln.add %m, %x : {step}
          %n = dln.tanh %s : {step}
          dln.yield %n, %n : {step}, {step}
        }}""", (b, t, h), elman),
        snippet("scan.reverse.two_carries.2x4x3",
                [Arg(w), Arg(xs), Arg(h0), Arg(h0)], f"""
        %hf, %cf, %cs = dln.scan reverse init(%a2, %a3 : {step}, {step}) over(%a1 : {stacked}) -> ({step}, {step}, {stacked}) {{
        ^bb0(%hp: {step}, %cp: {step}, %x: {step}):
          %m = dln.matmul %hp, %a0 : {step}, {T(w)} -> {step}
          %s = dln.add %m, %x : {step}
          %n = dln.tanh %s : {step}
          %g = dln.sigmoid %x : {step}
          %k = dln.mul %cp, %g : {step}
          %c = dln.add %k, %n : {step}
          dln.yield %n, %c, %c : {step}, {step}, {step}
        }}
        %r = dln.add %hf, %cf : {step}""", (b, h), two_carries),
        snippet("scan.steps.2x3", [Arg(w), Arg(h0)], f"""
        %h, %r = dln.scan init(%a1 : {step}) {{steps = 3 : i64}} -> ({step}, {T((b, 3, h))}) {{
        ^bb0(%hp: {step}):
          %m = dln.matmul %hp, %a0 : {step}, {T(w)} -> {step}
          %n = dln.tanh %m : {step}
          dln.yield %n, %n : {step}, {step}
        }}""", (b, 3, h), autonomous),
    ]


# ---------------------------------------------------------------------------
# Inputs and module generation
# ---------------------------------------------------------------------------


def make_input(arg, rng):
    if isinstance(arg.gen, np.ndarray):
        return arg.gen.astype(np.float64)
    n = int(np.prod(arg.shape, dtype=np.int64))
    if arg.gen.startswith("labels:"):
        k = int(arg.gen.split(":")[1])
        vals = np.concatenate([[-1, k], rng.integers(0, k, n)])[:n] if n > 2 \
            else rng.integers(0, k, n)
        rng.shuffle(vals)
        return vals.reshape(arg.shape).astype(np.int64)
    if arg.gen == "cond":
        return (np.arange(n) % 2 == rng.integers(0, 2)).astype(np.float64) \
            .reshape(arg.shape)
    if arg.gen == "pos":
        return rng.uniform(0.5, 2.0, arg.shape)
    # Distinct magnitudes in [0.1, 1] at least 0.5/n apart, random signs:
    # no element near a kink, no two elements (or operands) nearly tied.
    mags = 0.1 + 0.9 * (rng.permutation(n) + rng.uniform(0.25, 0.75, n)) / n
    vals = mags * rng.choice([-1.0, 1.0], n)
    if arg.gen == "zeros" and n > 1:
        vals[rng.permutation(n)[: max(1, n // 4)]] = 0.0
    return vals.reshape(arg.shape)


def dense(value, shape, et="f64"):
    dtype = {"f64": "<f8", "i64": "<i8", "i32": "<i4"}[et]
    hexdata = np.ascontiguousarray(value, dtype=dtype).tobytes().hex().upper()
    return f'arith.constant dense<"0x{hexdata}"> : {T(shape, et)}'


class Prepared:
    """A case with its inputs and weights, and the MLIR it generates."""

    def __init__(self, case, index):
        self.case, self.prefix = case, f"c{index}_"
        rng = np.random.default_rng(zlib.crc32(case.name.encode()))
        self.inputs = [make_input(a, rng) for a in case.args]
        self.w = rng.uniform(-1.0, 1.0, case.out)
        self.wrt = [i for i, a in enumerate(case.args) if a.wrt] if case.grad else []

    def types(self):
        return [T(a.shape, a.dtype) for a in self.case.args]

    def mlir(self):
        c, p, types = self.case, self.prefix, self.types()
        params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(types))
        argv = ", ".join(f"%a{i}" for i in range(len(types)))
        sig = "(" + ", ".join(types) + ")"
        body = "\n".join("  " + line.strip() for line in c.body)
        tout = T(c.out)
        lines = [f"func.func private @{p}f({params}) -> {tout} {{", body,
                 f"  return %r : {tout}", "}"]
        if self.wrt:
            axes = ints(range(len(c.out)))
            lines += [f"func.func private @{p}obj({params}) -> tensor<f64> {{", body,
                      f"  %obj_w = {dense(self.w, c.out)}",
                      f"  %obj_m = dln.mul %r, %obj_w : {tout}",
                      f"  %obj_s = dln.reduce_sum %obj_m {axes} : {tout} -> tensor<f64>",
                      "  return %obj_s : tensor<f64>", "}"]
        lines.append(f"func.func private @{p}run({params}) {{")
        lines.append(f'  vector.print str "@@ {c.name}\\n"')
        lines.append(f"  %y = call @{p}f({argv}) : {sig} -> {tout}")
        lines += print_tensor("y", c.out)
        if self.wrt:
            gts = [types[i] for i in self.wrt]
            gs = ", ".join(f"%g{i}" for i in self.wrt)
            lines.append(f"  %l, {gs} = dln.value_and_grad @{p}obj({argv}) "
                         f"{{wrt = array<i64: {', '.join(map(str, self.wrt))}>}} "
                         f": {sig} -> (tensor<f64>, {', '.join(gts)})")
            for i in self.wrt:
                lines += print_tensor(f"g{i}", c.args[i].shape)
            sizes = {self.inputs[i].size for i in self.wrt} | {0, 1, 2}
            lines += [f"  %c{n} = arith.constant {n} : index" for n in sorted(sizes)]
            lines.append(f"  %eps = arith.constant {EPS:.17e} : f64")
            for i in self.wrt:
                lines += self.central_differences(i, sig)
        lines += ["  return", "}"]
        return "\n".join(lines)

    def steps(self, k):
        """The perturbed inputs x +- eps*e_j of input k, and their actual steps."""
        x = self.inputs[k]
        for j in range(x.size):
            plus, minus = x.copy(), x.copy()
            plus.flat[j] += EPS
            minus.flat[j] -= EPS
            yield plus, minus, plus.flat[j] - minus.flat[j]

    def central_differences(self, k, sig):
        """obj at x +- eps*e_j for every element j of input k, in a loop that
        perturbs one element per iteration: code size stays constant."""
        p, shape = self.prefix, self.case.args[k].shape
        n, t = 2 * self.inputs[k].size, T(shape)
        if len(shape) > 1:
            idx = ", ".join(f"%i{k}#{d}" for d in range(len(shape)))
            index = [f"    %i{k}:{len(shape)} = affine.delinearize_index %j{k} into "
                     f"({', '.join(map(str, shape))}) : {', '.join(['index'] * len(shape))}"]
        else:
            idx, index = (f"%j{k}" if shape else ""), []
        body = [f"    %v{k} = tensor.extract %a{k}[{idx}] : {t}"]
        for side, op in (("p", "addf"), ("m", "subf")):
            argv = ", ".join(f"%x{k}{side}" if i == k else f"%a{i}"
                             for i in range(len(self.inputs)))
            body += [f"    %v{k}{side} = arith.{op} %v{k}, %eps : f64",
                     f"    %x{k}{side} = tensor.insert %v{k}{side} into %a{k}[{idx}] : {t}",
                     f"    %o{k}{side} = func.call @{p}obj({argv}) {{no_inline}} : "
                     f"{sig} -> tensor<f64>",
                     f"    %s{k}{side} = tensor.extract %o{k}{side}[] : tensor<f64>"]
        return [f"  %e{k} = tensor.empty() : tensor<{n}xf64>",
                f"  %d{k} = scf.for %j{k} = %c0 to %c{n // 2} step %c1 "
                f"iter_args(%acc{k} = %e{k}) -> (tensor<{n}xf64>) {{"] + index + body + [
                f"    %jp{k} = arith.muli %j{k}, %c2 : index",
                f"    %jm{k} = arith.addi %jp{k}, %c1 : index",
                f"    %accp{k} = tensor.insert %s{k}p into %acc{k}[%jp{k}] : tensor<{n}xf64>",
                f"    %accm{k} = tensor.insert %s{k}m into %accp{k}[%jm{k}] : tensor<{n}xf64>",
                f"    scf.yield %accm{k} : tensor<{n}xf64>",
                "  }"] + print_tensor(f"d{k}", (n,))


def print_tensor(name, shape):
    return [f"  call @print_{sh(shape)}(%{name}) {{no_inline}} : ({T(shape)}) -> ()"]


def print_function(shape):
    """Prints f64 values as their bit patterns, so nothing is rounded. A
    function of its own, so that printing one tensor twice stays bufferizable."""
    ti = T(shape, "i64")
    return "\n".join([
        f"func.func private @print_{sh(shape)}(%t: {T(shape)}) {{",
        f"  %i = arith.bitcast %t : {T(shape)} to {ti}",
        f"  %u = tensor.cast %i : {ti} to tensor<*xi64>",
        "  call @printMemrefI64(%u) : (tensor<*xi64>) -> ()", "  return", "}"])


def module(prepared):
    out = ["func.func private @printMemrefI64(tensor<*xi64>)"]
    main = ["func.func @main() {"]
    printed = set()
    for p in prepared:
        out.append(p.mlir())
        printed |= {p.case.out} | {p.case.args[k].shape for k in p.wrt}
        printed |= {(2 * p.inputs[k].size,) for k in p.wrt}
        names = []
        for i, (a, x) in enumerate(zip(p.case.args, p.inputs)):
            main.append(f"  %{p.prefix}{i} = {dense(x, a.shape, a.dtype)}")
            names.append(f"%{p.prefix}{i}")
        main.append(f"  call @{p.prefix}run({', '.join(names)}) {{no_inline}} : "
                    f"({', '.join(p.types())}) -> ()")
    out += [print_function(shape) for shape in sorted(printed)]
    return "\n".join(out + main + ["  return", "}", ""])


# ---------------------------------------------------------------------------
# Running and checking
# ---------------------------------------------------------------------------

MEMREF = re.compile(r"Unranked Memref .*?sizes = \[([^\]]*)\].*?data =(.*?)"
                    r"(?=Unranked Memref|^@@ |\Z)", re.S | re.M)


def parse(stdout):
    """Case name -> list of printed f64 arrays."""
    results, name = {}, None
    for chunk in re.split(r"^@@ (\S+)\n", stdout, flags=re.M)[1:]:
        if name is None:
            name = chunk
            continue
        arrays = []
        for sizes, data in MEMREF.findall(chunk):
            shape = tuple(int(s) for s in sizes.split(",") if s.strip())
            bits = np.array([int(v) for v in re.findall(r"-?\d+", data)],
                            dtype=np.int64)
            arrays.append(bits.view(np.float64).reshape(shape))
        results[name], name = arrays, None
    return results


def compile_and_run(prepared, args, tmp):
    """Runs one module; returns (results by case name, error text)."""
    fd, path = tempfile.mkstemp(suffix=".mlir", dir=tmp)
    with os.fdopen(fd, "w") as f:
        f.write(module(prepared))
    lowered = path[:-5] + ".llvm.mlirbc"
    # One thread per dlnc-opt: the batches already run in parallel. Bytecode
    # is much faster than text to write and to read back.
    opt = subprocess.run([args.dlnc_opt, path, "--pass-pipeline=" + pipeline(args.O2),
                          "--mlir-disable-threading", "--emit-bytecode",
                          "-o", lowered], capture_output=True, text=True)
    if opt.returncode != 0:
        return {}, f"dlnc-opt failed on {path}:\n" + \
            "\n".join(opt.stderr.strip().splitlines()[:12])
    libs = ",".join(os.path.join(args.runner_libs, lib) for lib in
                    ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so"))
    # -O0: LLVM's optimizer would double the run time of these tiny programs.
    run = subprocess.run([args.mlir_runner, lowered, "-O0", "-e", "main",
                          "-entry-point-result=void", "-shared-libs=" + libs],
                         capture_output=True, text=True)
    results = parse(run.stdout)
    if run.returncode != 0:
        return results, f"mlir-runner exited with {run.returncode} on {lowered}:\n" \
            f"{run.stderr.strip()[-2000:]}"
    return results, None


def mismatch(what, got, want, rtol, atol):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        return f"{what}: shape {got.shape}, expected {want.shape}"
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    idx = np.argwhere(bad)[0] if got.ndim else ()
    i = tuple(int(v) for v in idx)
    err = np.max(np.abs(got - want) / (atol + rtol * np.abs(want)))
    return (f"{what}: {int(bad.sum())} of {bad.size} elements differ, first at "
            f"{list(i)}: got {got[i]!r}, expected {want[i]!r} "
            f"(worst error {err:.3g}x tolerance)")


def check(p, arrays, torch):
    """The list of problems of one case's outputs (empty when it passes)."""
    c = p.case
    expected = 1 + 2 * len(p.wrt)
    if len(arrays) != expected:
        return [f"printed {len(arrays)} tensors, expected {expected}"]
    problems = []
    ref = np.asarray(c.ref(*p.inputs), np.float64)
    problems.append(mismatch("forward", arrays[0], ref, FWD_RTOL, FWD_ATOL))
    grads = dict(zip(p.wrt, arrays[1:1 + len(p.wrt)]))
    cds = arrays[1 + len(p.wrt):]
    wanted = c.grad_ref(p.w, *p.inputs) if c.grad_ref else None
    for n, k in enumerate(p.wrt):
        if wanted is not None:
            problems.append(mismatch(f"gradient of input {k} vs rule", grads[k],
                                     wanted[n], GRAD_RTOL, GRAD_ATOL))
            continue
        values, steps = cds[n].reshape(-1, 2), [s for _, _, s in p.steps(k)]
        cd = ((values[:, 0] - values[:, 1]) / steps).reshape(c.args[k].shape)
        problems.append(mismatch(f"gradient of input {k} vs central differences",
                                 grads[k], cd, GRAD_RTOL, GRAD_ATOL))
    if torch and c.torch_fn:
        try:
            problems += check_torch(torch, p, arrays[0], grads)
        except Exception as e:  # a reference that PyTorch cannot run
            problems.append(f"PyTorch reference raised {type(e).__name__}: {e}")
    return [m for m in problems if m]


def check_torch(torch, p, forward, grads):
    xs = [torch.tensor(x, dtype=torch.float64 if a.dtype == "f64" else torch.int64,
                       requires_grad=i in p.wrt)
          for i, (a, x) in enumerate(zip(p.case.args, p.inputs))]
    y = p.case.torch_fn(torch, *xs)
    problems = [mismatch("forward vs PyTorch", forward, y.detach().numpy(),
                         FWD_RTOL, FWD_ATOL)]
    if p.wrt:
        (y * torch.tensor(p.w)).sum().backward()
        for k in p.wrt:
            problems.append(mismatch(f"gradient of input {k} vs PyTorch", grads[k],
                                     xs[k].grad.numpy(), 1e-9, 1e-11))
    return problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(here, "..", "..", "build", "bin")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlnc-opt", default=os.path.join(build, "dlnc-opt"))
    parser.add_argument("--mlir-runner", default="/usr/lib/llvm-22/bin/mlir-runner")
    parser.add_argument("--runner-libs", default="/usr/lib/llvm-22/lib",
                        help="directory of libmlir_runner_utils.so")
    parser.add_argument("-k", dest="filter", default="",
                        help="run only cases whose name contains this")
    parser.add_argument("-O2", action="store_true",
                        help="add dlnc's fusion, tiling and vectorization passes")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated modules (their paths are printed)")
    parser.add_argument("--print-module", metavar="CASE",
                        help="print the generated module of one case and exit")
    args = parser.parse_args()

    cases = [c for c in build_cases() if args.filter in c.name]
    assert len({c.name for c in cases}) == len(cases), "case names must be unique"
    prepared = [Prepared(c, i) for i, c in enumerate(cases)]
    if args.print_module:
        print(module([p for p in prepared if p.case.name == args.print_module]))
        return 0
    try:
        import torch
    except ImportError:
        torch = None
        print("torch: not installed, PyTorch reference skipped")

    tmp = tempfile.mkdtemp(prefix="op_harness.")
    jobs = max(1, min(args.jobs, len(prepared)))
    batches = [prepared[i::jobs] for i in range(jobs)]
    results, errors = {}, {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for batch, (res, err) in zip(batches, pool.map(
                lambda b: compile_and_run(b, args, tmp), batches)):
            results.update(res)
            if err:
                # Isolate the failure: rerun this batch one case at a time.
                for p, (r, e) in zip(batch, pool.map(
                        lambda q: compile_and_run([q], args, tmp), batch)):
                    results.update(r)
                    if e:
                        errors[p.case.name] = e

    failed = 0
    for p in prepared:
        name = p.case.name
        if name in errors:
            problems = [errors[name]]
        elif name not in results:
            problems = ["printed nothing"]
        else:
            problems = check(p, results[name], torch)
        if problems:
            failed += 1
            print(f"{name}: FAIL")
            for m in problems:
                print("  " + m.replace("\n", "\n  "))
        else:
            print(f"{name}: ok")
    print(f"{len(prepared) - failed} passed, {failed} failed")
    if not args.keep and not failed:
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        os.rmdir(tmp)
    else:
        print(f"modules kept in {tmp}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
