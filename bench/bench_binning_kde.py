#!/usr/bin/env python3
"""Binning and KDE: ibplane (Swift, release) against numpy peers, ratios in one run.

Workload: 274 snapshots x 6 layers (widths 10-7-5-4-3-2) x N = 4,096 synthetic tanh-like
activations of the 12-bit task (all 4,096 12-bit inputs, so X is N distinct inputs),
generated here with a seed and written as .npy for the Swift benchmark binary.

Peers (bench/binning_kde_reference.py):
  floor        numpy floor(x / 0.07) + np.unique(axis=0) counts, per class for I(T;Y)
  IDNNs        faithful numpy reimplementation of the IDNNs per-epoch algorithm (void-row
               np.unique, loop over every distinct x for H(T|X) and every y for H(T|Y))
  KDE          numpy pairwise distances + logsumexp (both bounds, per class), float64
Slow peers run on the first --idnns-snapshots / --kde-snapshots snapshots (all 6 layers);
ratios are per-job times, and values of the common jobs are compared.

Usage: python3 bench/bench_binning_kde.py [--bin .build/release/ibplane-bench]
       [--snapshots 274] [--idnns-snapshots 10] [--kde-snapshots 4] [--seed 7]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import binning_kde_reference as ref  # noqa: E402

WIDTHS = [10, 7, 5, 4, 3, 2]


def generate(snapshots, seed):
    rng = np.random.default_rng(seed)
    n = 4096
    x = ((np.arange(n)[:, None] >> np.arange(12)[None, :]) & 1).astype(np.float64) * 2 - 1
    labels = (x @ rng.normal(size=12) > 0).astype(np.int64)
    weights, drifts, biases = [], [], []
    fan_in = 12
    for w in WIDTHS:
        weights.append(rng.normal(size=(fan_in, w)) / np.sqrt(fan_in))
        drifts.append(rng.normal(size=(fan_in, w)) / np.sqrt(fan_in))
        biases.append(rng.normal(size=w) * 0.1)
        fan_in = w
    layers = [np.empty((snapshots, n, w), dtype=np.float32) for w in WIDTHS]
    for s in range(snapshots):
        gain = 0.5 + 4.5 * s / max(1, snapshots - 1)  # units saturate as "training" proceeds
        h = x
        for l in range(len(WIDTHS)):
            wl = weights[l] + 0.3 * np.sin(s / 20.0 + l) * drifts[l]
            h = np.tanh(gain * (h @ wl) + biases[l])
            layers[l][s] = h.astype(np.float32)
    return layers, labels


def time_jobs(fn, layers, labels, snapshots):
    values = []
    t0 = time.perf_counter()
    for s in range(snapshots):
        for l in range(len(WIDTHS)):
            values.append(fn(layers[l][s], labels))
    return time.perf_counter() - t0, values


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=".build/release/ibplane-bench")
    ap.add_argument("--snapshots", type=int, default=274)
    ap.add_argument("--idnns-snapshots", type=int, default=10)
    ap.add_argument("--kde-snapshots", type=int, default=4)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    layers, labels = generate(args.snapshots, args.seed)
    with tempfile.TemporaryDirectory(prefix="ibplane-bench-") as tmp:
        for l, a in enumerate(layers):
            np.save(os.path.join(tmp, "layer%d.npy" % l), a)
        np.save(os.path.join(tmp, "labels.npy"), labels)
        out = subprocess.run(
            [args.bin, "binning-kde", "--data", tmp, "--snapshots", str(args.snapshots),
             "--kde-snapshots", str(args.kde_snapshots)],
            check=True, capture_output=True, text=True)
    swift = json.loads(out.stdout)

    onehot = np.eye(2, dtype=np.float32)[labels]
    peers = [
        ("floor", "numpy floor + np.unique", args.snapshots,
         lambda t, y: ref.plane_from_codes(ref.floor_codes(t, 0.07), y)),
        ("idnns", "IDNNs per-epoch (faithful numpy)", args.idnns_snapshots,
         lambda t, y: ref.idnns_faithful(t, onehot, 30)),
        ("kde", "numpy logsumexp KDE", args.kde_snapshots,
         lambda t, y: ref.kde_plane(t, y, 0.1, "upper")),
    ]
    rows = []
    for key, label, count, fn in peers:
        seconds, values = time_jobs(fn, layers, labels, count)
        ours = swift[key]
        diff = float(np.max(np.abs(np.array(ours["values"][: len(values)]) - np.array(values))))
        per_peer = seconds / len(values)
        rows.append((key, label, ours["jobs"], ours["seconds"], ours["per_job"], len(values), per_peer,
                     per_peer / ours["per_job"], diff))

    print("binning/KDE benchmark: N = %d, widths %s, seed %d, Swift threads %d (release)"
          % (swift["n"], "-".join(map(str, WIDTHS)), args.seed, swift["threads"]))
    print("| estimator | ibplane jobs | ibplane total s | ibplane ms/job | peer | peer jobs | peer ms/job "
          "| speed-up | max abs diff (nats) |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for key, label, jobs, total, per, pjobs, pper, ratio, diff in rows:
        print("| %s | %d | %.3f | %.4f | %s | %d | %.3f | %.0fx | %.1e |"
              % (key, jobs, total, per * 1e3, label, pjobs, pper * 1e3, ratio, diff))


if __name__ == "__main__":
    main()
