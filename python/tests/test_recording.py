"""Recorder (numpy-only writer), label kinds, and reading recordings back through libibplane."""

import warnings

import numpy as np
import pytest

import ibplane
from conftest import cli_json


def test_reader_returns_what_the_writer_stored(recording):
    path, x, y, snapshots = recording
    with ibplane.open_recording(str(path)) as rec:
        assert rec.sample_count == 60 and rec.input_width == 3
        assert rec.layers == [("h1", 5), ("h2", 2)]
        assert rec.label_kind == "classes" and rec.class_count == int(y.max()) + 1
        assert [s["step"] for s in rec.snapshots] == [0, 10, 20, 30]
        assert rec.snapshots[1]["metrics"] == {"loss": 0.5}
        assert rec.run == {"seed": "7"}
        np.testing.assert_array_equal(rec.inputs, x)
        np.testing.assert_array_equal(rec.labels, y)
        for s, layers in enumerate(snapshots):
            np.testing.assert_array_equal(rec.layer("h1", s), layers[0])
            np.testing.assert_array_equal(rec.layer(1, s), layers[1])
        with pytest.raises(ibplane.InputError, match="snapshot 4 does not exist: the recording has 4"):
            rec.layer(0, 4)
        with pytest.raises(KeyError, match="no layer 'h3'"):
            rec.layer("h3", 0)
    with pytest.raises(ValueError, match="is closed"):
        rec.layer(0, 0)


def test_float_labels_warn_and_label_kind_decides(tmp_path):
    y = np.array([0.0, 1.0, 1.0, 0.0] * 5)
    layers = [np.zeros((20, 2), np.float32)]
    with pytest.warns(UserWarning, match="labels of dtype float64 are stored as regression targets; pass label_kind"):
        with ibplane.Recorder(str(tmp_path / "guess.bin"), [("h", 2)], y) as rec:
            rec.record(0, 0, layers)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ibplane.Recorder(str(tmp_path / "classes.bin"), [("h", 2)], y, label_kind="classes") as rec:
            rec.record(0, 0, layers)
        with ibplane.Recorder(str(tmp_path / "ints.bin"), [("h", 2)], y.astype(int)) as rec:
            rec.record(0, 0, layers)
    with ibplane.open_recording(str(tmp_path / "guess.bin")) as r:
        assert r.label_kind == "targets" and r.target_width == 1
    with ibplane.open_recording(str(tmp_path / "classes.bin")) as r:
        assert r.label_kind == "classes" and r.class_count == 2
        np.testing.assert_array_equal(r.labels, y.astype(int))
    assert (tmp_path / "classes.bin").read_bytes() == (tmp_path / "ints.bin").read_bytes()


@pytest.mark.parametrize("labels, kind, message", [
    (np.array([0.0, 1.5]), "classes", "class labels must be whole numbers; element 1 is 1.5"),
    (np.array([0, -1]), "classes", "class labels must lie in 0...65535"),
    (np.array([0, 2**40]), None, "class labels must lie in 0...65535"),
    (np.array([0, 1]), "class", "label_kind must be 'classes' or 'targets'"),
    (np.array([]), None, "labels must hold one entry per sample"),
    (np.array([1.0, np.nan]), "targets", "regression targets must be finite"),
])
def test_bad_labels_are_refused_before_the_file_is_created(tmp_path, labels, kind, message):
    path = tmp_path / "bad.bin"
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
        ibplane.Recorder(str(path), [("h", 1)], labels, label_kind=kind)
    assert not path.exists()


def test_record_takes_a_dict_by_layer_name(tmp_path):
    h1, h2 = np.ones((4, 3), np.float32), np.full((4, 1), 2, np.float32)
    with ibplane.Recorder(str(tmp_path / "d.bin"), [("h1", 3), ("h2", 1)], np.arange(4)) as rec:
        rec.record(0, 0, {"h2": h2, "h1": h1})
        with pytest.raises(ValueError, match=r"layers dict has keys \['h1'\]; expected exactly the recorded layers"):
            rec.record(1, 1, {"h1": h1})
    with ibplane.open_recording(str(tmp_path / "d.bin")) as r:
        np.testing.assert_array_equal(r.layer("h2", 0), h2)
        assert len(r.snapshots) == 1


def test_compatibility_module_is_the_package_writer():
    import ibplane_recorder

    assert ibplane_recorder.Recorder is ibplane.Recorder


