"""Prints a .dln program nested or chained N levels deep (limits.test)."""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
if kind == "parens":
    expr = "(" * n + "x" + ")" * n
elif kind == "chain":
    expr = " + ".join(["x"] * n)
elif kind == "unary":
    expr = "-" * n + "x"
else:
    expr = "x"
body = "  output z = a(%s)\n" % expr
if kind == "blocks":
    body = "  " + "if true {\n" * n + "  }\n" * n + body
print("model m {\n  input x: f32[4]\n  label y: class[2]\n"
      "  layer a = dense(4 -> 2)\n" + body +
      "  loss = cross_entropy(z, y)\n}\n"
      "train { optimizer = sgd(lr = 0.1)  batch = 2 }")
