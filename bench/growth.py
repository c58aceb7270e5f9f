#!/usr/bin/env python3
"""Growth tables: how the cost of CS, lossy and the whole `analyze` plane grows with N, widths
and snapshots, so a user can predict the cost of a run (issue 18, target 3).

    python3 bench/growth.py BIN [--quick | --long] [--repeats 3] [--out FILE] [--doc FILE | --no-doc] [--skip-anchor]

BIN is a release `ibplane`. Every data set is seeded and made in a temporary directory: the
single estimates read `ibplane synth` files, the plane reads recordings made with `ibplane train`
(gaussian-mixture at several N with layer widths 4, 16, 64, 256, 2; the default 12-bit run).
Each process is timed on its own (wall; CPU = user + sys from `os.wait4`; peak RSS from GNU time);
repetitions are interleaved (every point once, then again), the tables show minima and the
exponents are fitted on minima (log-log least squares) with, as spread, the range of the
exponents fitted on each repetition alone. Sections:

1. GEMM rate of this machine (numpy `@`, 2048^3; one OpenBLAS thread per CPU second, all cores
   per wall second), the unit that makes the CS constant portable: equivalent DGEMM flops per
   pair = CPU s / N^2 x the one-thread rate.
2. `estimate --estimator cs` (tiled, O(N^2)) at N = 2,048 ... 32,768, 4+4 and 12+10 dims.
3. `estimate --estimator lossy` (PCA to 4 + KSG) over N and width.
4. `analyze --threads 1`, one snapshot per recording: per-job seconds from plane.csv's
   `seconds` column by estimator, N and layer width; the N exponent per estimator.
5. The 12-bit anchor: one snapshot of the default 12-bit run with every default estimator
   (per-job costs, `--threads 1`, and the wall at the default threads), and the cheap families
   on all 274 snapshots against the prediction from one snapshot (cost is linear in snapshots).

Writes --out (default bench/results/growth.md; with --quick nothing unless --out is given) and
replaces the block between `<!-- growth:begin -->` and `<!-- growth:end -->` in --doc (default
docs/performance.md, "Predicting the cost of a run"), so a re-run keeps both consistent.
"""
import argparse, csv, datetime, json, os, shutil, subprocess, sys, tempfile, textwrap, time

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # numpy's GEMM rate per core (set before the import)
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import best_of  # noqa: E402  (bench/timing.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAN = {  # sizes per mode: (cs N, lossy N, plane N)
  "quick": ([2048, 4096, 8192], [4096, 16384], [1024, 2048]),
  "default": ([2048, 4096, 8192, 16384, 32768], [4096, 16384, 65536], [1024, 2048, 4096]),
  "long": ([2048, 4096, 8192, 16384, 32768, 65536], [4096, 16384, 65536, 262144], [1024, 2048, 4096, 8192, 16384]),
}
CS_TASKS = [("4+4", "gaussian-4x4-rho0.5", None), ("12+10", "gaussian-12x10-rho0.5", None)]
# lossy: the wide tasks stop at N = 16,384 unless --long (PCA's N·w² and the files' size)
LOSSY_TASKS = [("4+4", "gaussian-4x4-rho0.5", None), ("12+10", "gaussian-12x10-rho0.5", None),
               ("64+64", "gaussian-2pair-64x64-rho0.5", 16384), ("256+256", "gaussian-2pair-256x256-rho0.5", 16384)]
SYNTH_LIMIT = 67_108_864  # `ibplane synth`: N (dx + dy) at most this
PLANE_ARCH = "4,16,64,256"
CHEAP = ["binning", "adaptive-binning", "gaussian"]
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None  # GNU time, for peak RSS


# ------------------------------------------------------------------------------- processes
class Run:
  def __init__(self, wall, cpu, rss_mb, out):
    self.wall, self.cpu, self.rss_mb, self.out, self.jobs = wall, cpu, rss_mb, out, {}


