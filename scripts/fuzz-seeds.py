#!/usr/bin/env python3
"""Writes small valid (and a few nearly valid) inputs for every fuzz target of scripts/fuzz.

usage: scripts/fuzz-seeds.py OUT_DIR      (writes OUT_DIR/<target>/*, numpy only)

Seeds come from the writers users have: numpy's np.save / np.savez / np.savez_compressed and the
numpy-only recording writer python/ibplane_recorder.py, so the fuzzer starts from what real
files look like. They are regenerated on every run (a few KB) rather than committed; the corpus
the fuzzer grows from them is what Fuzz/corpus/ keeps (scripts/fuzz --merge).
"""

import io
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from ibplane_recorder import Recorder  # noqa: E402

out = sys.argv[1]
rng = np.random.default_rng(1)


def target(name):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    return d


def put(directory, name, data):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def npy(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, np.asanyarray(array), version=version)
    return buf.getvalue()


def bundle(files):
    """The FileBundle layout of Fuzz/Support/FileBundle.swift."""
    parts = [b"==> " + name.encode() + b" <==\n" + data for name, data in files]
    return b"\n".join(parts)


# recording: activations.bin files of both storage types, with and without inputs, class labels
# and targets, and each one cut short (a killed writer).
d = target("recording")
for i, (storage, inputs, targets) in enumerate([("float32", True, False), ("float16", False, True), ("float32", False, False)]):
    n = 3 + i
    y = rng.normal(size=(n, 2)) if targets else rng.integers(0, 2, n)
    path = os.path.join(d, "seed%d.bin" % i)
    if os.path.exists(path):
        os.remove(path)
    with Recorder(path, [("a", 2), ("b", 1)], y, inputs=rng.normal(size=(n, 2)) if inputs else None,
                  storage=storage, run={"seed": i}) as rec:
        for s in range(2):
            rec.record(s, s, [rng.normal(size=(n, 2)), rng.normal(size=(n, 1))], metrics={"loss": 0.5})
    data = open(path, "rb").read()
    put(d, "seed%d-cut.bin" % i, data[:-7])

# npy: every supported dtype, 0-d to 3-d, the three header versions, and the refused variants
# (Fortran order, big-endian, unsupported dtype) whose errors are paths too.
d = target("npy")
arrays = {
    "f4-2d": rng.normal(size=(3, 2)).astype("<f4"),
    "f8-1d": rng.normal(size=4),
    "i8-1d": np.array([0, 1, 1, 2], dtype="<i8"),
    "i4-1d": np.array([1, 0, 3], dtype="<i4"),
    "u1-2d": np.arange(6, dtype="|u1").reshape(2, 3),
    "b1-1d": np.array([True, False, True]),
    "f4-3d": rng.normal(size=(2, 3, 1)).astype("<f4"),
    "f8-0d": np.array(2.5),
    "f4-empty": np.zeros((0, 3), dtype="<f4"),
    "f8-nan": np.array([np.nan, np.inf, -0.0, 1e300]),
    "fortran": np.asfortranarray(rng.normal(size=(2, 3))),
    "big-endian": np.arange(3, dtype=">i4"),
    "i2": np.arange(3, dtype="<i2"),
}
for name, a in arrays.items():
    put(d, name + ".npy", npy(a))
put(d, "v2.npy", npy(arrays["f4-2d"], version=(2, 0)))
put(d, "v3.npy", npy(arrays["i8-1d"], version=(3, 0)))

# npz: the import convention (labels, inputs, epochs, steps, layer/<name>), stored and deflated,
# class labels and targets, and the smallest archive the import accepts.
d = target("npz")
n, e = 3, 2
layers = {"layer/h1": rng.normal(size=(e, n, 2)).astype("<f4"), "layer/h2": rng.normal(size=(e, n, 1))}
full = dict(labels=np.array([0, 1, 1]), inputs=rng.normal(size=(n, 2)).astype("<f4"),
            epochs=np.array([0, 1]), steps=np.array([0, 5]), **layers)
for name, save, arrays_ in [
    ("classes.npz", np.savez, full),
    ("deflated.npz", np.savez_compressed, full),
    ("targets.npz", np.savez, dict(labels=rng.normal(size=(n, 2)), **layers)),
    ("minimal.npz", np.savez, {"labels": np.array([0, 1, 0], dtype="<i4"), "layer/h1": layers["layer/h1"]}),
]:
    buf = io.BytesIO()
    save(buf, **arrays_)
    put(d, name, buf.getvalue())

# npy-folder: both folder layouts as FileBundle inputs.
d = target("npy-folder")
header = {"name": "mlp", "run": {"activation": "tanh"}, "layers": [{"name": "h1", "width": 2}, {"name": "h2", "width": 1}],
          "snapshots": [{"epoch": 0, "step": 0, "metrics": {"loss": 0.69}}, {"epoch": 1, "step": 5, "metrics": {}}]}
snapshot_files = [("snapshot-%d-layer-%d.npy" % (s, l), npy(rng.normal(size=(n, w)).astype("<f4")))
                  for s in range(2) for l, w in enumerate([2, 1])]
put(d, "directory-classes", bundle([("recording.json", json.dumps(header).encode()),
                                    ("labels.npy", npy(np.array([0, 1, 1]))),
                                    ("inputs.npy", npy(rng.normal(size=(n, 2)).astype("<f4")))] + snapshot_files))
put(d, "directory-targets", bundle([("recording.json", json.dumps({"layers": header["layers"], "snapshots": header["snapshots"][:1]}).encode()),
                                    ("labels.npy", npy(rng.normal(size=(n, 2)).astype("<f4")))] + snapshot_files[:2]))
put(d, "import-folder", bundle([("labels.npy", npy(np.array([0, 1, 1]))), ("inputs.npy", npy(full["inputs"])),
                                ("epochs.npy", npy(full["epochs"])), ("steps.npy", npy(full["steps"])),
                                ("layer/h1.npy", npy(layers["layer/h1"])), ("layer/h2.npy", npy(layers["layer/h2"])),
                                ("layer/order.txt", b"h2\nh1\n")]))
put(d, "import-folder-minimal", bundle([("labels.npy", npy(rng.normal(size=n))), ("layer/10.npy", npy(layers["layer/h2"])),
                                        ("layer/9.npy", npy(layers["layer/h2"]))]))
