#!/usr/bin/env python3
"""Benchmark: one estimate in-process (ibplane.mutual_information through libibplane) against the
same estimate through the CLI (np.save of both arrays + `ibplane estimate --json` as a process).

N = 10⁴, 5 + 5 dimensions (dense Gaussian, correlation 0.5), estimators ksg (k = 3) and gaussian.
Prints the best of R wall times, the CLI's overhead (CLI − in-process) split into process start
(`ibplane --version`) and .npy writing, and checks that both give the same bits.

Run after a release build:
  swift build -c release --product ibplane --product IBPlaneC   (or make build lib)
  python3 bench/python_vs_cli.py [.build/release]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

BUILD = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
os.environ.setdefault("IBPLANE_LIBRARY", os.path.abspath(os.path.join(BUILD, "libIBPlaneC.so")))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ibplane  # noqa: E402

CLI = os.path.abspath(os.path.join(BUILD, "ibplane"))
REPEATS = 7
N, D = 10_000, 5


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def best(f):
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    rng = np.random.default_rng(1)
    c = np.full((2 * D, 2 * D), 0.5)
    np.fill_diagonal(c, 1.0)
    z = rng.standard_normal((N, 2 * D)) @ np.linalg.cholesky(c).T
    x, y = z[:, :D].copy(), z[:, D:].copy()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        xs, ys = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")

        def write():
            np.save(xs, x)
            np.save(ys, y)

        def cli(name):
            write()
            out = subprocess.run([CLI, "estimate", "--estimator", name, xs, ys, "--json"], check=True,
                                 capture_output=True, text=True, env=env).stdout
            return json.loads(out)["mi"]

        ibplane.mutual_information(x[:100], y[:100], "gaussian")  # loads the library once
        start = best(lambda: subprocess.run([CLI, "--version"], check=True, capture_output=True, env=env))
        save = best(write)
        print("N = %d, %d + %d dims, best of %d; process start %.1f ms, writing both .npy %.1f ms"
              % (N, D, D, REPEATS, start * 1e3, save * 1e3))
        for name in ("ksg", "gaussian"):
            # Interleaved, so that load from other processes hits both sides alike.
            pairs = [(timed(lambda: ibplane.mutual_information(x, y, name)), timed(lambda: cli(name)))
                     for _ in range(REPEATS)]
            inproc, via_cli = min(p[0] for p in pairs), min(p[1] for p in pairs)
            same = ibplane.mutual_information(x, y, name).bits == cli(name)
            print("%-9s in-process %8.1f ms   CLI %8.1f ms   overhead %6.1f ms (%.2fx)   same bits: %s"
                  % (name, inproc * 1e3, via_cli * 1e3, (via_cli - inproc) * 1e3, via_cli / inproc, same))


if __name__ == "__main__":
    main()
