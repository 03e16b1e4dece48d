"""Row-by-row generation from a class (examples/spec/rnn_one_to_many.dln):
exits 0 iff the model's test MSE (test_loss of a --metrics-json file) is at
least FRACTION below the MSE of predicting Fashion-MNIST's mean training
image for every test image. Prints both, and the MSE of predicting each
class's mean image, which is the least any deterministic function of the
class can reach (its MSE is that bound plus its distance to the class
means), so no such generator gets more than about 39.6% below the mean
image. usage: check_generation.py METRICS.json FRACTION"""
import gzip
import json
import sys

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist/"


def idx(name, offset):
    with gzip.open(DATA + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


train = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784) / 255.0
test = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784) / 255.0
train_labels = idx("train-labels-idx1-ubyte.gz", 8)
test_labels = idx("t10k-labels-idx1-ubyte.gz", 8)
mean_image = ((test - train.mean(0)) ** 2).mean()
class_means = np.stack([train[train_labels == c].mean(0) for c in range(10)])
bound = ((test - class_means[test_labels]) ** 2).mean()
mse = json.load(open(sys.argv[1]))["test_loss"]
fraction = float(sys.argv[2])
below = 1 - mse / mean_image
ok = below >= fraction
print(f"test MSE {mse:.5f}; mean image {mean_image:.5f}; class means "
      f"{bound:.5f}: {below:.1%} below the mean image "
      f"({'meets' if ok else 'FAILS'} {fraction:.0%}; the class means are "
      f"{1 - bound / mean_image:.1%} below)")
sys.exit(0 if ok else 1)
