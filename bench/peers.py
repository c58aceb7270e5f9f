#!/usr/bin/env python3
"""KSG (k = 3, estimator 1, max-norm) of `ibplane estimate` against the pip-installable peers (issue 17, target 5).

    python3 bench/peers.py [IBPLANE] [--no-install] [--max-seconds 120] [--full] [--repeats 3]

IBPLANE defaults to .build/release/ibplane. Without --no-install the script creates (or reuses)
a venv at bench/.venv-peers (python3 -m venv), pip-installs the pinned PEERS below into it and
re-runs itself there; --no-install runs in the current interpreter, which must have them.

Data (seeded, written to a temporary directory as float64 .npy): correlated Gaussians,
X ~ N(0, I_d), Y = rho X + sqrt(1 - rho^2) Z with rho = 0.6 per coordinate pair (true MI
-d/2 ln(1 - rho^2)), d = 1, 2, 5, 10 (1+1 ... 10+10 dims), N = 10^4 and 10^5, each column then
standardised here (mean 0, sd 1, ddof 0). Every estimator gets these same standardised values:
- ibplane: the whole process, `ibplane estimate --estimator ksg X.npy Y.npy --k 3 --preprocess
  none --unit nats --json` (start-up, .npy reading, estimate, output; jitter is off by default;
  default worker threads = the cores, 2 here), and the same with `--threads 1`;
- the rest in this interpreter (no interpreter start-up or imports, in their favour), single
  threaded, on arrays already loaded:
  - scikit-learn: bench/ksg_reference.py's ksg(x, y, 3, 1) (NearestNeighbors + KDTree
    query_radius, chebyshev, strictly inside) -- the correctness reference;
  - npeet-plus: npeet_plus.mi(x, y, k=3, base=e). It always adds 1e-10 * uniform noise
    (np.random) to x and y; seeded here with np.random.seed(0) before each call;
  - ennemi: ennemi._entropy_estimators._estimate_single_mi(x, y, k=3), the KSG-1 kernel that
    ennemi.estimate_mi runs for each x column after its optional preprocessing; the public
    estimate_mi takes a 1-D y and treats x's columns one by one, so it cannot give the MI of a
    multi-dimensional pair. At 1+1 the script checks estimate_mi(y, x, k=3, preprocess=False)
    gives the same value (preprocess=True would rescale and add seeded noise);
  - infomeasure: infomeasure.mutual_information(x, y, approach="ksg", k=3, ksg_id=1,
    noise_level=0, minkowski_p=inf, base="e") (its default adds N(0, 1e-10^2) noise from its rng;
    switched off here; its default k is 4).
Each is timed best of --repeats (bench/timing.py), except that a run longer than --single-above
seconds is not repeated (marked "1 run"). Peers are first run at N = 10^4; the N = 10^5 time is
predicted as t(10^4) * 10^p with p the exponent measured between N = 2,500 and N = 10^4
(clamped to [1, 2]; 2 = quadratic, x100), and a run predicted above --max-seconds is skipped
("skipped (predicted N s)") unless --full -- except the scikit-learn reference, which always runs
(ibplane is checked against it at every size; 10+10 at N = 10^5 takes it minutes here).
Check: ibplane's value must equal the scikit-learn reference to 1e-9 (absolute, nats) at every
size, else exit 1; peers off by more than 1e-6 are flagged in the table.
Writes the Markdown table to bench/results/peers.md (--out) and prints it.
"""
import argparse
import datetime
import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv-peers")
# The versions of the committed results (bench/results/peers.md); pip installs exactly these.
PEERS = ["numpy==2.4.6", "scipy==1.17.1", "scikit-learn==1.9.1", "npeet-plus==0.2.0",
         "ennemi==1.5.0", "infomeasure==0.6.3"]
DIMS = (1, 2, 5, 10)
SIZES = (10_000, 100_000)
K = 3
RHO = 0.6
REFERENCE = "scikit-learn"  # the correctness reference: always run, whatever its prediction
TOLERANCE_IBPLANE = 1e-9
TOLERANCE_PEER = 1e-6


def ensure_venv(argv):
    """Creates/updates bench/.venv-peers and re-runs this script in it (never returns)."""
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + PEERS,
                   check=True)
    os.execv(python, [python, os.path.abspath(__file__)] + argv + ["--no-install"])


# ------------------------------------------------------------------------------- data
def write_data(directory, d, n, seed):
    import numpy as np
    rng = np.random.default_rng([seed, d, n])
    x = rng.standard_normal((n, d))
    y = RHO * x + math.sqrt(1 - RHO ** 2) * rng.standard_normal((n, d))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = (y - y.mean(axis=0)) / y.std(axis=0)
    px, py = os.path.join(directory, f"x{d}_{n}.npy"), os.path.join(directory, f"y{d}_{n}.npy")
    np.save(px, x)
    np.save(py, y)
    return px, py, x, y


