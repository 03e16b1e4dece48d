"""PyTorch peer of examples/mlp_fashion.dln: the same 784-256-10 ReLU MLP,
batch 64, plain SGD (lr 0.1), cross-entropy, on Fashion-MNIST from Debian's
dataset-fashion-mnist. Prints training samples/s (train-step time only) and
test accuracy as JSON, so bench/mlp_fashion.sh can compare it with dlnc."""
import json
import sys
import time

import torch

from fashion_mnist import idx


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    x = torch.tensor(idx("train-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    y = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xt = torch.tensor(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    yt = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = 64
    seen, train_time = 0, 0.0
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for start in range(0, len(x) - batch + 1, batch):
            index = perm[start:start + batch]
            xb, yb = x[index], y[index]
            begin = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            train_time += time.perf_counter() - begin
            seen += batch
    with torch.no_grad():
        accuracy = (model(xt).argmax(1) == yt).float().mean().item()
    print(json.dumps({"samples_per_second": seen / train_time, "test_accuracy": accuracy,
                      "threads": threads, "epochs": epochs}))


if __name__ == "__main__":
    main()
