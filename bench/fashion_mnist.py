"""Fashion-MNIST from Debian's dataset-fashion-mnist as NumPy arrays, for the
PyTorch peers of the benchmarks."""
import gzip

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist/"


def idx(name):
    """The uint8 array of an IDX file (gzip) of the data set."""
    with gzip.open(DATA + name, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