def run(argv, env=None):
  """One process: wall and CPU seconds (os.wait4) and peak RSS in MB. The RSS comes from GNU
  time's %M: a child forked from this interpreter inherits its high-water mark at exec, so
  wait4's ru_maxrss would report numpy's memory; `time` is small and reports its own child."""
  with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
       tempfile.NamedTemporaryFile(mode="r") as rss:
    timed = [TIME, "-f", "%M", "-o", rss.name] + argv if TIME else argv
    t0 = time.perf_counter()
    p = subprocess.Popen(timed, stdout=out, stderr=err, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0), err.seek(0)
    if p.returncode != 0:
      sys.exit("error: %s exited with %d: %s" % (" ".join(argv), p.returncode, err.read().decode()[-2000:]))
    peak = float(rss.read().split()[-1]) / 1024.0 if TIME else float("nan")
    return Run(wall, ru.ru_utime + ru.ru_stime, peak, out.read().decode())


def plane_jobs(out_dir):
  """plane.csv's per-job seconds summed by (estimator label, layer width)."""
  jobs = {}
  with open(os.path.join(out_dir, "plane.csv"), newline="") as f:
    for row in csv.DictReader(f):
      key = (row["estimator"], int(row["width"]))
      jobs[key] = jobs.get(key, 0.0) + float(row["seconds"])
  return jobs


def measure(points, repeats):
  """points: (key, argv, analyze output dir or None). Interleaved repetitions; key -> [Run]."""
  runs = {key: [] for key, _, _ in points}
  for _ in range(repeats):
    for key, argv, out_dir in points:
      if out_dir:
        shutil.rmtree(out_dir, ignore_errors=True)
      r = run(argv)
      if out_dir:  # a loaded machine stretches wall time: scale the jobs to the process's CPU time
        r.jobs = {k: v * min(1.0, r.cpu / r.wall) for k, v in plane_jobs(out_dir).items()}
        shutil.rmtree(out_dir, ignore_errors=True)
      runs[key].append(r)
  return runs


def fit(ns, ts):
  """Exponent p and constant c of t = c N^p (least squares in log-log)."""
  p, logc = np.polyfit(np.log(ns), np.log(ts), 1)
  return float(p), float(np.exp(logc))


def exponent(ns, series):
  """Fit on the minima, and the range of the fits on each repetition alone (the spread)."""
  p, _ = fit(ns, [min(s) for s in series])
  each = [fit(ns, [s[r] for s in series])[0] for r in range(min(len(s) for s in series))]
  return p, min(each), max(each)


def fmt_p(e):
  return "%.2f (%.2f–%.2f)" % e


def n_fmt(n):
  return "{:,}".format(n)


# ------------------------------------------------------------------------------- 1. GEMM
def gemm_rates(cpu_clock=False):
  """GFLOP/s of numpy's a @ a (2048^3, best of 3) in float64 and float32. With cpu_clock (one
  OpenBLAS thread) the time is this process's CPU time, as for the CS rows, so that load on the
  machine stretches neither side of the per-pair constant."""
  a = np.random.default_rng(0).standard_normal((2048, 2048))
  rates = {}
  for name, dt in (("dgemm", np.float64), ("sgemm", np.float32)):
    x = a.astype(dt)
    if cpu_clock:
      t = min(cpu_seconds(lambda: x @ x) for _ in range(3))
    else:
      t, _ = best_of(3, lambda: x @ x)
    rates[name] = 2 * 2048 ** 3 / t / 1e9
  return rates


def cpu_seconds(fn):
  t0 = time.process_time()
  fn()
  return time.process_time() - t0


def all_core_gemm_rates(cores):
  env = dict(os.environ, OPENBLAS_NUM_THREADS=str(cores))
  return json.loads(run([sys.executable, os.path.abspath(__file__), "--gemm-child"], env=env).out)


# ------------------------------------------------------------------------------- 2, 3. estimates
def synth(binary, tmp, task, n):
  out = os.path.join(tmp, "%s-%d" % (task, n))
  if not os.path.exists(out):
    run([binary, "synth", "--task", task, "--n", str(n), "--seed", "18", "--out", out])
  return out


def estimate_table(binary, tmp, name, tasks, sizes, repeats, long=False):
  points = []
  for label, task, cap in tasks:
    dims = sum(int(d) for d in label.split("+"))
    for n in sizes:
      if n * dims > SYNTH_LIMIT or (cap and n > cap and not long):
        continue
      d = synth(binary, tmp, task, n)
      argv = [binary, "estimate", "--estimator", name, d + "/x.npy", d + "/y.npy", "--json"]
      points.append(((label, n), argv, None))
  return measure(points, repeats)


