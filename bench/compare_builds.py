#!/usr/bin/env python3
"""Times the same CLI workloads with two ibplane binaries, interleaved, and prints their ratios.

Used to measure what a build change costs (e.g. the release build with overflow and bounds
checks against the old `-Ounchecked` one): both binaries run each workload in turn, `--repeats`
times (best of), on the same data made once by the first binary, so machine load affects both
alike. Values are compared too: the two builds must print the same estimates.

usage: bench/compare_builds.py BASELINE_BIN CANDIDATE_BIN [--repeats 3] [--only NAME ...]
Prints one row per workload: best seconds of each binary and candidate/baseline (> 1 = slower).
"""
import argparse, json, os, subprocess, sys, tempfile, time


def run(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-2000:]))
    return elapsed, p.stdout


def workloads(work, base):
    """(name, argv after the binary, value extractor) for each workload; prepares the data with `base`."""
    def synth(task, n, name):
        out = os.path.join(work, name)
        if not os.path.exists(out):
            run([base, "synth", "--task", task, "--n", str(n), "--seed", "1", "--out", out])
        return out

    ksg = synth("gaussian-2pair-10x10", 100_000, "ksg")
    cs = synth("gaussian-2pair-10x10", 8192, "cs")
    dense = synth("gaussian-dense-5", 100_000, "dense")
    rec = os.path.join(work, "run.bin")
    if not os.path.exists(rec):
        run([base, "train", "--epochs", "2000", "--seed", "1", "--record", rec])
    estimate = lambda o: json.loads(o)["mi_nats"]
    plane = lambda o: o.strip().splitlines()[-1] if o.strip() else ""
    return [
        ("ksg 10+10, N = 100,000", ["estimate", "--estimator", "ksg", ksg + "/x.npy", ksg + "/y.npy", "--json"], estimate),
        ("cs, N = 8,192 (10 vs 10 dims)", ["estimate", "--estimator", "cs", cs + "/x.npy", cs + "/y.npy", "--json"], estimate),
        ("weighted KL MI, 5+5, N = 100,000", ["estimate", "--estimator", "wkl", dense + "/x.npy", dense + "/y.npy", "--json"], estimate),
        ("binning plane, 12-bit net, 2,000 epochs", ["analyze", rec, "--estimator", "binning", "--out", os.path.join(work, "plane-binning"), "--quiet"], None),
        ("kde plane, same recording, last snapshot", ["analyze", rec, "--estimator", "kde", "--epochs", "1999", "--out", os.path.join(work, "plane-kde"), "--quiet"], None),
        ("trainer, 12-bit net, 1,000 epochs, no recording", ["train", "--epochs", "1000", "--seed", "2"], None),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("baseline")
    ap.add_argument("candidate")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--work", help="data folder (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="ibplane-compare-")
    os.makedirs(work, exist_ok=True)
    rows = []
    for name, argv, value in workloads(work, args.baseline):
        if args.only and not any(o in name for o in args.only):
            continue
        best = {args.baseline: float("inf"), args.candidate: float("inf")}
        values = {}
        for _ in range(args.repeats):
            for binary in (args.baseline, args.candidate):
                if "--out" in argv:
                    subprocess.run(["rm", "-rf", argv[argv.index("--out") + 1]])
                t, out = run([binary] + argv)
                best[binary] = min(best[binary], t)
                if value:
                    values[binary] = value(out)
        ratio = best[args.candidate] / best[args.baseline]
        same = "" if not values else ("same value" if len(set(map(repr, values.values()))) == 1 else "VALUES DIFFER: %s" % values)
        rows.append((name, best[args.baseline], best[args.candidate], ratio, same))
        print("%-48s baseline %8.3f s  candidate %8.3f s  candidate/baseline %.3f  %s" % rows[-1], flush=True)


if __name__ == "__main__":
    main()
