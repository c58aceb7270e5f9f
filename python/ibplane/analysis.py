"""The information plane of a recording (``ibplane analyze``, in-process) and its CSV."""

import csv
import json
import math
import os

import numpy as np

from . import _native


class Analysis:
    """What :func:`analyze` did. ``out`` is the output directory, ``csv`` its ``plane.csv``,
    ``report`` the ``index.html`` (None for a shard), ``rows`` / ``computed`` / ``skipped``
    the row counts, ``seconds`` the wall time; ``interval`` the settings of the resampling
    interval in the ``i_*_ci_lo``/``_hi`` columns (``{"method", "level", "resamples", "seed"}``,
    None without ``bootstrap`` resamples); :meth:`plane` reads the CSV."""

    def __init__(self, result, out):
        self.out = out
        self.csv = result["csv"]
        self.manifest = result["manifest"]
        self.reports = result["reports"]
        self.report = next((r for r in self.reports if r.endswith("index.html")), None)
        self.rows = result["rows"]
        self.computed = result["computed"]
        self.skipped = result["skipped"]
        self.seconds = result["seconds"]
        self.unit = result["unit"]
        self.shard = result["shard"]
        self.estimators = result["estimators"]
        self.interval = result["interval"]
        self.warnings = result["warnings"]

    def plane(self):
        """The rows of ``plane.csv``: a pandas DataFrame, or a dict of numpy columns."""
        return read_plane(self.csv)

    def __repr__(self):
        return "Analysis(%d rows in %s, %s, %.2f s)" % (self.rows, self.csv, self.unit, self.seconds)


def analyze(recording, estimators=None, out=None, unit="bits", layers=None, epochs="all", bootstrap=0,
            confidence=0.95, seed=0, resume=False, shard=None, threads=None, reports=True, interval="jackknife"):
    """Computes the information plane of ``recording``, as ``ibplane analyze`` does.

    Parameters
    ----------
    recording : str, path or Recorder
        An ``activations.bin`` file, a ``.npz`` archive or a folder of ``.npy`` files.
    estimators : list of str, optional
        Specifications such as ``["binning", "kde:sigma2=0.05"]`` (default: every family,
        ``ibplane.estimators()["default_plane"]``).
    out : str or path, optional
        Output directory (default ``reports/<recording name>``): ``plane.csv``,
        ``plane.json``, SVG planes and ``index.html``.
    unit : {"bits", "nats"}
    layers : list of str or int, optional
        Layer names or 0-based indices (default all).
    epochs : str
        ``"all"`` or a list of epochs and ranges, ``"0,10,100-500"``.
    bootstrap, interval, confidence, seed
        Confidence intervals from ``bootstrap`` resamples (0: none), seeded. ``interval`` is
        ``"jackknife"`` (default: the half-sample jackknife, B halves drawn without replacement,
        θ̂ ± z·se; always contains the estimate; the sampling spread at N, not the bias) or
        ``"bootstrap"`` (the older with-replacement percentile bootstrap, kept for comparison:
        it can exclude the estimate, which the ``ci_excludes_estimate`` column flags).
    resume : bool
        Keep the rows already in the CSV and compute only the missing jobs.
    shard : str, optional
        ``"i/n"``: compute only shard i of n (join with ``ibplane merge``).
    threads : int, optional
        Worker threads, 1…4096: at most this many computations of this call run at once
        (default ``IBPLANE_THREADS`` or the number of cores). Results do not depend on it.
    reports : bool
        Write the SVG/HTML reports (default True).

    Returns
    -------
    Analysis
    """
    path = getattr(recording, "path", recording)
    options = {"unit": unit, "epochs": str(epochs), "bootstrap": int(bootstrap), "interval": str(interval),
               "confidence": float(confidence),
               "seed": int(seed), "resume": bool(resume), "reports": bool(reports)}
    if estimators is not None:
        options["estimators"] = [estimators] if isinstance(estimators, str) else list(estimators)
    if out is not None:
        options["out"] = os.fspath(out)
    if layers is not None:
        options["layers"] = [layers] if isinstance(layers, (str, int)) else list(layers)
    if shard is not None:
        options["shard"] = str(shard)
    if threads is not None:
        options["threads"] = int(threads)
    lib = _native.library()
    result = _native.call_json(lib.ibplane_analyze, _native.encode(path, "recording"),
                               json.dumps(options).encode("utf-8"))
    return Analysis(result, os.path.dirname(result["csv"]))


def read_plane(path):
    """Reads ``plane.csv`` (or the one in directory ``path``).

    Returns a pandas DataFrame when pandas is installed; otherwise a dict mapping each column
    to a numpy array (integers as int64, numbers as float64 with NaN for empty cells, text
    as object).

    ``i_xt_lower``/``i_xt_upper`` (and ``i_ty_…``) are the estimator's own bounds (KDE), NaN
    when it gives none; ``i_xt_ci_lo``/``i_xt_ci_hi`` (and ``i_ty_…``) the resampling interval,
    described by ``ci_method``, ``ci_level``, ``ci_resamples`` and ``ci_seed``, NaN without one;
    ``ci_excludes_estimate`` is ``none``, or the quantities whose interval misses the row's own
    estimate (e.g. ``i_xt;i_ty``; only the percentile bootstrap can), empty without an interval;
    ``i_xt_given_y`` is I(X;T|Y) (NaN for regression targets) with its interval
    ``i_xt_given_y_ci_lo``/``_ci_hi`` (columns: docs/information-plane.md).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "plane.csv")
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None:
        return pandas.read_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    return {name: _column([r[k] if k < len(r) else "" for r in rows]) for k, name in enumerate(header)}


def _column(cells):
    """The numpy array of one CSV column, typed as pandas would type it."""
    try:
        if all(cells):
            return np.array([int(c) for c in cells], dtype=np.int64)
    except ValueError:
        pass
    try:
        return np.array([float(c) if c else math.nan for c in cells], dtype=np.float64)
    except ValueError:
        return np.array(cells, dtype=object)