# ------------------------------------------------------------------------------- 4, 5. plane
def train(binary, tmp, name, args):
  rec = os.path.join(tmp, name + ".bin")
  env = dict(os.environ, IBPLANE_DATA=os.path.join(ROOT, "notebooks-data"))
  run([binary, "train", "--record", rec, "--quiet"] + args, env=env)
  last = json.loads(run([binary, "inspect", rec, "--json"]).out)["epoch_range"][1]
  return rec, last


def plane_points(binary, tmp, sizes):
  points = []
  for n in sizes:
    rec, last = train(binary, tmp, "gm-%d" % n, [
      "--dataset", "gaussian-mixture", "--mixture-classes", "2", "--mixture-samples", str(n // 2),
      "--mixture-dimension", "12", "--arch", PLANE_ARCH, "--epochs", "4", "--log-every", "4"])
    out = os.path.join(tmp, "plane-%d" % n)
    points.append((n, [binary, "analyze", rec, "--epochs", str(last), "--threads", "1", "--quiet", "--out", out], out))
  return points


def anchor_points(binary, tmp):
  rec, last = train(binary, tmp, "ib12", [])
  out = os.path.join(tmp, "anchor")
  base = [binary, "analyze", rec, "--quiet", "--out", out]
  cheap = sum([["--estimator", e] for e in CHEAP], [])
  return [("one snapshot, --threads 1", base + ["--epochs", str(last), "--threads", "1"], out),
          ("one snapshot, default threads", base + ["--epochs", str(last)], out),
          ("cheap families, all snapshots, --threads 1", base + cheap + ["--threads", "1"], out)]


def per_family(r):
  """Job seconds by estimator label (summed over layers and snapshots) of one analyze run."""
  fam = {}
  for (est, _), s in r.jobs.items():
    fam[est] = fam.get(est, 0.0) + s
  return fam


# ------------------------------------------------------------------------------- report
def wrap(blocks):
  """Joins Markdown blocks, paragraphs and list items wrapped at 96 columns (tables as they are)."""
  out = []
  for b in blocks:
    if b and b[0] not in "|# ":
      lead = "  " if b.startswith("- ") else ""
      b = textwrap.fill(b, 96, subsequent_indent=lead, break_long_words=False, break_on_hyphens=False)
    out.append(b)
  return "\n".join(out)


def table(header, rows):
  lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
  return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def report_estimates(runs, dgemm1, name):
  """Rows of a single-estimate table and the exponent lines (fitted on N >= 4,096)."""
  rows, lines = [], []
  for label in dict.fromkeys(k[0] for k in runs):
    ns = sorted(n for (l, n) in runs if l == label)
    for n in ns:
      rs = runs[(label, n)]
      cpu = min(r.cpu for r in rs)
      row = [label, n_fmt(n), "%.3f" % min(r.wall for r in rs), "%.3f" % cpu, "%.0f" % max(r.rss_mb for r in rs)]
      if name == "cs":
        row += ["%.2f" % (cpu / n ** 2 * 1e9), "%.0f" % (cpu / n ** 2 * dgemm1 * 1e9)]
      rows.append(row)
    big = [n for n in ns if n >= 4096]
    if len(big) >= 2:
      w = exponent(big, [[r.wall for r in runs[(label, n)]] for n in big])
      c = exponent(big, [[r.cpu for r in runs[(label, n)]] for n in big])
      lines.append("- %s, N = %s … %s: wall ∝ N^%s, CPU ∝ N^%s" % (label, n_fmt(big[0]), n_fmt(big[-1]), fmt_p(w), fmt_p(c)))
  header = ["dims", "N", "wall (s)", "CPU (s)", "peak RSS (MB)"]
  if name == "cs":
    header += ["CPU ns per pair", "DGEMM flops per pair"]
  return table(header, rows), lines


def plane_model(runs, sizes):
  """Per estimator: seconds per snapshot at each N (min over repetitions), the N exponent and
  per-job seconds by width at the largest N."""
  fams = list(dict.fromkeys(e for r in runs[sizes[0]] for (e, _) in r.jobs))
  widths = sorted({w for r in runs[sizes[0]] for (_, w) in r.jobs})
  model = {}
  for f in fams:
    series = [[per_family(r).get(f, 0.0) for r in runs[n]] for n in sizes]
    jobs = {w: min(r.jobs[(f, w)] for r in runs[sizes[-1]]) for w in widths}
    model[f] = {"per_snapshot": [min(s) for s in series], "p": exponent(sizes, series), "jobs": jobs}
  return model, widths


def anchor_summary(runs, snapshots):
  """Core-seconds per snapshot by estimator (one snapshot, --threads 1) and over all snapshots
  (measured for the cheap families, else per snapshot x snapshots), and the process figures."""
  one, par, cheap = (runs[k] for k in runs)
  fam = {f: min(per_family(r)[f] for r in one) for f in per_family(one[0])}
  measured = {f: min(per_family(r)[f] for r in cheap) for f in CHEAP}
  total = {f: measured.get(f, t * snapshots) for f, t in fam.items()}
  best = lambda rs: min(rs, key=lambda r: r.wall)
  return fam, measured, total, best(one), best(par), best(cheap)


def rule_of_thumb(total, snapshots, cores, model, sizes, cs_lines):
  core_s = sum(total.values())
  kernel = [f for f in ("cs", "renyi:alpha=2", "kde", "adaptive-kde") if f in total]
  share = sum(total[f] for f in kernel) / core_s
  top = max(total, key=total.get)
  ps = ", ".join("%s %.2f" % (f, model[f]["p"][0]) for f in model)
  grow = 2 ** np.mean([model[f]["p"][0] for f in kernel if f in model])
  return ("**Rule of thumb.** A %d-snapshot 12-bit plane (N = 4,096, widths 10-7-5-4-3-2) with every "
          "default estimator costs about **%.0f core-minutes**: about %.0f minutes of wall time when %d cores "
          "are free for it (core-minutes / cores: the jobs are independent). The kernel families "
          "(CS, Rényi α = 2, KDE, adaptive KDE) take %.0f %% of it, %s alone %.0f %%; dropping them "
          "(`--estimator binning --estimator adaptive-binning --estimator lossy --estimator gaussian`) leaves "
          "%.1f core-minutes. Time is linear in snapshots and in layers; a job grows with N as N^p, p = %s "
          "(fitted over N = %s … %s), so doubling N multiplies the kernel families by about %.1f×. %s"
          % (snapshots, core_s / 60, core_s / 60 / cores, cores, 100 * share, top, 100 * total[top] / core_s,
             sum(t for f, t in total.items() if f not in kernel) / 60, ps, n_fmt(sizes[0]), n_fmt(sizes[-1]), grow,
             " ".join(cs_lines)))


def main():
  ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  ap.add_argument("ibplane", nargs="?", help="the release ibplane binary to time")
  mode = ap.add_mutually_exclusive_group()
  mode.add_argument("--quick", action="store_true", help="small sizes, one repetition unless --repeats (≈ 3 minutes)")
  mode.add_argument("--long", action="store_true", help="larger sizes (CS to 65,536, lossy to 262,144, plane to 16,384)")
  ap.add_argument("--repeats", type=int, help="repetitions per point (default 3; 1 with --quick)")
  ap.add_argument("--out", help="the Markdown results (default bench/results/growth.md; none with --quick)")
  ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"),
                  help="file whose growth:begin/end block is replaced (default docs/performance.md)")
  ap.add_argument("--no-doc", action="store_true", help="leave --doc alone")
  ap.add_argument("--skip-anchor", action="store_true", help="skip section 5 (the 12-bit run)")
  ap.add_argument("--gemm-child", action="store_true", help=argparse.SUPPRESS)
  a = ap.parse_args()
  if a.gemm_child:
    print(json.dumps(gemm_rates()))
    return
  if not a.ibplane or not os.access(a.ibplane, os.X_OK):
    sys.exit("error: the first argument must be an executable ibplane binary (got %r)" % a.ibplane)
  binary = os.path.abspath(a.ibplane)
  m = "quick" if a.quick else "long" if a.long else "default"
  repeats = a.repeats if a.repeats is not None else (1 if a.quick else 3)
  if repeats < 1:
    sys.exit("error: --repeats must be at least 1 (got %d)" % repeats)
  out = a.out or (None if a.quick else os.path.join(ROOT, "bench", "results", "growth.md"))
  cs_n, lossy_n, plane_n = PLAN[m]
  cores = os.cpu_count() or 1
  load0, t0 = os.getloadavg(), time.time()
  log = lambda s: print("[%5.0f s] %s" % (time.time() - t0, s), file=sys.stderr, flush=True)
  with tempfile.TemporaryDirectory(prefix="ibplane-growth-") as tmp:
    log("GEMM rates"); g1, gall = gemm_rates(cpu_clock=True), all_core_gemm_rates(cores)
    log("cs"); cs = estimate_table(binary, tmp, "cs", CS_TASKS, cs_n, repeats)
    log("lossy"); lossy = estimate_table(binary, tmp, "lossy", LOSSY_TASKS, lossy_n, repeats, a.long)
    log("plane"); plane = measure(plane_points(binary, tmp, plane_n), repeats)
    anchor = None
    if not a.skip_anchor:
      log("12-bit anchor"); pts = anchor_points(binary, tmp)
      snapshots = json.loads(run([binary, "inspect", pts[0][1][2], "--json"]).out)["snapshot_count"]
      anchor = measure(pts, repeats)
  load1, minutes = os.getloadavg(), (time.time() - t0) / 60
  version = run([binary, "--version"]).out.strip()

  cs_table, cs_lines = report_estimates(cs, g1["dgemm"], "cs")
  lossy_table, lossy_lines = report_estimates(lossy, g1["dgemm"], "lossy")
  model, widths = plane_model(plane, plane_n)
  big = plane_n[-1]
  plane_rows = [[f] + ["%.3f" % t for t in v["per_snapshot"]] + [fmt_p(v["p"])] +
                ["%.4f" % v["jobs"][w] for w in widths] for f, v in model.items()]
  plane_table = table(["estimator"] + ["core-s/snapshot, N = %s" % n_fmt(n) for n in plane_n] + ["N exponent"] +
                      ["job core-s, width %d (N = %s)" % (w, n_fmt(big)) for w in widths], plane_rows)
  top_cs = [r for r in cs if r[1] == cs_n[-1]]
  flops = ", ".join("%.0f (%s)" % (min(x.cpu for x in cs[k]) / k[1] ** 2 * g1["dgemm"] * 1e9, k[0]) for k in top_cs)
  cs_rule = ["CS alone (`estimate`): about %s equivalent DGEMM flops per pair at N = %s (CPU time × this "
             "machine's one-core DGEMM rate, %.1f GFLOP/s, / N²), so on another machine CS takes ≈ N² × that "
             "/ (cores × DGEMM flop/s per core)." % (flops, n_fmt(cs_n[-1]), g1["dgemm"])]

  md = ["# Growth tables (`bench/growth.py`)", "",
        "    python3 bench/growth.py %s%s --repeats %d" % (a.ibplane, {"quick": " --quick", "long": " --long"}.get(m, ""), repeats), "",
        "ibplane %s (`%s`), numpy %s, %d cores; %s; load average %.1f/%.1f/%.1f at the start, "
        "%.1f/%.1f/%.1f at the end (the machine is shared: take the minima and ratios, not one "
        "run's seconds); %.1f minutes. Minima over %d interleaved repetitions; exponents fitted on the "
        "minima, in brackets the range of the fits on each repetition alone."
        % (version, a.ibplane, np.__version__, cores, datetime.date.today().isoformat(), *load0, *load1,
           minutes, repeats), "",
        "## GEMM rate (numpy `a @ a`, 2048³, best of 3)", "",
        "One thread: flops per CPU second (the unit of the CS constant); all threads: per wall second.", "",
        table(["", "1 thread (GFLOP/s)", "%d threads (GFLOP/s)" % cores],
              [[k, "%.1f" % g1[k], "%.1f" % gall[k]] for k in ("dgemm", "sgemm")]), "",
        "## CS (`estimate --estimator cs`, default threads, whole process)", "",
        "Data: `ibplane synth --task gaussian-4x4-rho0.5` / `gaussian-12x10-rho0.5 --seed 18` (float64). "
        "\"DGEMM flops per pair\" = CPU seconds / N² × the one-thread DGEMM rate: the work of a CS pair "
        "in units a user can measure on any machine.", "", cs_table, "", *cs_lines, "",
        "## lossy (`estimate --estimator lossy`: PCA to 4 + KSG, default threads, whole process)", "",
        lossy_table, "", *lossy_lines, "",
        "## The plane (`analyze --threads 1`, one snapshot, every default estimator)", "",
        "Recordings: `ibplane train --dataset gaussian-mixture --mixture-classes 2 --mixture-dimension 12 "
        "--arch %s --epochs 4 --log-every 4` with N/2 samples per class; the last snapshot analysed. "
        "\"core-s/snapshot\": plane.csv's `seconds` summed over the 5 layers (widths 4, 16, 64, 256, 2) and "
        "scaled by the process's CPU / wall (see the anchor); the N exponent is fitted on those sums; "
        "\"job core-s\": one layer's job at the largest N (the first layer's also computes the input side "
        "of the cheap families)." % PLANE_ARCH, "",
        plane_table, ""]
  doc = ["Per estimator, one thread, from `bench/results/growth.md` (%s, load %.1f–%.1f):" % (
    datetime.date.today().isoformat(), min(load0[0], load1[0]), max(load0[0], load1[0])), ""]
  if anchor:
    fam, measured, total, one, par, cheap = anchor_summary(anchor, snapshots)
    md += ["## The 12-bit anchor (`ibplane train` defaults: N = 4,096, widths 10-7-5-4-3-2, %d snapshots)" % snapshots, "",
           "One snapshot (the last) with every default estimator, `--threads 1`: process wall %.2f s, CPU "
           "%.2f s; with the default threads: wall %.2f s, CPU %.2f s (wall speed-up %.2f on this loaded "
           "machine). The cheap families on all %d snapshots, `--threads 1`: wall %.2f s, CPU %.2f s. Per-job "
           "seconds are scaled by each process's CPU / wall (load stretches wall time; a one-thread process's "
           "CPU time is what it takes alone on an idle core). The one-snapshot figure of the cheap families "
           "includes their input side (H(X), the inputs' covariance), computed once per analysis, hence above "
           "the per-snapshot average of the full run."
           % (one.wall, one.cpu, par.wall, par.cpu, one.wall / par.wall, snapshots, cheap.wall, cheap.cpu), "",
           table(["estimator", "core-s per snapshot (6 layers)", "× %d snapshots (core-s)" % snapshots,
                  "measured, all snapshots (core-s)"],
                 [[f, "%.3f" % t, "%.1f" % (t * snapshots), "%.1f" % measured[f] if f in measured else "—"]
                  for f, t in fam.items()]), ""]
    doc += [table(["estimator", "core-s per 12-bit snapshot (N = 4,096)", "%d snapshots (core-min)" % snapshots,
                   "N exponent of a job (N = %s … %s)" % (n_fmt(plane_n[0]), n_fmt(big)), "job core-s at N = %s, widths %s" % (n_fmt(big), " / ".join(map(str, widths)))],
                  [[f, "%.3f" % fam[f], ("%.1f%s" if total[f] >= 60 else "%.2f%s") % (total[f] / 60, " (measured)" if f in measured else ""),
                    "%.2f (%.2f–%.2f)" % v["p"], " / ".join("%.3f" % v["jobs"][w] for w in widths)]
                   for f, v in model.items() if f in fam]), "",
            rule_of_thumb(total, snapshots, cores, model, plane_n, cs_rule), ""]
  md += ["## Rule of thumb", ""] + doc[2:] if anchor else []
  text = wrap(md).rstrip() + "\n"
  print(text)
  if out:
    with open(out, "w") as f:
      f.write(text)
    log("wrote " + out)
  if anchor and not a.no_doc and out:
    replace_block(a.doc, wrap(doc).rstrip())
    log("updated the growth block of " + a.doc)


def replace_block(path, body):
  begin, end = "<!-- growth:begin (bench/growth.py writes this block) -->", "<!-- growth:end -->"
  with open(path) as f:
    text = f.read()
  if begin not in text or end not in text:
    sys.exit("error: %s: no '%s' … '%s' block to replace" % (path, begin, end))
  head, rest = text.split(begin, 1)
  with open(path, "w") as f:
    f.write(head + begin + "\n" + body + "\n" + end + rest.split(end, 1)[1])


if __name__ == "__main__":
  main()
