"""Checks embedding against torch.nn.functional.embedding: the rows `predict`
wrote for classes 0..V-1 are the initial weight's rows, and one full-batch
SGD step with lr 1 moved the weight by PyTorch's gradient of the mse.

usage: check_embedding.py DIR (holding rows.csv, init.npz, final.npz,
rows_out.csv)"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

d = sys.argv[1]
data = np.loadtxt(f"{d}/rows.csv", delimiter=",", ndmin=2)
targets, ids = torch.tensor(data[:, :-1]), torch.tensor(data[:, -1]).long()
init = torch.tensor(np.load(f"{d}/init.npz")["e.weight"], requires_grad=True)
final = np.load(f"{d}/final.npz")["e.weight"]
F.mse_loss(F.embedding(ids, init), targets).backward()
step = init.detach().numpy() - final
gradient = init.grad.numpy()
rows = np.loadtxt(f"{d}/rows_out.csv", delimiter=",", ndmin=2)
worst = max(np.abs(step - gradient).max(), np.abs(rows - init.detach().numpy()).max())
print(f"max difference {worst:.1e}; rows used {sorted(set(ids.tolist()))}")
sys.exit(0 if worst < 1e-12 else 1)
