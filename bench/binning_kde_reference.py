#!/usr/bin/env python3
"""numpy reference implementations of ibplane's binning and KDE estimators.

Written from the papers' definitions (and, for `idnns_faithful`, following the structure of
the IDNNs per-epoch algorithm), independently of the Swift code. Used by
Tests/IBPlaneTests/Estimators/BinningReferenceTests.swift as an oracle (values must agree to
1e-9 nats) and by bench/bench_binning_kde.py as the timing peer. numpy only (no runtime use).

Command line (oracle mode):
    binning_kde_reference.py LAYER.npy LABELS.npy SPEC.json
prints a JSON object {name: [I(X;T) nats, I(T;Y) nats]} for every estimator in SPEC.json
(a list of {"name": ..., parameters...}). X is taken as N distinct inputs.
"""
import json
import sys

import numpy as np


# ---------------------------------------------------------------------------- discrete entropy
def entropy_from_counts(counts):
    """Plug-in and Miller-Madow entropy (nats) from symbol counts."""
    counts = np.asarray(counts, dtype=np.float64)
    counts = counts[counts > 0]
    n = counts.sum()
    p = counts / n
    h = float(-np.sum(p * np.log(p)))
    return h, h + (len(counts) - 1) / (2.0 * n)


def row_counts(codes):
    """Counts of distinct rows (np.unique over axis 0)."""
    _, counts = np.unique(codes, axis=0, return_counts=True)
    return counts


def plane_from_codes(codes, labels, correction="plug-in"):
    """I(X;T) = H(T) (X = N distinct inputs), I(T;Y) = H(T) - sum_y p(y) H(T|y)."""
    k = 0 if correction == "plug-in" else 1
    h = entropy_from_counts(row_counts(codes))[k]
    n = len(labels)
    h_cond = 0.0
    for y in np.unique(labels):
        mask = labels == y
        h_cond += mask.sum() / n * entropy_from_counts(row_counts(codes[mask]))[k]
    # With all-distinct X, H(X) = H(X,T) = ln N (and their Miller-Madow terms cancel), so
    # I(X;T) = H(T) for both estimates.
    return h, h - h_cond


# ---------------------------------------------------------------------------- binning rules
def idnns_codes(x, bins=30):
    """IDNNs: float32 edges linspace(-1, 1, bins); value -> edges[digitize(v, edges) - 1]."""
    edges = np.linspace(-1, 1, bins).astype(np.float32)
    return edges[np.digitize(x.reshape(-1), edges) - 1].reshape(x.shape)


def floor_codes(x, binsize=0.07):
    """ibsgd: floor(x / binsize) in the activations' precision."""
    return np.floor(x / binsize).astype(np.int64)


def range_codes(x, bins=30):
    """bins equal-width bins over the layer's min..max, the maximum in the last bin."""
    x64 = x.astype(np.float64)
    lo, hi = x64.min(), x64.max()
    if hi <= lo:
        return np.zeros(x.shape, dtype=np.int64)
    return np.minimum(bins - 1, np.floor((x64 - lo) / (hi - lo) * bins)).astype(np.int64)


