"""ibplane.analyze equals `ibplane analyze`; read_plane with and without pandas."""

import csv
import json
import re
import sys

import numpy as np
import pytest
from conftest import require_oracle

import ibplane

ESTIMATORS = ["binning", "kde:sigma2=0.05", "gaussian", "cs", "renyi:alpha=2"]


def rows_without_seconds(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        del r["seconds"]
    return rows


def test_analyze_equals_cli(recording, cli, tmp_path):
    path = recording[0]
    got = ibplane.analyze(str(path), estimators=ESTIMATORS, out=tmp_path / "py", bootstrap=3, seed=2)
    flags = [a for e in ESTIMATORS for a in ("--estimator", e)]
    cli("analyze", path, *flags, "--out", tmp_path / "cli", "--bootstrap", "3", "--seed", "2", "--quiet")
    assert got.rows == 4 * 2 * len(ESTIMATORS) == got.computed
    assert rows_without_seconds(got.csv) == rows_without_seconds(tmp_path / "cli" / "plane.csv")
    manifest = json.loads((tmp_path / "py" / "plane.json").read_text())
    assert manifest == json.loads((tmp_path / "cli" / "plane.json").read_text())
    assert got.report == str(tmp_path / "py" / "index.html") and (tmp_path / "py" / "index.html").exists()
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == sorted(p.name for p in (tmp_path / "cli").iterdir())


def test_layers_epochs_shard_and_resume(recording, tmp_path):
    path = recording[0]
    out = tmp_path / "sel"
    got = ibplane.analyze(path, estimators="binning", out=out, layers=["h2"], epochs="1-2", unit="nats")
    assert got.rows == 2 and got.unit == "nats"
    again = ibplane.analyze(path, estimators="binning", out=out, layers=["h2"], epochs="1-2", unit="nats", resume=True)
    assert (again.computed, again.skipped) == (0, 2)
    shard = ibplane.analyze(path, estimators=["binning"], out=tmp_path / "sh", shard="2/3")
    assert shard.report is None and shard.csv.endswith("plane-shard-2-of-3.csv")


@pytest.mark.parametrize("kwargs, message", [
    ({"estimators": ["kdee"]}, "invalid value 'kdee' for estimator: expected one of binning, adaptive-binning, kde, adaptive-kde, cs, renyi, lossy, gaussian, ksg, ksg2, kl-entropy, wkl (did you mean kde?)"),
    ({"estimators": ["kde:k=3"]}, "invalid value 'k' for kde parameter: expected one of sigma2, bound"),
    ({"layers": ["h9"]}, "options.layers: no layer h9; the recording has 0:h1, 1:h2"),
    ({"epochs": "5-1"}, "epochs"),
    ({"unit": "bytes"}, "options.unit is \"bytes\": expected \"bits\" or \"nats\""),
    ({"bootstrap": 1}, "options.bootstrap must be 0 or at least 2, got 1"),
    ({"shard": "4/3"}, "shard"),
    ({"epochs": "100"}, "no jobs: the layer and epoch selection matches no snapshot"),
])
def test_bad_options_raise_the_library_message(recording, tmp_path, kwargs, message):
    with pytest.raises(ibplane.InputError) as info:
        ibplane.analyze(recording[0], out=tmp_path / "bad", **{"estimators": ["binning"], **kwargs})
    assert message in str(info.value)


def test_unknown_option_keys_are_refused(recording):
    lib = ibplane._native.library()
    with pytest.raises(ibplane.InputError, match='options: unknown key "estimator": expected one of estimators'):
        ibplane._native.call_json(lib.ibplane_analyze, str(recording[0]).encode(), b'{"estimator": ["kde"]}')
    with pytest.raises(ibplane.InputError, match="options is not valid JSON"):
        ibplane._native.call_json(lib.ibplane_analyze, str(recording[0]).encode(), b"{estimators")
    with pytest.raises(ibplane.InputError, match="options.threads: expected an integer in 1…4096"):
        ibplane._native.call_json(lib.ibplane_analyze, str(recording[0]).encode(), b'{"threads": 2.5}')


def test_read_plane_without_pandas(recording, tmp_path, monkeypatch):
    got = ibplane.analyze(recording[0], estimators=["kde"], out=tmp_path / "p")
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    table = ibplane.read_plane(tmp_path / "p")
    assert isinstance(table, dict) and len(table["epoch"]) == got.rows
    assert table["epoch"].dtype == np.int64 and table["i_xt"].dtype == np.float64
    assert table["layer"].dtype == object and set(table["layer"]) == {"h1", "h2"}
    assert np.isfinite(table["i_xt_lower"]).all() and np.isfinite(table["i_xt_upper"]).all()  # KDE's bounds
    assert np.isnan(table["i_ty_lower"]).all()
    for column in ("i_xt_ci_lo", "i_xt_ci_hi", "i_ty_ci_lo", "i_ty_ci_hi", "ci_level", "ci_resamples", "ci_seed"):
        assert np.isnan(table[column]).all(), column  # no bootstrap: no interval
    assert np.isfinite(table["i_xt_given_y"]).all()  # class labels: I(X;T|Y) in every row
    assert np.isnan(table["i_xt_given_y_ci_lo"]).all() and np.isnan(table["i_xt_given_y_ci_hi"]).all()
    assert got.interval is None


def test_bounds_and_bootstrap_interval_are_separate_columns(recording, tmp_path, monkeypatch):
    got = ibplane.analyze(recording[0], estimators=["kde"], out=tmp_path / "b", bootstrap=4, seed=3, confidence=0.9)
    assert got.interval == {"method": "half-sample-jackknife", "level": 0.9, "resamples": 4, "seed": 3}
    monkeypatch.setitem(sys.modules, "pandas", None)
    table = ibplane.read_plane(tmp_path / "b")
    assert np.isfinite(table["i_xt_lower"]).all() and np.isfinite(table["i_xt_ci_lo"]).all()
    assert (table["i_xt_lower"] <= table["i_xt_upper"]).all() and (table["i_xt_ci_lo"] <= table["i_xt_ci_hi"]).all()
    assert (table["i_xt_given_y_ci_lo"] <= table["i_xt_given_y_ci_hi"]).all()  # NaN compares False
    assert set(table["ci_method"]) == {"half-sample-jackknife"} and (table["ci_level"] == 0.9).all()
    assert table["ci_resamples"].dtype == np.int64 and (table["ci_resamples"] == 4).all() and (table["ci_seed"] == 3).all()


def test_read_plane_with_pandas(recording, tmp_path):
    pandas = require_oracle("pandas")
    got = ibplane.analyze(recording[0], estimators=["kde", "binning"], out=tmp_path / "p")
    frame = got.plane()
    assert isinstance(frame, pandas.DataFrame) and len(frame) == got.rows
    assert set(frame["estimator"]) == {"kde", "binning"} and frame["i_xt"].dtype == np.float64


def test_nan_in_a_layer_is_an_error_naming_snapshot_and_layer(tmp_path):
    h = np.ones((10, 2), np.float32)
    h[3, 1] = np.nan
    path = tmp_path / "nan.bin"
    with ibplane.Recorder(str(path), [("h", 2)], np.arange(10) % 2) as rec:
        rec.record(0, 0, [np.zeros((10, 2))])
        rec.record(1, 1, [h])
    message = re.escape("%s: snapshot 1 (epoch 1, step 1), layer 'h': 1 NaN/Inf value" % path)
    with pytest.raises(ibplane.InputError, match=message):
        ibplane.analyze(path, estimators=["binning"], out=tmp_path / "out")
    with ibplane.open_recording(path) as r, pytest.raises(ibplane.InputError, match=message):
        r.layer("h", 1)
