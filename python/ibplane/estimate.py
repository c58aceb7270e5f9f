"""Mutual information between two arrays, computed in-process by libibplane.

The estimators are the ones of ``ibplane estimate``, built from the same specification
language (``ibplane analyze --estimator NAME:key=value``) and fed the same doubles, so a value
equals the command line's to the last bit on the same data.
"""

import ctypes
import math

import numpy as np

from . import _native
from .errors import InputError

_FLOAT32, _FLOAT64 = 0, 1


class MutualInformation:
    """The result of :func:`mutual_information`.

    Attributes
    ----------
    nats, bits : float
        The estimate (H(X) for ``kl-entropy``), in nats and in bits.
    lower_nats, upper_nats, lower_bits, upper_bits : float or None
        The bracket of estimators that give one (KDE bounds), else None.
    estimator : str
        The estimator's name; ``specification`` is the string it was built from.
    parameters : dict of str
        The parameters as used, after defaults and rules (e.g. the kernel width chosen).
    diagnostics : dict of float
        Numbers to judge the estimate by (e.g. ``n``, ``tied_samples``, ``bins_occupied``).
    n, x_dim, y_dim : int
        Samples and the widths of the two variables.
    """

    __slots__ = ("estimator", "specification", "quantity", "nats", "bits", "lower_nats", "upper_nats",
                 "parameters", "diagnostics", "n", "x_dim", "y_dim")

    def __init__(self, result, specification, nats):
        self.estimator = result["estimator"]
        self.specification = specification
        self.quantity = result["quantity"]
        self.nats = nats
        self.bits = result["bits"]
        self.lower_nats = result["lower_nats"]
        self.upper_nats = result["upper_nats"]
        self.parameters = result["parameters"]
        self.diagnostics = {k: (math.nan if v is None else v) for k, v in result["diagnostics"].items()}
        self.n = result["n"]
        self.x_dim = result["x_dim"]
        self.y_dim = result["y_dim"]

    @property
    def lower_bits(self):
        return None if self.lower_nats is None else self.lower_nats / math.log(2)

    @property
    def upper_bits(self):
        return None if self.upper_nats is None else self.upper_nats / math.log(2)

    def __repr__(self):
        return "MutualInformation(%s = %.6g bits = %.6g nats; %s, n = %d, dx = %d, dy = %d)" % (
            self.quantity, self.bits, self.nats, self.specification, self.n, self.x_dim, self.y_dim)


def specification(estimator, params):
    """``NAME:key=value,...`` from a name (or a specification) and keyword parameters.

    Keys are the ``ibplane estimate`` flag names with ``_`` for ``-`` (``sigma_x=0.5`` is
    ``sigma-x=0.5``); True/False become ``true``/``false``; None means the default.
    """
    if not isinstance(estimator, str) or not estimator:
        raise TypeError("estimator must be a non-empty str such as 'ksg' or 'kde:sigma2=0.05'")
    items = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (bool, np.bool_)):
            text = "true" if value else "false"
        elif isinstance(value, (int, np.integer)):
            text = str(int(value))
        elif isinstance(value, (float, np.floating)):
            text = repr(float(value))
        elif isinstance(value, str):
            text = value
        else:
            raise TypeError("parameter %s: expected a number, bool or str, got %s" % (key, type(value).__name__))
        if any(c in text for c in ",=") or not text:
            raise InputError("parameter %s: value %r may not be empty or contain ',' or '='" % (key, text))
        items.append("%s=%s" % (key.replace("_", "-"), text))
    if not items:
        return estimator
    return estimator + ("," if ":" in estimator else ":") + ",".join(items)


def as_matrix(a, name):
    """``a`` as a C-contiguous, native-endian float32 or float64 N × d array (1-D: one column)."""
    if hasattr(a, "detach"):  # a torch tensor: no gradient, on the CPU
        a = a.detach().cpu()
    a = np.asarray(a)
    if a.dtype.kind not in "fiub":
        raise InputError("%s has dtype %s: expected numbers" % (name, a.dtype))
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    elif a.ndim != 2:
        raise InputError("%s has shape %s: expected a 1-D or 2-D array (flatten it with %s.reshape(len(%s), -1))"
                         % (name, a.shape, name, name))
    dtype = np.float32 if a.dtype.kind == "f" and a.dtype.itemsize == 4 else np.float64
    return np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder("="))


def mutual_information(x, y, estimator="ksg", **params):
    """Estimates I(X;Y) from paired samples: row i of ``x`` and row i of ``y`` are one draw.

    Parameters
    ----------
    x, y : array_like, shape (n,) or (n, d)
        Numbers (float32 is kept; other types are converted to float64, as ``ibplane
        estimate`` converts a ``.npy`` file). NaN or infinity is an error.
    estimator : str
        ``gaussian``, ``binning``, ``adaptive-binning``, ``kde``, ``adaptive-kde``, ``cs``,
        ``renyi``, ``ksg`` (default), ``ksg2``, ``kl-entropy`` (H(X); y is ignored), ``wkl``
        or ``lossy``, optionally with parameters (``"kde:sigma2=0.05"``).
    **params
        Estimator parameters, named as the ``ibplane estimate`` flags (``k=5``,
        ``sigma2=0.05``, ``width_rule="silverman"``, ``preprocess="rank-gauss"``). A parameter
        the estimator does not read is an error.

    Returns
    -------
    MutualInformation
        ``.bits``, ``.nats``, ``.parameters`` (as used), ``.diagnostics``.

    Raises
    ------
    InputError
        Bad data or parameters (shape mismatch, NaN, unknown estimator or key), with the
        library's message.

    Notes
    -----
    The formulas, references, biases and costs of each estimator are in the doc comments of
    ``Sources/IBPlaneEstimators/`` and in ``ibplane estimate --help``.
    """
    spec = specification(estimator, params)
    a = as_matrix(x, "x")
    b = as_matrix(y, "y")
    lib = _native.library()
    nats = ctypes.c_double(math.nan)
    result = _native.call_json(
        lib.ibplane_estimate, _native.encode(spec, "estimator"),
        a.ctypes.data_as(ctypes.c_void_p), a.shape[0], a.shape[1], _FLOAT32 if a.dtype == np.float32 else _FLOAT64,
        b.ctypes.data_as(ctypes.c_void_p), b.shape[0], b.shape[1], _FLOAT32 if b.dtype == np.float32 else _FLOAT64,
        ctypes.byref(nats))
    return MutualInformation(result, spec, nats.value)


def estimators():
    """What the library offers: ``{"estimate": names, "estimate_parameters": {name: keys},
    "plane": [{"name", "summary", "parameters"}], "default_plane": specifications,
    "families": [{"name", "summary", "estimate", "plane", "parameters": [{"key", "values",
    "default", "doc", "form", ...}]}]}`` — the typed parameter tables of the registry."""
    lib = _native.library()
    return _native.call_json(lib.ibplane_estimators)
