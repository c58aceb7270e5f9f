"""numpy full-matrix reference for ibplane's kernel estimators (test oracle and benchmark peer).

Usage: python3 bench/kernel_estimators.py A.npy B.npy SIGMA_A SIGMA_B ALPHA [REPEATS] [WHAT]
  WHAT: comma list of cs, renyi, renyi2 (default all).
Prints one JSON line (values in nats, best-of-REPEATS wall seconds):
  cs, renyi (I_alpha with exact eigenvalues), renyi2 (I_2), entropy_a, entropy_b, joint_entropy,
  seconds_cs, seconds_renyi, seconds_renyi2.

Everything is written the way the published Python code does it: N x N Gram matrices in float64,
numpy.linalg.eigvalsh for the spectra. Never imported by ibplane at run time.

  K_ij = exp(-||x_i - x_j||^2 / (2 sigma^2))
  I_CS = log(sum K.*L / N^2) + log(sum K / N^2) + log(sum L / N^2) - 2 log(sum_i rowK_i rowL_i / N^3)
  S_alpha(A) = log(sum lambda(A)^alpha) / (1 - alpha),  A = K / tr K;  alpha = 1: -sum lambda log lambda
  I_alpha = S(A) + S(B) - S(A.*B / tr(A.*B))
"""
import json
import sys

import numpy as np

from timing import best_of  # bench/timing.py


def gram(x, sigma):
    x = x - x.mean(axis=0)
    sq = np.einsum("ij,ij->i", x, x)
    d = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.maximum(d, 0.0, out=d)
    np.fill_diagonal(d, 0.0)
    return np.exp(-d / (2.0 * sigma * sigma))


def cs_qmi(ka, kb):
    n = ka.shape[0]
    had = float((ka * kb).sum())
    ra, rb = ka.sum(axis=1), kb.sum(axis=1)
    return (np.log(had / n**2) + np.log(ra.sum() / n**2) + np.log(rb.sum() / n**2)
            - 2.0 * np.log(float(ra @ rb) / n**3))


def renyi_entropy(k, alpha):
    lam = np.linalg.eigvalsh(k / np.trace(k))
    lam = lam[lam > 0]
    if alpha == 1.0:
        return float(-(lam * np.log(lam)).sum())
    return float(np.log((lam**alpha).sum()) / (1.0 - alpha))


def renyi_entropy_f32(k, alpha):
    """The same spectrum from numpy's single-precision eigvalsh (LAPACK ssyevd)."""
    lam = np.linalg.eigvalsh((k / np.trace(k)).astype(np.float32)).astype(np.float64)
    lam = lam[lam > 0]
    if alpha == 1.0:
        return float(-(lam * np.log(lam)).sum())
    return float(np.log((lam**alpha).sum()) / (1.0 - alpha))


def renyi2_entropy(k):
    a = k / np.trace(k)
    return float(-np.log((a * a).sum()))




def main():
    a = np.load(sys.argv[1]).astype(np.float64)
    b = np.load(sys.argv[2]).astype(np.float64)
    sa, sb, alpha = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    repeats = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    what = sys.argv[7].split(",") if len(sys.argv) > 7 else ["cs", "renyi", "renyi32", "renyi2"]
    out = {}
    if "cs" in what:
        out["seconds_cs"], out["cs"] = best_of(repeats, lambda: cs_qmi(gram(a, sa), gram(b, sb)))
    if "renyi" in what:
        def renyi():
            ka, kb = gram(a, sa), gram(b, sb)
            ha, hb, hab = renyi_entropy(ka, alpha), renyi_entropy(kb, alpha), renyi_entropy(ka * kb, alpha)
            return ha, hb, hab
        out["seconds_renyi"], (ha, hb, hab) = best_of(repeats, renyi)
        out.update(renyi=ha + hb - hab, entropy_a=ha, entropy_b=hb, joint_entropy=hab)
    if "renyi32" in what:
        def renyi32():
            ka, kb = gram(a, sa), gram(b, sb)
            return renyi_entropy_f32(ka, alpha) + renyi_entropy_f32(kb, alpha) - renyi_entropy_f32(ka * kb, alpha)
        out["seconds_renyi32"], out["renyi32"] = best_of(repeats, renyi32)
    if "renyi2" in what:
        def renyi2():
            ka, kb = gram(a, sa), gram(b, sb)
            return renyi2_entropy(ka) + renyi2_entropy(kb) - renyi2_entropy(ka * kb)
        out["seconds_renyi2"], out["renyi2"] = best_of(repeats, renyi2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
