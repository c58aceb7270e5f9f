#!/usr/bin/env python3
"""Single `ibplane estimate` runs against vectorised numpy, process start and .npy reading included.

    python3 bench/estimate_startup.py .build/release/ibplane [--baseline OLD_IBPLANE] [--repeats 5]

Data (seeded, written to a temporary directory as .npy):
- X: the 16 binary inputs of the 12-bit task's construction widened to 16 bits: every one of the
  2^16 = 65,536 bit patterns once, rows in a seeded random order, float32 0/1 (N = 65,536).
- Y: a class label of X, the parity of bits 0, 3, 7 and 12 (two classes of 32,768), int64.
- For the start-up share: x ~ N(0, 1), y = x + N(0, 1), N = 10^4, one column each (KSG, k = 3).

Workloads (each best of --repeats; kde best of --kde-repeats on the first --kde-n rows: it is
O(N^2), N = 65,536 takes minutes per run here, and start-up plays no part in it):
- ibplane: the whole process, `ibplane estimate --estimator E X.npy Y.npy --json` (start-up,
  argument parsing, reading both .npy files, the estimate, printing);
- numpy: in this interpreter (so without Python's own start-up, in numpy's favour): np.load of
  both files and the estimate, vectorised:
  binning / adaptive-binning: distinct rows by np.unique over void rows of X's codes, of Y and of
  (X, Y), plug-in entropies; the codes of 0/1 inputs are the same for every convention, so the
  numpy side codes X as it is (the adaptive edges over the values {0, 1} separate them too);
  kde: the Kolchinsky-Tracey upper (pairwise-KL) bound with noise variance 0.1, ibplane's
  default: I(X;Y) = H_KL(X) - sum_y p(y) H_KL(X | Y=y), squared distances by GEMM in blocks of
  rows, row log-sum-exps in float64.
- numpy as a process: the same numpy code run as `python3 -c ...` (interpreter start, `import numpy`,
  np.load, the estimate): what a user who writes the numpy script and runs it waits for, the
  like-for-like comparison with ibplane's whole process.
Values: ibplane's plug-in MI (binning families) and upper-bound MI (kde) must agree with numpy's to
1e-9 relative, or the script exits 1.
Start-up share: best `ibplane --version` over best `estimate --estimator ksg` on N = 10^4, 1+1.

Prints a Markdown table (ratios numpy / ibplane, > 1 means ibplane is faster).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from timing import best_of  # bench/timing.py

N_BITS = 16
NOISE_VARIANCE = 0.1  # ibplane's kde default sigma2
PARITY_BITS = (0, 3, 7, 12)


def write_data(directory, seed):
    rng = np.random.default_rng(seed)
    patterns = np.arange(2 ** N_BITS)[rng.permutation(2 ** N_BITS)]
    x = ((patterns[:, None] >> np.arange(N_BITS)[None, :]) & 1).astype(np.float32)
    y = (np.sum(x[:, list(PARITY_BITS)], axis=1).astype(np.int64) % 2)
    paths = {"x": os.path.join(directory, "x16.npy"), "y": os.path.join(directory, "y16.npy")}
    np.save(paths["x"], x)
    np.save(paths["y"], y)
    g = rng.standard_normal(10_000)
    paths["gx"] = os.path.join(directory, "gx.npy")
    paths["gy"] = os.path.join(directory, "gy.npy")
    np.save(paths["gx"], g)
    np.save(paths["gy"], g + rng.standard_normal(10_000))
    return paths


# ------------------------------------------------------------------------------- numpy peers
def plug_in_entropy(counts):
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)))


def row_counts(a):
    a = np.ascontiguousarray(a)
    v = a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1])))
    return np.unique(v, return_counts=True)[1]


def numpy_binning(x_path, y_path):
    x = np.load(x_path)
    y = np.load(y_path).reshape(-1, 1)
    xy = np.concatenate([x.astype(np.float64), y.astype(np.float64)], axis=1)
    return plug_in_entropy(row_counts(x)) + plug_in_entropy(row_counts(y)) - plug_in_entropy(row_counts(xy))


def kt_upper_entropy(x, var, block=256):
    """H_KL = d/2 + (d/2) ln(2 pi var) - mean_i ln((1/n) sum_j exp(-D_ij / 2 var))."""
    n, d = x.shape
    sq = np.sum(x * x, axis=1)
    total = 0.0
    for s in range(0, n, block):
        xb = x[s:s + block]
        a = (2.0 * (xb @ x.T) - sq[s:s + block, None] - sq[None, :]) / (2.0 * var)
        m = np.max(a, axis=1, keepdims=True)
        total += float(np.sum(m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))))
    return d / 2.0 + d / 2.0 * np.log(2 * np.pi * var) + np.log(n) - total / n


def numpy_kde(x_path, y_path):
    x = np.load(x_path).astype(np.float64)
    y = np.load(y_path).reshape(-1)
    h = kt_upper_entropy(x, NOISE_VARIANCE)
    h_cond = 0.0
    for c in np.unique(y):
        mask = y == c
        h_cond += mask.mean() * kt_upper_entropy(x[mask], NOISE_VARIANCE)
    return h - h_cond


# ------------------------------------------------------------------------------- timing


def numpy_process_run(name, x, y):
    """The numpy peer as a whole process: interpreter start, numpy import, load, estimate."""
    here = os.path.dirname(os.path.abspath(__file__))
    peer = "numpy_kde" if name == "kde" else "numpy_binning"
    code = f"import sys; sys.path.insert(0, {here!r}); import estimate_startup as e; print(e.{peer}({x!r}, {y!r}))"

    def run():
        return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
    return run


def ibplane_run(binary, args):
    def run():
        out = subprocess.run([binary] + args, check=True, capture_output=True, text=True).stdout
        return json.loads(out) if "--json" in args else out
    return run


def estimate_args(name, x, y):
    return ["estimate", "--estimator", name, x, y, "--json"]


def ibplane_value(name, result):
    """The number numpy computes: plug-in MI for the binning families, the estimate for kde."""
    return result["diagnostics"]["plugin_nats"] if "binning" in name else result["mi_nats"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ibplane", help="the ibplane binary to time (release build)")
    ap.add_argument("--baseline", help="another ibplane binary timed on the same workloads (e.g. before a change)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--kde-repeats", type=int, default=2)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--skip-kde", action="store_true")
    ap.add_argument("--kde-n", type=int, default=2 ** N_BITS,
                    help="kde on the first KDE_N rows only (O(N^2): N = 65,536 takes minutes per run on 2 cores)")
    args = ap.parse_args()
    binaries = [("ibplane", args.ibplane)] + ([("baseline", args.baseline)] if args.baseline else [])
    failed = False
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        p = write_data(tmp, args.seed)
        p["kx"], p["ky"] = os.path.join(tmp, "kx.npy"), os.path.join(tmp, "ky.npy")
        np.save(p["kx"], np.load(p["x"])[:args.kde_n])
        np.save(p["ky"], np.load(p["y"])[:args.kde_n])
        peers = {"binning": numpy_binning, "adaptive-binning": numpy_binning, "kde": numpy_kde}
        for name, peer in peers.items():
            if name == "kde" and args.skip_kde:
                continue
            reps = args.kde_repeats if name == "kde" else args.repeats
            x, y, n = (p["kx"], p["ky"], args.kde_n) if name == "kde" else (p["x"], p["y"], 2 ** N_BITS)
            times = {}
            for label, binary in binaries:
                times[label], result = best_of(reps, ibplane_run(binary, estimate_args(name, x, y)))
                if label == "ibplane":
                    value = ibplane_value(name, result)
            t_np, v_np = best_of(reps, lambda: peer(x, y))
            t_proc, v_proc = best_of(reps, numpy_process_run(name, x, y))
            rel = abs(value - v_np) / max(abs(v_np), 1e-300)
            failed |= not rel <= 1e-9 or v_proc != v_np
            rows.append((f"`estimate --estimator {name}`, N = {n:,}, 16 binary inputs", times, t_np, t_proc, f"{rel:.1e}", reps))
        startup = {}
        for label, binary in binaries:
            t_version, _ = best_of(args.repeats, ibplane_run(binary, ["--version"]))
            t_ksg, _ = best_of(args.repeats, ibplane_run(binary, estimate_args("ksg", p["gx"], p["gy"])))
            startup[label] = (t_version, t_ksg)

    ms = lambda t: f"{t * 1e3:,.1f}"
    base = " | baseline (ms) | baseline / ibplane" if args.baseline else ""
    print(f"| workload | ibplane (ms){base} | numpy in process (ms) | numpy / ibplane"
          " | numpy as a process (ms) | numpy process / ibplane | value rel. diff | runs |")
    print("| --- | --- |" + (" --- | --- |" if args.baseline else "") + " --- | --- | --- | --- | --- | --- |")
    for what, times, t_np, t_proc, rel, reps in rows:
        b = f" | {ms(times['baseline'])} | {times['baseline'] / times['ibplane']:.2f}×" if args.baseline else ""
        print(f"| {what} | {ms(times['ibplane'])}{b} | {ms(t_np)} | **{t_np / times['ibplane']:.2f}×**"
              f" | {ms(t_proc)} | **{t_proc / times['ibplane']:.2f}×** | {rel} | best of {reps} |")
    print()
    print("| start-up | `ibplane --version` (ms) | `estimate --estimator ksg`, N = 10⁴, 1+1 (ms) | start-up share |")
    print("| --- | --- | --- | --- |")
    for label, (t_version, t_ksg) in startup.items():
        print(f"| {label} | {ms(t_version)} | {ms(t_ksg)} | {t_version / t_ksg:.0%} |")
    if failed:
        print("error: an ibplane value differs from numpy's by more than 1e-9 relative", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
