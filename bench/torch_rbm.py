"""PyTorch peer of examples/spec/rbm_cdk.dln with hidden = 256: CD-1 on
binarized Fashion-MNIST (pixel > 0.5), batch 64, the same update rules
(w += lr * mean(outer(ph0, v0) - outer(phk, vk)), bv, bh likewise, lr 0.05)
and initialization (w ~ N(0, 0.01), zero biases). Prints training
samples/s (update time only) and the test reconstruction error (sum over
pixels of (sigmoid(w^T p(h|v) + bv) - v)^2, mean over samples) as JSON, so
bench/rbm_cd1.sh can compare with dlnc.

usage: torch_rbm.py EPOCHS THREADS"""
import json
import sys
import time

import torch

from fashion_mnist import idx

epochs, threads = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(43)
train = torch.tensor(idx("train-images-idx3-ubyte.gz").reshape(-1, 784) / 255 > 0.5,
                     dtype=torch.float32)
test = torch.tensor(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255 > 0.5,
                    dtype=torch.float32)
hidden, lr, batch = 256, 0.05, 64
w = torch.randn(hidden, 784) * 0.01
bv, bh = torch.zeros(784), torch.zeros(hidden)
seconds = 0.0
for epoch in range(epochs):
    order = torch.randperm(train.shape[0])
    start = time.perf_counter()
    for first in range(0, train.shape[0], batch):
        v0 = train[order[first:first + batch]]
        ph0 = torch.sigmoid(v0 @ w.T + bh)
        hk = torch.bernoulli(ph0)
        vk = torch.bernoulli(torch.sigmoid(hk @ w + bv))
        phk = torch.sigmoid(vk @ w.T + bh)
        n = v0.shape[0]
        w += lr * (ph0.T @ v0 - phk.T @ vk) / n
        bv += lr * (v0 - vk).mean(0)
        bh += lr * (ph0 - phk).mean(0)
    seconds += time.perf_counter() - start
recon = torch.sigmoid(torch.sigmoid(test @ w.T + bh) @ w + bv)
error = float(((recon - test) ** 2).sum(1).mean())
print(json.dumps({"samples_per_second": epochs * train.shape[0] / seconds,
                  "test_metric": error, "threads": threads}))