# ------------------------------------------------------------------------------- peers
def peer_functions():
    import numpy as np
    import npeet_plus
    import infomeasure
    from ennemi._entropy_estimators import _estimate_single_mi
    import ksg_reference  # bench/ksg_reference.py

    def npeet(x, y):
        np.random.seed(0)  # its add_noise draws 1e-10 * uniform from the global generator
        return float(npeet_plus.mi(x, y, k=K, base=math.e))

    return {
        "scikit-learn": lambda x, y: float(ksg_reference.ksg(x, y, K, 1)),
        "npeet-plus": npeet,
        "ennemi": lambda x, y: float(_estimate_single_mi(x, y, K)),
        "infomeasure": lambda x, y: float(infomeasure.mutual_information(
            x, y, approach="ksg", k=K, ksg_id=1, noise_level=0, minkowski_p=np.inf, base="e")),
    }


def ennemi_public_1d(x, y):
    import ennemi
    return float(ennemi.estimate_mi(y[:, 0], x[:, 0], k=K, preprocess=False)[0, 0])


def timed(fn, repeats, single_above):
    """best_of, but a first run longer than single_above seconds is not repeated."""
    from timing import best_of  # bench/timing.py
    t, value = best_of(1, fn)
    runs = 1
    if t <= single_above and repeats > 1:
        t2, value = best_of(repeats - 1, fn)
        t, runs = min(t, t2), repeats
    return t, value, runs


def ibplane_run(binary, px, py, threads=None):
    args = [binary, "estimate", "--estimator", "ksg", px, py, "--k", str(K), "--preprocess", "none",
            "--unit", "nats", "--json"] + (["--threads", str(threads)] if threads else [])

    def run():
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        return float(json.loads(out)["mi_nats"])
    return run


# ------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ibplane", nargs="?", default=".build/release/ibplane", help="the ibplane binary (release)")
    ap.add_argument("--no-install", action="store_true", help="use the current interpreter, no venv")
    ap.add_argument("--max-seconds", type=float, default=120.0,
                    help="skip a peer run at N = 10^5 predicted to take longer than this (default 120)")
    ap.add_argument("--full", action="store_true", help="run everything, whatever the prediction")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--single-above", type=float, default=20.0,
                    help="a run longer than this many seconds is not repeated (default 20)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--dims", default=",".join(map(str, DIMS)), help="comma-separated d (d+d dims)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "peers.md"))
    args = ap.parse_args()
    if not args.no_install:
        ensure_venv(sys.argv[1:])
    sys.path.insert(0, HERE)
    import numpy as np

    binary = os.path.abspath(args.ibplane)
    peers = peer_functions()
    dims = [int(d) for d in args.dims.split(",")]
    rows, notes, failed = [], [], False
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        from timing import best_of
        t_version, _ = best_of(max(args.repeats, 5), lambda: subprocess.run(
            [binary, "--version"], check=True, capture_output=True))
        predicted_at = {}  # (peer, d) -> predicted seconds at N = 10^5
        for n in SIZES:
            for d in dims:
                px, py, x, y = write_data(tmp, d, n, args.seed)
                truth = -d / 2 * math.log(1 - RHO ** 2)
                t_ib, v_ib, r_ib = timed(ibplane_run(binary, px, py), args.repeats, args.single_above)
                t_ib1, v_ib1, r_ib1 = timed(ibplane_run(binary, px, py, 1), args.repeats, args.single_above)
                results = {}
                for name, fn in peers.items():
                    prediction = predicted_at.get((name, d))
                    if (n == SIZES[1] and not args.full and name != REFERENCE and prediction is not None
                            and prediction > args.max_seconds):
                        results[name] = ("skip", prediction)
                        continue
                    t, v, runs = timed(lambda: fn(x, y), args.repeats, args.single_above)
                    results[name] = (t, v, runs)
                    if n == SIZES[0]:
                        small = n // 4
                        t_small, _, _ = timed(lambda: fn(x[:small], y[:small]), args.repeats, args.single_above)
                        p = min(2.0, max(1.0, math.log(t / t_small) / math.log(4)))
                        predicted_at[(name, d)] = t * (SIZES[1] / n) ** p
                        print(f"  {name} d={d}: N^{p:.2f}, predicted {predicted_at[(name, d)]:.1f} s at N = {SIZES[1]:,}",
                              file=sys.stderr)
                reference = results[REFERENCE][1]
                diff_ib = max(abs(v_ib - reference), abs(v_ib1 - reference))
                failed |= not diff_ib <= TOLERANCE_IBPLANE
                if d == 1 and results["ennemi"][0] != "skip":
                    public = ennemi_public_1d(x, y)
                    if public == results["ennemi"][1]:
                        notes.append(f"ennemi: the public `estimate_mi(y, x, k=3, preprocess=False)` gives the same value as "
                                     f"`_estimate_single_mi` at 1+1, N = {n:,} ({public!r}).")
                    else:
                        notes.append(f"ennemi.estimate_mi ≠ _estimate_single_mi at 1+1, N = {n:,}: {public!r} vs {results['ennemi'][1]!r}")
                rows.append(dict(n=n, d=d, truth=truth, ib=(t_ib, v_ib, r_ib), ib1=(t_ib1, v_ib1, r_ib1),
                                 diff_ib=diff_ib, peers=results))
                print(f"N = {n:,} {d}+{d}: ibplane {t_ib:.3f} s {v_ib:.12f}; " + "; ".join(
                    f"{k} " + (f"skipped ({r[1]:.0f} s)" if r[0] == "skip" else f"{r[0]:.3f} s {r[1]:.12f}")
                    for k, r in results.items()), file=sys.stderr)
    finished = datetime.datetime.now(datetime.timezone.utc)
    text = render(args, rows, notes, t_version, started, finished, load_before, os.getloadavg(), failed)
    print(text)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    if failed:
        print(f"error: ibplane differs from the scikit-learn reference by more than {TOLERANCE_IBPLANE:g} nats",
              file=sys.stderr)
        return 1
    return 0


