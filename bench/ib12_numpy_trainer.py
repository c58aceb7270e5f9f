"""Reference trainer for the benchmark: the 12-bit network of Shwartz-Ziv & Tishby in plain numpy.

Same work per epoch as `ibplane train` with the defaults: 12-10-7-5-4-3-2, tanh hidden layers,
softmax cross-entropy, truncated-normal init (std 1/sqrt(fan_in)), Adam (TF form, lr 0.0004),
batch 256 over the first 3,277 rows (file order), reshuffled every epoch, float32. Batched
matrix products (numpy's BLAS), no per-sample loops — a fair, idiomatic numpy peer.

Prints one JSON line: epochs, seconds and CPU seconds (training loop only), epochs per second
and per CPU second, train_accuracy.
Used only by bench/trainer_vs_numpy.py; never by ibplane at run time.
"""
import json
import sys
import time

import numpy as np


def main(data_path, epochs, seed):
    d = np.loadtxt(data_path, delimiter=",", skiprows=1, dtype=np.float32)
    x_all, y_all = d[:, :-1], d[:, -1].astype(np.int64)
    n_train = int(np.round(len(d) * 0.8))
    x, y = x_all[:n_train], y_all[:n_train]
    rng = np.random.default_rng(seed)
    widths = [12, 10, 7, 5, 4, 3, 2]
    W, b = [], []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        w = rng.standard_normal((fan_in, fan_out))
        while np.any(np.abs(w) > 2):
            bad = np.abs(w) > 2
            w[bad] = rng.standard_normal(bad.sum())
        W.append((w / np.sqrt(fan_in)).astype(np.float32))
        b.append(np.zeros(fan_out, np.float32))
    params = W + b
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps = 0.0004, 0.9, 0.999, 1e-8
    step = 0
    L = len(W)
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(epochs):
        order = rng.permutation(n_train)
        for s in range(0, n_train, 256):
            idx = order[s:s + 256]
            a = [x[idx]]
            for l in range(L):
                z = a[-1] @ W[l] + b[l]
                a.append(np.tanh(z) if l < L - 1 else z)
            z = a[-1]
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            g = p
            g[np.arange(len(idx)), y[idx]] -= 1
            g /= len(idx)
            gW, gb = [None] * L, [None] * L
            for l in range(L - 1, -1, -1):
                if l < L - 1:
                    g = g * (1 - a[l + 1] * a[l + 1])
                gW[l] = a[l].T @ g
                gb[l] = g.sum(axis=0)
                if l > 0:
                    g = g @ W[l].T
            step += 1
            eta = lr * np.sqrt(1 - b2 ** step) / (1 - b1 ** step)
            for i, gr in enumerate(gW + gb):
                m[i] *= b1
                m[i] += (1 - b1) * gr
                v[i] *= b2
                v[i] += (1 - b2) * gr * gr
                params[i] -= (eta * m[i] / (np.sqrt(v[i]) + eps)).astype(np.float32)
            W, b = params[:L], params[L:]
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    h = x
    for l in range(L):
        h = h @ W[l] + b[l]
        if l < L - 1:
            h = np.tanh(h)
    acc = float((h.argmax(axis=1) == y).mean())
    print(json.dumps({"epochs": epochs, "seconds": seconds, "epochs_per_second": epochs / seconds,
                      "cpu_seconds": cpu_seconds, "epochs_per_cpu_second": epochs / cpu_seconds,
                      "train_accuracy": acc}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
