#!/usr/bin/env python3
"""Benchmark: `ibplane synth` and `ibplane estimate --estimator gaussian` against numpy doing the
same work in the same run; prints the times and the ratio ibplane / numpy (< 1: ibplane faster).

Run after a release build:  swift build -c release --product ibplane && python3 bench/gaussian_estimator.py
The ibplane times are whole processes (start-up, .npy read/write, compute); the numpy times
cover the same file reads/writes and arithmetic but not the Python interpreter's start-up.
numpy is a benchmark peer only, never a runtime dependency.
"""
import json, os, subprocess, sys, tempfile, time
import numpy as np

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release/ibplane"
REPEATS = 5


def median_time(f):
    ts = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2]


def numpy_gaussian_mi(x, y):
    r = np.corrcoef(np.hstack([x, y]), rowvar=False)
    dx = x.shape[1]
    ld = lambda m: np.sum(np.log(np.linalg.eigvalsh(m)))
    return 0.5 * (ld(r[:dx, :dx]) + ld(r[dx:, dx:]) - ld(r))


def numpy_synth(n, d, out):
    c = np.full((2 * d, 2 * d), 0.5)
    np.fill_diagonal(c, 1.0)
    z = np.random.default_rng(1).standard_normal((n, 2 * d)) @ np.linalg.cholesky(c).T
    np.save(os.path.join(out, "x.npy"), z[:, :d])
    np.save(os.path.join(out, "y.npy"), z[:, d:])


print(f"{'work':44} {'ibplane (s)':>12} {'numpy (s)':>10} {'ratio':>7}")
for n, d in [(100_000, 5), (100_000, 25), (1_000_000, 5)]:
    with tempfile.TemporaryDirectory() as tmp:
        task = f"gaussian-dense-{d}"
        run = lambda *a: subprocess.run([BIN, *a], check=True, capture_output=True)
        t_synth = median_time(lambda: run("synth", "--task", task, "--n", str(n), "--seed", "1", "--out", tmp))
        peer = os.path.join(tmp, "peer")
        os.makedirs(peer)
        t_np_synth = median_time(lambda: numpy_synth(n, d, peer))
        xp, yp = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
        t_est = median_time(lambda: run("estimate", "--estimator", "gaussian", "--unit", "nats", "--json", xp, yp))
        t_np_est = median_time(lambda: numpy_gaussian_mi(np.load(xp), np.load(yp)))
        ours = json.loads(run("estimate", "--estimator", "gaussian", "--unit", "nats", "--json", xp, yp).stdout)["mi"]
        theirs = numpy_gaussian_mi(np.load(xp), np.load(yp))
        assert abs(ours - theirs) < 1e-9 * max(1, abs(theirs)), (ours, theirs)
        print(f"{'synth ' + task + f' N={n}':44} {t_synth:12.3f} {t_np_synth:10.3f} {t_synth / t_np_synth:7.2f}")
        print(f"{'estimate gaussian ' + f'{d}x{d} N={n}':44} {t_est:12.3f} {t_np_est:10.3f} {t_est / t_np_est:7.2f}")
print("(estimates agree with numpy to 1e-9 relative)")
