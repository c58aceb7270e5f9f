#!/usr/bin/env python3
"""Independent values for the closed-form MI of ibplane's synthetic tasks (test oracle only).

Run: python3 Tests/oracles/synthetic_truth.py
Every value is in nats. The Swift tests in Tests/IBPlaneTests/Synthetic/ hard-code these
numbers; this script is how they were produced, with numpy/scipy only (no ibplane code).
"""
import numpy as np
from scipy import integrate, special, stats


def gaussian_mi(cov, dx):
    ld = lambda m: np.linalg.slogdet(m)[1]
    return 0.5 * (ld(cov[:dx, :dx]) + ld(cov[dx:, dx:]) - ld(cov))


def dense(d, rho=0.5):
    c = np.full((2 * d, 2 * d), rho)
    np.fill_diagonal(c, 1.0)
    return gaussian_mi(c, d)


def t_entropy(nu, cov):
    # The standard closed-form differential entropy of the d-dimensional t, written out in
    # full (log-volume terms included) rather than as the MI correction the Swift code uses.
    d = cov.shape[0]
    return (0.5 * np.linalg.slogdet(cov)[1] + 0.5 * d * np.log(nu * np.pi)
            + special.gammaln(nu / 2) - special.gammaln((nu + d) / 2)
            + (nu + d) / 2 * (special.digamma((nu + d) / 2) - special.digamma(nu / 2)))


def student_mi(nu, dx, dy, rho=0.0):
    c = np.eye(dx + dy)
    for i in range(min(dx, dy)):
        c[i, dx + i] = c[dx + i, i] = rho
    return t_entropy(nu, c[:dx, :dx]) + t_entropy(nu, c[dx:, dx:]) - t_entropy(nu, c)


def student_mc(nu, dx, dy, rho, n, seed):
    """Monte Carlo E[log p(x,y) − log p(x) − log p(y)] with scipy's multivariate_t."""
    c = np.eye(dx + dy)
    for i in range(min(dx, dy)):
        c[i, dx + i] = c[dx + i, i] = rho
    joint = stats.multivariate_t(shape=c, df=nu)
    s = joint.rvs(size=n, random_state=np.random.default_rng(seed))
    px = stats.multivariate_t(shape=c[:dx, :dx], df=nu)
    py = stats.multivariate_t(shape=c[dx:, dx:], df=nu)
    r = joint.logpdf(s) - px.logpdf(s[:, :dx]) - py.logpdf(s[:, dx:])
    return r.mean(), r.std() / np.sqrt(n)


def uniform_additive(eps):
    """h(Y) − h(Y|X) by numeric integration of Y's density (X ~ U(0,1), Y = X + U(−ε, ε))."""
    def p(y):
        lo, hi = max(0.0, y - eps), min(1.0, y + eps)
        return max(0.0, hi - lo) / (2 * eps)
    f = lambda y: -p(y) * np.log(p(y)) if p(y) > 0 else 0.0
    pts = sorted({-eps, eps, 1 - eps, 1 + eps})
    h = integrate.quad(f, -eps, 1 + eps, points=pts[1:-1], limit=200, epsabs=1e-13, epsrel=1e-13)[0]
    return h - np.log(2 * eps)


def channel(a, sigma=1.0):
    dy, dx = a.shape
    c = np.block([[np.eye(dx), a.T], [a, a @ a.T + sigma**2 * np.eye(dy)]])
    return gaussian_mi(c, dx)


def quantised(k):
    edges = -2 + 4 * np.arange(1, k) / k
    cdf = np.concatenate([[0.0], stats.norm.cdf(edges), [1.0]])
    p = np.diff(cdf)
    return -(p * np.log(p)).sum()


def h2(p):
    return -p * np.log(p) - (1 - p) * np.log(1 - p)


if __name__ == "__main__":
    a3 = np.array([[1, .5, 0], [0, 1, .5], [0, 0, 1.0]])
    print("gaussian-dense-5        %.12f" % dense(5))
    print("gaussian-1x1-rho0.75    %.12f" % (-0.5 * np.log(1 - 0.75**2)))
    print("gaussian-channel-3      %.12f" % channel(a3))
    print("student-1x1-nu1         %.12f" % student_mi(1, 1, 1))
    print("student-2x2-nu2         %.12f" % student_mi(2, 2, 2))
    print("student-3x3-nu2         %.12f" % student_mi(2, 3, 3))
    print("student-2x3-nu3-rho0.6  %.12f" % student_mi(3, 2, 3, 0.6))
    m, se = student_mc(3, 2, 3, 0.6, 1_000_000, 7)
    print("  Monte Carlo (1e6)     %.6f ± %.6f" % (m, se))
    print("uniform-additive-0.1    %.12f" % uniform_additive(0.1))
    print("uniform-additive-0.75   %.12f" % uniform_additive(0.75))
    print("uniform-additive-0.5    %.12f" % uniform_additive(0.5))
    print("quantised-gaussian-8    %.12f" % quantised(8))
    print("bsc-0.1                 %.12f" % (np.log(2) - h2(0.1)))
    print("bec-0.2                 %.12f" % (0.8 * np.log(2)))
