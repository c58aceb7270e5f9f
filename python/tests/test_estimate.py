"""ibplane.mutual_information: values equal to the CLI's, bit for bit, and clear errors."""

import math

import numpy as np
import pytest

import ibplane
from conftest import cli_json

# (specification, python keyword parameters, CLI flags, y is class labels)
CASES = [
    ("gaussian", {}, [], False),
    ("gaussian", {"bias_correction": True}, ["--bias-correction"], False),
    ("ksg", {}, [], False),
    ("ksg", {"k": 5, "preprocess": "rank-gauss"}, ["--k", "5", "--preprocess", "rank-gauss"], False),
    ("ksg2", {}, [], False),
    ("kl-entropy", {}, [], False),
    ("wkl", {}, [], False),
    ("lossy", {"latent": 2}, ["--latent", "2"], False),
    ("cs", {"width_rule": "silverman"}, ["--width-rule", "silverman"], False),
    ("renyi", {"alpha": 2.0}, ["--alpha", "2.0"], False),
    ("renyi", {}, [], False),
    ("binning", {"convention": "range", "bins": 8}, ["--convention", "range", "--bins", "8"], True),
    ("adaptive-binning", {}, [], True),
    ("kde", {"sigma2": 0.05}, ["--sigma2", "0.05"], True),
    ("adaptive-kde", {"bound": "lower"}, ["--bound", "lower"], True),
]