def adaptive_edges(values, bins):
    """Interior edges u[floor(k U / B)], k = 1..B-1, over the sorted unique values u."""
    u = np.unique(values.astype(np.float64))
    return np.unique(u[(np.arange(1, bins) * len(u)) // bins])


def adaptive_codes(x, bins=30, mode="per-layer", lower=None):
    x64 = x.astype(np.float64)
    out = np.empty(x.shape, dtype=np.int64)
    if mode == "per-layer":
        out[:] = np.digitize(x64, adaptive_edges(x64, bins))
    else:
        for j in range(x.shape[1]):
            out[:, j] = np.digitize(x64[:, j], adaptive_edges(x64[:, j], bins))
    if lower is not None:
        out[x64 < lower] = -1
    return out


# ---------------------------------------------------------------------------- KDE bounds
def pairwise_sq_dists(x):
    """D_ij = |x_i|^2 + |x_j|^2 - 2 x_i.x_j (Saxe et al.'s Kget_dists), in float64."""
    x = x.astype(np.float64)
    x2 = np.sum(x * x, axis=1, keepdims=True)
    return x2 + x2.T - 2.0 * (x @ x.T)


def logsumexp_rows(a):
    m = np.max(a, axis=1, keepdims=True)
    return (m + np.log(np.sum(np.exp(a - m), axis=1, keepdims=True)))[:, 0]


def kde_entropy_bounds(x, var):
    """Kolchinsky & Tracey: (upper KL, lower Bhattacharyya) entropy bounds, nats."""
    n, d = x.shape
    dists = pairwise_sq_dists(x)
    base = d / 2.0 + d / 2.0 * np.log(2 * np.pi * var) + np.log(n)
    upper = base - np.mean(logsumexp_rows(-dists / (2 * var)))
    lower = base - np.mean(logsumexp_rows(-dists / (8 * var)))
    return upper, lower


def kde_plane(x, labels, var, bound="upper"):
    k = 0 if bound == "upper" else 1
    n, d = x.shape
    h = kde_entropy_bounds(x, var)[k]
    h_noise = d / 2.0 * (np.log(2 * np.pi * var) + 1)
    h_cond = 0.0
    for y in np.unique(labels):
        mask = labels == y
        h_cond += mask.sum() / n * kde_entropy_bounds(x[mask], var)[k]
    return h - h_noise, h - h_cond


def adaptive_kde_plane(x, labels, scale=0.1, bound="upper"):
    m = float(np.max(np.abs(x.astype(np.float64))))
    if m == 0:
        return 0.0, 0.0
    return kde_plane(x, labels, scale * m, bound)


# ---------------------------------------------------------------------------- IDNNs, faithful
def idnns_faithful(data, labels_onehot, bins=30):
    """The IDNNs per-epoch algorithm (information_process.py), bits -> returned in nats:
    void-row np.unique on the digitized layer, then a loop over every distinct input x for
    H(T|X) and over every label for H(T|Y). X = N distinct inputs (the 12-bit task)."""
    n = data.shape[0]
    x_ids = np.arange(n)  # unique_inverse_x of N distinct inputs
    pxs = np.full(n, 1.0 / n)
    b_y = np.ascontiguousarray(labels_onehot).view(
        np.dtype((np.void, labels_onehot.dtype.itemsize * labels_onehot.shape[1])))
    _, unique_inverse_y, counts_y = np.unique(b_y, return_inverse=True, return_counts=True)
    unique_inverse_y = unique_inverse_y.reshape(-1)
    pys1 = counts_y / float(np.sum(counts_y))

    edges = np.linspace(-1, 1, bins).astype(np.float32)
    digitized = edges[np.digitize(np.squeeze(data.reshape(1, -1)), edges) - 1].reshape(len(data), -1)
    b2 = np.ascontiguousarray(digitized).view(np.dtype((np.void, digitized.dtype.itemsize * digitized.shape[1])))
    _, _, unique_counts = np.unique(b2, return_index=False, return_inverse=True, return_counts=True)
    p_ts = unique_counts / float(sum(unique_counts))

    def entropy_for_t(current_ts, p):
        b = np.ascontiguousarray(current_ts).view(np.dtype((np.void, current_ts.dtype.itemsize * current_ts.shape[1])))
        _, _, c = np.unique(b, return_index=False, return_inverse=True, return_counts=True)
        pt = c / float(sum(c))
        return p * (-np.sum(pt * np.log2(pt)))

    def conditional_entropy(px, inverse):
        return np.sum(np.array([entropy_for_t(digitized[inverse == i, :], px[i]) for i in range(px.shape[0])]))

    h2 = -np.sum(p_ts * np.log2(p_ts))
    h2x = conditional_entropy(pxs, x_ids)
    h2y = conditional_entropy(pys1, unique_inverse_y)
    return (h2 - h2x) * np.log(2), (h2 - h2y) * np.log(2)


# ---------------------------------------------------------------------------- oracle CLI
def evaluate(spec, layer, labels):
    name = spec["name"]
    corr = spec.get("correction", "plug-in")
    if name == "idnns":
        return plane_from_codes(idnns_codes(layer, spec.get("bins", 30)), labels, corr)
    if name == "idnns-faithful":
        onehot = np.eye(int(labels.max()) + 1, dtype=np.float32)[labels]
        return idnns_faithful(layer, onehot, spec.get("bins", 30))
    if name == "floor":
        return plane_from_codes(floor_codes(layer, spec.get("binsize", 0.07)), labels, corr)
    if name == "range":
        return plane_from_codes(range_codes(layer, spec.get("bins", 30)), labels, corr)
    if name == "adaptive":
        codes = adaptive_codes(layer, spec.get("bins", 30), spec.get("mode", "per-layer"), spec.get("lower"))
        return plane_from_codes(codes, labels, corr)
    if name == "kde":
        return kde_plane(layer, labels, spec.get("sigma2", 0.1), spec.get("bound", "upper"))
    if name == "adaptive-kde":
        return adaptive_kde_plane(layer, labels, spec.get("sigma2", 0.1), spec.get("bound", "upper"))
    raise ValueError("unknown reference estimator " + name)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    layer = np.load(argv[1])
    labels = np.load(argv[2]).astype(np.int64).reshape(-1)
    with open(argv[3]) as f:
        specs = json.load(f)
    out = {s["key"]: [float(v) for v in evaluate(s, layer, labels)] for s in specs}
    json.dump(out, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
