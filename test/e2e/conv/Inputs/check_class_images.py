"""Checks a class-conditional generator's predictions against the class-mean
images of Fashion-MNIST's training split (the minimizer of its MSE loss):
row i of PREDICTED.csv is the image generated for class i; the mean squared
difference per pixel must be below MAX.

usage: check_class_images.py PREDICTED.csv DATA_DIR MAX"""
import gzip
import sys

import numpy as np

predicted_path, data_dir, most = sys.argv[1], sys.argv[2], float(sys.argv[3])
with gzip.open(f"{data_dir}/train-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255
with gzip.open(f"{data_dir}/train-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)
means = np.stack([images[labels == c].mean(0) for c in range(10)])
predicted = np.loadtxt(predicted_path, delimiter=",", ndmin=2)
if predicted.shape != (10, 784):
    sys.exit(f"expected 10 rows of 784 pixels, got {predicted.shape}")
errors = ((predicted - means) ** 2).mean(1)
# Each generated image must be nearer its own class mean than any other.
nearest = ((predicted[:, None, :] - means[None]) ** 2).mean(2).argmin(1)
print("per-class MSE to the class mean:", " ".join(f"{e:.4f}" for e in errors))
print("nearest class mean:", nearest.tolist())
if not (errors.max() < most and (nearest == np.arange(10)).all()):
    sys.exit(f"generated images are not the class means (max MSE {errors.max():.4f} >= {most})")