def paired(n=240, seed=3, classes=False, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    if classes:
        y = (x[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(np.int64) + (x[:, 1] > 1)
    else:
        y = x[:, :2] @ np.array([[1.0, 0.3], [0.2, -0.7]]) + 0.6 * rng.normal(size=(n, 2))
    return x.astype(dtype), (y if classes else y.astype(dtype))


def typed(parameters):
    """The CLI's ``--json`` types parameter values (numbers and booleans as JSON numbers and
    booleans); the C ABI's ``parameters`` are the same values as text."""
    def value(v):
        if v in ("true", "false"):
            return v == "true"
        if v and all(c in "0123456789.eE+-" for c in v):
            try:
                return int(v) if str(int(v)) == v else float(v)
            except ValueError:
                try:
                    return float(v)
                except ValueError:
                    return v
        return v
    return {k: value(v) for k, v in parameters.items()}


@pytest.mark.parametrize("name, params, flags, classes", CASES, ids=[c[0] + ("+" if c[1] else "") for c in CASES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_equals_cli_bit_for_bit(tmp_path, cli, name, params, flags, classes, dtype):
    x, y = paired(classes=classes, dtype=dtype)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    expected = cli_json(cli, "estimate", "--estimator", name, *flags, tmp_path / "x.npy", tmp_path / "y.npy",
                        "--json", "--unit", "nats")
    got = ibplane.mutual_information(x, y, name, **params)
    assert got.nats.hex() == float(expected["mi_nats"]).hex()
    assert got.estimator == expected["estimator"]
    assert typed(got.parameters) == expected["parameters"]
    assert got.diagnostics == pytest.approx({k: (math.nan if v is None else v) for k, v in expected["diagnostics"].items()},
                                            nan_ok=True, rel=0, abs=0)
    assert (got.n, got.x_dim, got.y_dim) == (expected["n"], expected["x_dim"], expected["y_dim"])
    bits = cli_json(cli, "estimate", "--estimator", name, *flags, tmp_path / "x.npy", tmp_path / "y.npy", "--json")
    assert got.bits.hex() == float(bits["mi"]).hex()


def test_gaussian_matches_closed_form():
    """I = -½ log(1 - ρ²) for a bivariate Gaussian; the Gaussian estimator is unbiased to O(1/N)."""
    rng = np.random.default_rng(1)
    rho = 0.8
    x = rng.normal(size=20000)
    y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=20000)
    got = ibplane.mutual_information(x, y, "gaussian")
    truth = -0.5 * math.log(1 - rho**2)
    assert got.nats == pytest.approx(truth, abs=0.01)
    assert got.bits == pytest.approx(got.nats / math.log(2), rel=1e-15)
    assert got.quantity == "I(X;Y)" and got.n == 20000 and got.x_dim == got.y_dim == 1


def test_specification_string_and_keywords_agree():
    x, y = paired(classes=True)
    a = ibplane.mutual_information(x, y, "kde:sigma2=0.05")
    b = ibplane.mutual_information(x, y, "kde", sigma2=0.05)
    assert a.nats == b.nats and a.lower_nats is None and a.parameters == b.parameters
    assert b.specification == "kde:sigma2=0.05"


def test_accepts_other_dtypes_and_big_endian():
    x, y = paired()
    ref = ibplane.mutual_information(x, y)
    assert ibplane.mutual_information(x.astype(">f8"), y).nats == ref.nats
    assert ibplane.mutual_information(np.asfortranarray(x), y).nats == ref.nats
    ints = np.arange(240) % 7
    assert ibplane.mutual_information(ints, y).nats == ibplane.mutual_information(ints.astype(np.float64), y).nats


BAD = [
    (lambda x, y: (np.where(np.arange(x.size).reshape(x.shape) == 7, np.nan, x), y, "ksg", {}),
     "x has a non-finite value (nan) at row 2, column 1: expected finite numbers"),
    (lambda x, y: (x, np.where(np.arange(y.size).reshape(y.shape) == 3, np.inf, y), "ksg", {}),
     "y has a non-finite value (inf) at row 1, column 1"),
    (lambda x, y: (x, y[:-1], "ksg", {}), "x has 240 rows but y has 239: x and y must be paired row by row"),
    (lambda x, y: (x[:0], y[:0], "ksg", {}), "x has 0 rows: expected at least one sample"),
    (lambda x, y: (x, y, "kgs", {}), "invalid value 'kgs' for estimator: expected one of binning, adaptive-binning, kde, adaptive-kde, cs, renyi, lossy, gaussian, ksg, ksg2, kl-entropy, wkl (did you mean ksg?)"),
    (lambda x, y: (x, y, "ksg", {"sigma2": 0.1}), "invalid value 'sigma2' for ksg parameter: expected one of k, metric"),
    (lambda x, y: (x, y, "ksg", {"k": 0}), "invalid value 0 for k: expected an integer in 1…1000"),
    (lambda x, y: (x, y, "kde:sigma2", {}), "expected key=value"),
    (lambda x, y: (x, y, "renyi", {"approx": "eigen"}), "invalid value eigen for approx"),
    (lambda x, y: (x.reshape(240, 3, 1), y, "ksg", {}), "x has shape (240, 3, 1): expected a 1-D or 2-D array"),
    (lambda x, y: (x, np.array(["a"] * 240), "ksg", {}), "y has dtype <U1: expected numbers"),
    (lambda x, y: (x, y, "ksg", {"metric": "max,k=2"}), "may not be empty or contain ',' or '='"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[m[:40] for _, m in BAD])
def test_bad_input_raises_the_library_message(make, message):
    x, y, name, params = make(*paired())
    with pytest.raises(ibplane.InputError) as info:
        ibplane.mutual_information(x, y, name, **params)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_estimator_table_covers_every_name_and_key():
    """The per-estimator key table of the C shim must follow the registry's parameter tables."""
    table = ibplane.estimators()
    assert sorted(table["estimate_parameters"]) == sorted(table["estimate"])
    used = {k for keys in table["estimate_parameters"].values() for k in keys}
    assert used == set(table["option_keys"])
    x, y = paired(n=60, classes=True)
    for name, keys in table["estimate_parameters"].items():
        for key in set(table["option_keys"]) - set(keys):
            with pytest.raises(ibplane.InputError, match="for %s parameter" % name):
                ibplane.mutual_information(x, y, "%s:%s=1" % (name, key))
