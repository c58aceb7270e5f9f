#!/usr/bin/env python3
"""Benchmark: the complete Gaussian-channel information plane of a 12-bit-sized recording.

Writes a recording in the NumPy-directory layout (4,096 inputs = every 12-bit vector,
layers 12-10-7-5-4-3-2 with tanh, 274 log-spaced snapshots), then in the same run:

  1. times `ibplane analyze DIR --estimator gaussian` (release build, all cores, including
     reading the .npy files, writing plane.csv and the SVG/HTML reports);
  2. times a numpy reimplementation of the same estimator (same formulas: covariance with
     divisor N-1, pseudo-inverse basis of the centred inputs / one-hot labels, noise 0.1,
     log det by slogdet), reading the same files;
  3. checks that both agree (max |difference| in bits) and prints the wall-time ratio.

numpy is a benchmark peer only, never a run-time dependency of ibplane.
Usage: python3 bench/plane_gaussian.py [path/to/ibplane] [--snapshots 274]
"""
import argparse, csv, json, os, subprocess, sys, tempfile, time
import numpy as np


def write_recording(d, snapshots, seed=0):
    rng = np.random.default_rng(seed)
    x = ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(np.float32)
    y = ((x * np.arange(1, 13)).sum(1) % 3 == 0).astype(np.int64)
    widths = [10, 7, 5, 4, 3, 2]
    ws = [rng.standard_normal((a, b)) / np.sqrt(a) for a, b in zip([12] + widths[:-1], widths)]
    epochs = np.unique(np.round(np.logspace(0, np.log10(8000), snapshots * 2)).astype(int))
    epochs = np.concatenate([[0], epochs])[:snapshots]
    snaps = []
    for s, e in enumerate(epochs):
        g = 0.5 + 3 * np.log10(e + 1) / 4
        h = x - 0.5
        for l, w in enumerate(ws):
            h = np.tanh(g * h @ w)
            np.save(os.path.join(d, f"snapshot-{s}-layer-{l}.npy"), h.astype(np.float32))
        snaps.append({"epoch": int(e), "step": int(e), "metrics": {"accuracy": float(0.5 + 0.1 * g)}})
    np.save(os.path.join(d, "inputs.npy"), x)
    np.save(os.path.join(d, "labels.npy"), y)
    with open(os.path.join(d, "recording.json"), "w") as f:
        json.dump({"name": "bench-12bit", "run": {"activation": "tanh"},
                   "layers": [{"name": f"l{i+1}", "width": w} for i, w in enumerate(widths)],
                   "snapshots": snaps}, f)
    return len(snaps), len(widths)


def basis(z):
    zc = z.astype(np.float64) - z.astype(np.float64).mean(0)
    vals, vecs = np.linalg.eigh(zc.T @ zc)
    keep = vals > 1e-10 * vals.max() if vals.max() > 0 else np.zeros_like(vals, bool)
    return zc @ (vecs[:, keep] / np.sqrt(vals[keep]))


def gaussian_point(t, qx, qy, noise=0.1):
    tc = t.astype(np.float64) - t.astype(np.float64).mean(0)
    n, w = tc.shape
    cov = tc.T @ tc / (n - 1)
    eye = noise * np.eye(w)
    full = np.linalg.slogdet(cov + eye)[1]
    def cond(q):
        m = q.T @ tc
        return np.linalg.slogdet(cov - m.T @ m / (n - 1) + eye)[1]
    return 0.5 * (full - cond(qx)) / np.log(2), 0.5 * (full - cond(qy)) / np.log(2)


def numpy_plane(d, snapshots, layers):
    x = np.load(os.path.join(d, "inputs.npy"))
    y = np.load(os.path.join(d, "labels.npy"))
    qx, qy = basis(x), basis(np.eye(y.max() + 1)[y])
    out = {}
    for s in range(snapshots):
        for l in range(layers):
            t = np.load(os.path.join(d, f"snapshot-{s}-layer-{l}.npy"))
            out[(s, l)] = gaussian_point(t, qx, qy)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ibplane", nargs="?", default=".build/release/ibplane")
    ap.add_argument("--snapshots", type=int, default=274)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        rec, out = os.path.join(d, "rec"), os.path.join(d, "out")
        os.makedirs(rec)
        snapshots, layers = write_recording(rec, a.snapshots)
        t0 = time.perf_counter()
        subprocess.run([a.ibplane, "analyze", rec, "--estimator", "gaussian", "--out", out, "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        swift_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ref = numpy_plane(rec, snapshots, layers)
        numpy_s = time.perf_counter() - t0
        steps = {}
        with open(os.path.join(out, "plane.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        meta = json.load(open(os.path.join(rec, "recording.json")))
        index = {(sn["epoch"], sn["step"]): k for k, sn in enumerate(meta["snapshots"])}
        diff = 0.0
        for r in rows:
            s = index[(int(r["epoch"]), int(r["step"]))]
            px, py = ref[(s, int(r["layer_index"]))]
            diff = max(diff, abs(float(r["i_xt"]) - px), abs(float(r["i_ty"]) - py))
        assert len(rows) == snapshots * layers, (len(rows), snapshots * layers)
        print(f"gaussian plane, {snapshots} snapshots x {layers} layers, N = 4096")
        print(f"  ibplane analyze (release, incl. I/O, CSV, SVG/HTML): {swift_s:8.3f} s")
        print(f"  numpy reimplementation (same formulas, incl. I/O):   {numpy_s:8.3f} s")
        print(f"  ratio numpy / ibplane: {numpy_s / swift_s:6.2f}x   max |difference| = {diff:.2e} bits")
        if diff > 1e-6:
            sys.exit("values disagree")


if __name__ == "__main__":
    main()
