"""Writes an MLP of N dense(16 -> 16) + relu layers: bench/compile_depth.sh and test/Driver/long-straight-line.test."""
import sys

n = int(sys.argv[1])
print("model deep {\n  input x: f32[16]\n  label y: class[4]")
for i in range(n):
    print(f"  layer l{i} = dense(16 -> 16)")
print("  layer out = dense(16 -> 4)")
for i in range(n):
    print(f"  let h{i} = relu(l{i}({'x' if i == 0 else f'h{i - 1}'}))")
print(f"  output z = out(h{n - 1})\n  loss = cross_entropy(z, y)\n}}")
print("train { optimizer = sgd(lr = 0.1)  batch = 32 }")
