"""numpy peer for the tiled kernel-sum benchmark: r_i = sum_j exp(-gamma * ||x_i - x_j||^2).

Usage: python3 bench/kernel_sums.py N D GAMMA SEED_FILE.npy
Prints the best-of-3 wall time in seconds and the checksum sum(r) as JSON.
numpy builds the full N x N matrix (the way the published Python code does it).
"""
import json
import sys
import time

import numpy as np


def kernel_row_sums(x, gamma):
    sq = np.einsum("ij,ij->i", x, x)
    d = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.maximum(d, 0.0, out=d)
    return np.exp(-gamma * d).sum(axis=1)


def main():
    path, gamma = sys.argv[1], float(sys.argv[2])
    x = np.load(path).astype(np.float64)
    x = x - x.mean(axis=0)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        r = kernel_row_sums(x, gamma)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"seconds": best, "checksum": float(r.sum())}))


if __name__ == "__main__":
    main()
