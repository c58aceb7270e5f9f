"""scikit-learn-based KSG reference (estimators 1 and 2), our own code on sklearn's neighbour search.

Usage: python3 bench/ksg_reference.py X.npy Y.npy K VARIANT [REPEATS [MIN_SECONDS]]
Prints one JSON line: {"mi": <nats>, "seconds": <best wall time>, "n": N}: the best of at least
REPEATS runs (default 1) that together take at least MIN_SECONDS (default 0), the rule
`ibplane-bench` times its own side by.

Estimator 1 is exactly the computation of sklearn.feature_selection._mutual_info._compute_mi_cc
without its scaling, jitter and clipping: NearestNeighbors(metric="chebyshev") for the k-th
joint distance, KDTree(metric="chebyshev").query_radius with nextafter(eps, 0) (strictly
inside) minus the point itself. Estimator 2 uses the same neighbour indices: eps_x is the
largest x-distance among the k joint neighbours, counted inclusively (query_radius counts
d <= r), minus the point itself. No preprocessing: the caller passes the data to use.
"""
import json
import sys
import time

import numpy as np
from scipy.special import digamma
from sklearn.neighbors import KDTree, NearestNeighbors


def ksg(x, y, k, variant):
    n = x.shape[0]
    xy = np.hstack((x, y))
    nn = NearestNeighbors(metric="chebyshev", n_neighbors=k)
    nn.fit(xy)
    dist, ind = nn.kneighbors()
    if variant == 1:
        radius = np.nextafter(dist[:, -1], 0)
        nx = KDTree(x, metric="chebyshev").query_radius(x, radius, count_only=True, return_distance=False) - 1
        ny = KDTree(y, metric="chebyshev").query_radius(y, radius, count_only=True, return_distance=False) - 1
        return digamma(k) + digamma(n) - np.mean(digamma(nx + 1)) - np.mean(digamma(ny + 1))
    ex = np.max(np.abs(x[:, None, :] - x[ind]).max(axis=2), axis=1)
    ey = np.max(np.abs(y[:, None, :] - y[ind]).max(axis=2), axis=1)
    nx = KDTree(x, metric="chebyshev").query_radius(x, ex, count_only=True, return_distance=False) - 1
    ny = KDTree(y, metric="chebyshev").query_radius(y, ey, count_only=True, return_distance=False) - 1
    return digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))


def main():
    x = np.load(sys.argv[1]).astype(np.float64)
    y = np.load(sys.argv[2]).astype(np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if y.ndim == 1:
        y = y[:, None]
    k = int(sys.argv[3])
    variant = int(sys.argv[4])
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    min_seconds = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    best = float("inf")
    total = 0.0
    runs = 0
    mi = None
    while runs < repeats or (total < min_seconds and runs < 1000):
        t0 = time.perf_counter()
        mi = ksg(x, y, k, variant)
        elapsed = time.perf_counter() - t0
        best = min(best, elapsed)
        total += elapsed
        runs += 1
    print(json.dumps({"mi": float(mi), "seconds": best, "n": int(x.shape[0])}))


if __name__ == "__main__":
    main()