def test_inspect_equals_cli(recording, cli):
    path = recording[0]
    assert ibplane.inspect(str(path)) == cli_json(cli, "inspect", path, "--json")
    cut = path.with_name("cut.bin")
    cut.write_bytes(path.read_bytes()[:-9])
    got = ibplane.inspect(str(cut))
    done = cli("inspect", cut, "--json", check=False)
    assert done.returncode == 1
    assert got["status"] == "damaged" and got["snapshot_count"] == 3
    import json

    assert got == json.loads(done.stdout)
    with ibplane.open_recording(str(cut)) as r:
        assert len(r.snapshots) == 3 and "snapshot 3 at offset" in " ".join(r.warnings)


def test_inspect_equals_cli_on_an_invalid_recording(tmp_path, cli):
    # A repeated (epoch, step): readable, but an analysis refuses it; the CLI exits 2 and both
    # sides report status "invalid" with the same problems list.
    import json

    path = tmp_path / "dup.bin"
    rng = np.random.default_rng(5)
    with ibplane.Recorder(str(path), [("h", 2)], np.array([0, 1, 0, 1]), label_kind="classes") as rec:
        for epoch in (0, 1, 1):
            rec.record(epoch, epoch, [rng.normal(size=(4, 2))])
    got = ibplane.inspect(str(path))
    done = cli("inspect", path, "--json", check=False)
    assert done.returncode == 2
    assert got == json.loads(done.stdout)
    assert got["status"] == "invalid" and len(got["problems"]) == 1 and "epoch 1, step 1" in got["problems"][0]


@pytest.mark.parametrize("content, message", [
    (b"", "truncated"),
    (b"not a recording at all, just text", "not an ibplane recording"),
])
def test_garbage_files_raise_with_the_file_name(tmp_path, content, message):
    path = tmp_path / "junk.bin"
    path.write_bytes(content)
    for call in (ibplane.inspect, ibplane.open_recording):
        with pytest.raises(ibplane.InputError) as info:
            call(str(path))
        assert str(path) in str(info.value)
    with pytest.raises(ibplane.InputError, match="no such file or directory"):
        ibplane.open_recording(str(tmp_path / "missing.bin"))


def test_npz_recordings_open_like_the_cli_reads_them(tmp_path, cli):
    rng = np.random.default_rng(4)
    layers = rng.normal(size=(3, 20, 4)).astype(np.float32)
    path = tmp_path / "run.npz"
    np.savez(path, labels=np.arange(20) % 4, epochs=np.array([0, 5, 9]), **{"layer/h": layers})
    with ibplane.open_recording(path) as r:
        assert r.name == "run" and r.layers == [("h", 4)] and r.input_width == 0
        assert [s["epoch"] for s in r.snapshots] == [0, 5, 9]
        np.testing.assert_array_equal(r.layer("h", 2), layers[2])
        assert r.inputs is None and r.class_count == 4
    got = ibplane.analyze(path, estimators=["binning"], out=tmp_path / "py")
    cli("analyze", path, "--estimator", "binning", "--out", tmp_path / "cli", "--quiet")
    import csv

    def rows(p):
        with open(p, newline="") as f:
            return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(f)]

    assert rows(got.csv) == rows(tmp_path / "cli" / "plane.csv") and got.rows == 3


def test_split_is_written_and_read_like_the_cli(tmp_path, cli):
    # split= stores one role per sample in the header; inspect and analyze --samples see it.
    import json

    rng = np.random.default_rng(3)
    y = np.arange(40) % 2
    split = np.where(np.arange(40) % 4 == 1, 1, 0)
    split[7] = 2
    path = tmp_path / "split.bin"
    with ibplane.Recorder(str(path), [("h", 3)], y, inputs=rng.normal(size=(40, 2)), split=split) as rec:
        rec.record(0, 0, [rng.normal(size=(40, 3))])
    header = json.loads(path.read_bytes()[16:16 + int.from_bytes(path.read_bytes()[12:16], "little")])
    assert header["split"] == "".join("TEU"[v] for v in split)
    assert cli_json(cli, "inspect", path, "--json")["split"] == {"train": 29, "test": 10, "unused": 1}
    words = tmp_path / "words.bin"
    with ibplane.Recorder(str(words), [("h", 3)], y, split=["train", "test"] * 20) as rec:
        rec.record(0, 0, [rng.normal(size=(40, 3))])
    assert cli_json(cli, "inspect", words, "--json")["split"] == {"train": 20, "test": 20, "unused": 0}
    out = cli_json(cli, "analyze", path, "--samples", "test", "--estimator", "gaussian",
                   "--out", tmp_path / "o", "--quiet", "--json")
    assert out["rows"] == 1
    for bad, message in [(split.astype(bool), "not bool"), (np.full(40, 3), r"split\[0\]"), (split[:5], "shape")]:
        with pytest.raises(ValueError, match=message):
            ibplane.Recorder(str(tmp_path / "bad.bin"), [("h", 3)], y, split=bad)
        assert not (tmp_path / "bad.bin").exists()