def render(args, rows, notes, t_version, started, finished, load_before, load_after, failed):
    secs = lambda t: f"{t:.3f}" if t < 10 else f"{t:.1f}"
    runs = lambda r: "" if r == args.repeats else f" ({r} run)"
    versions = ", ".join(f"{p} {importlib.metadata.version(p)}"
                         for p in ("numpy", "scipy", "scikit-learn", "npeet-plus", "ennemi", "infomeasure"))
    ibv = subprocess.run([os.path.abspath(args.ibplane), "--version"], capture_output=True, text=True).stdout.strip()
    out = [
        "# KSG against the pip-installable peers (issue 17, target 5)",
        "",
        f"Command: `{' '.join(['python3 bench/peers.py'] + [a for a in sys.argv[1:] if a != '--no-install'])}`,",
        f"{started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC, on a {os.cpu_count()}-core {platform.machine()} machine shared with other jobs "
        f"(load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end). ibplane {ibv}; Python {platform.python_version()}; {versions}.",
        "",
        f"KSG estimator 1, k = {K}, max-norm, nats, on correlated Gaussians (ρ = {RHO} per coordinate pair, seeded, "
        "every column standardised once by the script; all estimators read the same float64 values; ibplane with "
        "`--preprocess none`, no jitter). Times: best of "
        f"{args.repeats} (runs above {args.single_above:g} s once); ibplane as a whole process (start included, default "
        "threads = cores, and `--threads 1`), the peers in process, single-threaded, without imports. "
        "Ratio = peer time / ibplane time (> 1: ibplane faster). |Δ| = |value − scikit-learn reference|; "
        f"**bold ⚠** marks |Δ| > {TOLERANCE_PEER:g}.",
        "",
        "| N | dims | true MI | ibplane (s) | value | \\|Δ\\| | `--threads 1` (s) | scikit-learn (s) / ratio | npeet-plus (s) / ratio / \\|Δ\\| | ennemi (s) / ratio / \\|Δ\\| | infomeasure (s) / ratio / \\|Δ\\| |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        t_ib, v_ib, r_ib = row["ib"]
        ref = row["peers"]["scikit-learn"][1]
        cells = []
        for name, r in row["peers"].items():
            if r[0] == "skip":
                cells.append(f"skipped (predicted {r[1]:.0f} s)")
                continue
            t, v, nr = r
            cell = f"{secs(t)}{runs(nr)} / **{t / t_ib:.1f}×**"
            if name != "scikit-learn":
                dv = abs(v - ref)
                cell += f" / {'**' if dv > TOLERANCE_PEER else ''}{dv:.1e}{' ⚠**' if dv > TOLERANCE_PEER else ''}"
            cells.append(cell)
        out.append(f"| {row['n']:,} | {row['d']}+{row['d']} | {row['truth']:.4f} | {secs(t_ib)}{runs(r_ib)} | {v_ib:.10f} | "
                   f"{row['diff_ib']:.1e} | {secs(row['ib1'][0])}{runs(row['ib1'][2])} | " + " | ".join(cells) + " |")
    small = [r for r in rows if r["n"] == SIZES[0] and r["d"] == 1]
    out += ["", f"Start-up: `ibplane --version` {t_version * 1e3:.1f} ms (best of {max(args.repeats, 5)})"
            + (f", {t_version / small[0]['ib'][0]:.0%} of the whole `estimate --estimator ksg` at N = 10⁴, 1+1 "
               f"({small[0]['ib'][0] * 1e3:.1f} ms)." if small else ".")]
    out += ["", "ibplane equals the scikit-learn reference to "
            f"{TOLERANCE_IBPLANE:g} at every size (default threads and `--threads 1`)." if not failed else
            f"**FAILED: ibplane differs from the scikit-learn reference by more than {TOLERANCE_IBPLANE:g}.**"]
    out += [f"- {note}" for note in notes]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
