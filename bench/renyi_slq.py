"""Matrix-based Renyi I_alpha by stochastic Lanczos quadrature (approx=slq) against numpy eigvalsh.

Usage: python3 bench/renyi_slq.py IBPLANE [N] [ALPHAS] [REPEATS] [APPROXES]
  IBPLANE   path of a release `ibplane` binary
  N         sample count (default 8192)
  ALPHAS    comma list of orders (default 1.01,1.5)
  REPEATS   best-of count for ibplane (default 2; numpy runs once: it is the slow peer)
  APPROXES  comma list of ibplane --approx values (default exact-float32,slq)

Data (seeded, written next to the script's temporary directory): X = 10-d standard normal,
Y = tanh(X W) + 0.3 noise with W 10x5; sigma_x = 2, sigma_y = 1. numpy builds the three Gram
matrices in float64 and takes numpy.linalg.eigvalsh (bench/kernel_estimators.py), which is the
exact reference value. Prints one JSON line per (alpha, method): value in nats, relative error
against numpy, best wall seconds (ibplane: whole process), and numpy's seconds / ibplane's.
Run `uptime` alongside: on a shared machine only the ratios of one run mean anything.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_estimators import gram, renyi_entropy  # noqa: E402


def data(n, directory):
    r = np.random.default_rng(1)
    x = r.standard_normal((n, 10))
    w = r.standard_normal((10, 5)) / np.sqrt(10)
    y = np.tanh(x @ w) + 0.3 * r.standard_normal((n, 5))
    paths = os.path.join(directory, f"x{n}.npy"), os.path.join(directory, f"y{n}.npy")
    np.save(paths[0], x)
    np.save(paths[1], y)
    return x, y, paths


def numpy_renyi(x, y, alpha):
    t0 = time.perf_counter()
    ka, kb = gram(x, 2.0), gram(y, 1.0)
    value = renyi_entropy(ka, alpha) + renyi_entropy(kb, alpha) - renyi_entropy(ka * kb, alpha)
    return value, time.perf_counter() - t0


def ibplane(binary, paths, alpha, approx, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        text = subprocess.run(
            [binary, "estimate", "--estimator", "renyi", "--approx", approx, "--sigma-x", "2", "--sigma-y", "1",
             "--alpha", str(alpha), "--unit", "nats", "--json", *paths],
            check=True, capture_output=True, text=True).stdout
        best = min(best, time.perf_counter() - t0)
        out = json.loads(text)
    return out, best


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 8192
    alphas = [float(a) for a in (sys.argv[3] if len(sys.argv) > 3 else "1.01,1.5").split(",")]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    approxes = (sys.argv[5] if len(sys.argv) > 5 else "exact-float32,slq").split(",")
    with tempfile.TemporaryDirectory() as d:
        x, y, paths = data(n, d)
        for alpha in alphas:
            reference, numpy_seconds = numpy_renyi(x, y, alpha)
            print(json.dumps({"n": n, "alpha": alpha, "method": "numpy eigvalsh", "nats": reference,
                              "seconds": round(numpy_seconds, 2)}), flush=True)
            for approx in approxes:
                out, seconds = ibplane(binary, paths, alpha, approx, repeats)
                print(json.dumps({
                    "n": n, "alpha": alpha, "method": out["params"].split("approx=")[1].split(",")[0],
                    "nats": out["mi_nats"], "relative_error": (out["mi_nats"] - reference) / reference,
                    "standard_error": out["diagnostics"].get("slq_standard_error"),
                    "seconds": round(seconds, 2), "numpy_over_ibplane": round(numpy_seconds / seconds, 1)}), flush=True)


if __name__ == "__main__":
    main()
