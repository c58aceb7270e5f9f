"""The full fixed-binning information plane of a 274-snapshot 12-bit recording: `ibplane analyze`
against the IDNNs per-epoch algorithm reimplemented faithfully in numpy (bench/binning_kde_reference.py).

Usage: python3 bench/plane_binning_vs_idnns.py [.build/release/ibplane] [IDNNS_SNAPSHOTS]

ibplane: trains the 12-bit tanh network with the authors' defaults (8,000 epochs, 274 log-spaced
snapshots), then times `ibplane analyze REC --estimator binning` end to end (reading the
recording, 1,644 jobs, CSV, SVG and HTML), best of 3. IDNNs: the same algorithm on activations of
the same shape (N = 4,096, widths 10-7-5-4-3-2, seeded tanh-like data from bench_binning_kde.py);
its cost per job depends on N and the widths, not on the values, so IDNNS_SNAPSHOTS snapshots
(default 6, i.e. 36 jobs) are timed and scaled to 274 × 6 jobs. Prints the ratio.
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_binning_kde as data  # noqa: E402
import binning_kde_reference as ref  # noqa: E402


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/ibplane"
    idnns_snapshots = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    with tempfile.TemporaryDirectory() as tmp:
        rec = os.path.join(tmp, "ib12.bin")
        subprocess.run([binary, "train", "--dataset", "ib12", "--activation", "tanh", "--epochs", "8000",
                        "--log-epochs", "400", "--seed", "1", "--record", rec, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        best = float("inf")
        for _ in range(3):
            out = os.path.join(tmp, "plane")
            t0 = time.perf_counter()
            subprocess.run([binary, "analyze", rec, "--estimator", "binning", "--out", out, "--quiet"],
                           check=True, stdout=subprocess.DEVNULL)
            best = min(best, time.perf_counter() - t0)
            subprocess.run(["rm", "-rf", out], check=True)
    layers, labels = data.generate(idnns_snapshots, seed=7)
    onehot = np.eye(2)[labels]
    t0 = time.perf_counter()
    for s in range(idnns_snapshots):
        for l in range(len(data.WIDTHS)):
            ref.idnns_faithful(layers[l][s], onehot)
    per_job = (time.perf_counter() - t0) / (idnns_snapshots * len(data.WIDTHS))
    idnns_total = per_job * 274 * len(data.WIDTHS)
    print(f"ibplane analyze --estimator binning, 274 snapshots x 6 layers (end to end): {best:.3f} s")
    print(f"IDNNs per-epoch algorithm (numpy): {per_job * 1e3:.1f} ms/job x 1644 jobs = {idnns_total:.1f} s")
    print(f"ratio: {idnns_total / best:.0f}x")


if __name__ == "__main__":
    main()
