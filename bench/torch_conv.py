"""PyTorch peers of examples/spec/lenet5.dln, examples/spec/autoencoder_conv.dln
and examples/spec/unet.dln: the same layers, initial-scale conventions,
optimizers and batch (64; 32 for the U-Net), on Fashion-MNIST from Debian's
dataset-fashion-mnist. The U-Net sees images with Gaussian noise (std 0.2)
and predicts the mask pixel > 0.2 of the clean image; its test metric is the
test loss (binary cross-entropy with logits), as dlnc's. LeNet-5's first
convolution pads the 28x28 images by 2, the same work as the classic
unpadded 1x32x32 input. Prints training samples/s (train-step time only)
and the test metric as JSON, so bench/conv_models.sh can compare with dlnc.

usage: torch_conv.py lenet5|autoencoder_conv|unet EPOCHS THREADS"""
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
    return model, opt, nn.CrossEntropyLoss(), "classifier"


def autoencoder_conv():
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, opt, nn.MSELoss(), "autoencoder"


class DoubleConv(nn.Sequential):
    def __init__(self, c_in, c_out):
        super().__init__(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.down1, self.down2 = DoubleConv(1, 16), DoubleConv(16, 32)
        self.bottom = DoubleConv(32, 64)
        self.up2 = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.dec2 = DoubleConv(64, 32)
        self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec1 = DoubleConv(32, 16)
        self.head = nn.Conv2d(16, 1, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        s1 = self.down1(x)
        s2 = self.down2(self.pool(s1))
        z = self.bottom(self.pool(s2))
        u2 = self.dec2(torch.cat([self.up2(z), s2], 1))
        u1 = self.dec1(torch.cat([self.up1(u2), s1], 1))
        return self.head(u1)


def unet():
    model = UNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, opt, nn.BCEWithLogitsLoss(), "segmentation"


def pair(kind, xb, yb):
    """The network's input and target for a batch of images and labels."""
    if kind == "segmentation":
        return xb + 0.2 * torch.randn_like(xb), (xb > 0.2).float()
    return xb, (yb if kind == "classifier" else xb)


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
    model, opt, loss_fn, kind = {"lenet5": lenet5,
                                 "autoencoder_conv": autoencoder_conv,
                                 "unet": unet}[name]()
    batch = 32 if kind == "segmentation" else 64
    seen, train_time = 0, 0.0
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for start in range(0, len(x) - batch + 1, batch):
            index = perm[start:start + batch]
            inputs, target = pair(kind, x[index], y[index])
            begin = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(inputs), target)
            loss.backward()
            opt.step()
            train_time += time.perf_counter() - begin
            seen += batch
    with torch.no_grad():
        inputs, target = pair(kind, xt, yt)
        out = torch.cat([model(inputs[i:i + 1000])
                         for i in range(0, len(inputs), 1000)])
        metric = (out.argmax(1) == yt).float().mean().item() \
            if kind == "classifier" else loss_fn(out, target).item()
    print(json.dumps({"samples_per_second": seen / train_time, "test_metric": metric,
                      "threads": threads, "epochs": epochs}))


if __name__ == "__main__":
    main()
