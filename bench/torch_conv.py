"""PyTorch peers of examples/spec/lenet5.dln and examples/spec/autoencoder_conv.dln:
the same layers, initial-scale conventions, optimizers and batch (64), on
Fashion-MNIST from Debian's dataset-fashion-mnist. LeNet-5's first
convolution pads the 28x28 images by 2, the same work as the classic
unpadded 1x32x32 input. Prints training samples/s (train-step time only)
and the test metric as JSON, so bench/conv_models.sh can compare with dlnc.

usage: torch_conv.py lenet5|autoencoder_conv EPOCHS THREADS"""
import json
import sys
import time

import torch
from torch import nn

from fashion_mnist import idx


def lenet5():
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, opt, nn.CrossEntropyLoss(), True


def autoencoder_conv():
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, opt, nn.MSELoss(), False


def main():
    name = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    x = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    y = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xt = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    yt = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    model, opt, loss_fn, classifier = {"lenet5": lenet5,
                                       "autoencoder_conv": autoencoder_conv}[name]()
    batch = 64
    seen, train_time = 0, 0.0
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for start in range(0, len(x) - batch + 1, batch):
            index = perm[start:start + batch]
            xb = x[index]
            target = y[index] if classifier else xb
            begin = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(xb), target)
            loss.backward()
            opt.step()
            train_time += time.perf_counter() - begin
            seen += batch
    with torch.no_grad():
        out = model(xt)
        metric = (out.argmax(1) == yt).float().mean().item() if classifier \
            else nn.functional.mse_loss(out, xt).item()
    print(json.dumps({"samples_per_second": seen / train_time, "test_metric": metric,
                      "threads": threads, "epochs": epochs}))


if __name__ == "__main__":
    main()
