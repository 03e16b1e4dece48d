"""PyTorch peer of bench/recurrent.sh's models: an LSTM or GRU (input 32,
hidden 128) over 35 steps, a linear head on the last step's state, cross
entropy over 10 classes, batch 32, plain SGD (lr 0.01), on the same CSV
sequences (35 * 32 features, then the class). Prints training samples/s
(train-step time only) as JSON.

usage: torch_recurrent.py lstm|gru CSV EPOCHS THREADS"""
import json
import sys
import time

import numpy as np
import torch


def main():
    kind, path, epochs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(5)
    rows = np.loadtxt(path, delimiter=",", dtype=np.float32)
    x = torch.tensor(rows[:, :-1]).reshape(-1, 35, 32)
    y = torch.tensor(rows[:, -1], dtype=torch.long)
    rnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(32, 128, batch_first=True)
    head = torch.nn.Linear(128, 10)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch, seen, train_time = 32, 0, 0.0
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for start in range(0, len(x) - batch + 1, batch):
            index = perm[start:start + batch]
            xb, yb = x[index], y[index]
            begin = time.perf_counter()
            opt.zero_grad()
            states, _ = rnn(xb)
            loss = loss_fn(head(states[:, -1]), yb)
            loss.backward()
            opt.step()
            train_time += time.perf_counter() - begin
            seen += batch
    print(json.dumps({"samples_per_second": seen / train_time, "threads": threads}))


if __name__ == "__main__":
    main()
