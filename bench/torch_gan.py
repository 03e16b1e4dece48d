"""PyTorch peer of examples/spec/gan.dln: generator 64-256-784 (leaky ReLU
0.2, tanh), discriminator 784-256-1 (leaky ReLU 0.2, dropout 0.3), pixels
normalized to [-1, 1], non-saturating BCE-with-logits losses, Adam(2e-4,
betas (0.5, 0.999)) for each network, batch 64, per batch one
discriminator step then one generator step (each a fresh forward pass with
new noise, as dlnc's step blocks). Prints training samples/s (step time
only) and the last epoch's mean losses as JSON for bench/gan.sh.

usage: torch_gan.py EPOCHS THREADS"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from fashion_mnist import idx

epochs, threads = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(40)
train = torch.tensor(idx("train-images-idx3-ubyte.gz").reshape(-1, 784) / 255,
                     dtype=torch.float32) * 2 - 1
latent, batch = 64, 64
g = nn.Sequential(nn.Linear(latent, 256), nn.LeakyReLU(0.2),
                  nn.Linear(256, 784), nn.Tanh())
d = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                  nn.Linear(256, 1))
d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
seconds = 0.0
for epoch in range(epochs):
    order = torch.randperm(train.shape[0])
    d_sum = g_sum = 0.0
    steps = 0
    start = time.perf_counter()
    for first in range(0, train.shape[0], batch):
        x = train[order[first:first + batch]]
        n = x.shape[0]
        ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
        fake = g(torch.randn(n, latent))
        d_loss = (F.binary_cross_entropy_with_logits(d(x), ones)
                  + F.binary_cross_entropy_with_logits(d(fake.detach()), zeros))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        fake = g(torch.randn(n, latent))
        g_loss = F.binary_cross_entropy_with_logits(d(fake), ones)
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        d_sum += d_loss.item()
        g_sum += g_loss.item()
        steps += 1
    seconds += time.perf_counter() - start
print(json.dumps({"samples_per_second": epochs * train.shape[0] / seconds,
                  "discriminator_loss": d_sum / steps,
                  "generator_loss": g_sum / steps, "threads": threads}))
