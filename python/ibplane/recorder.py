"""Write ibplane recordings (activations.bin, format version 1) with numpy only.

The byte layout is specified in docs/activations-format.md; this module is a second,
independent implementation of it (the Swift one is IBPlane.Recorder). Checksums are CRC-32
from the standard library's zlib, the same function the Swift reader calls. It needs neither
libibplane nor PyTorch; ``ibplane.torch.record`` builds on it to record through forward hooks.

Example (any framework: pass one (N, width) array per layer, in a fixed order)::

    import ibplane

    with ibplane.Recorder("activations.bin", layers=[("hidden1", 64), ("hidden2", 32)],
                          labels=y, label_kind="classes", inputs=X,
                          run={"activation": "tanh", "seed": "1"}) as rec:
        for epoch in range(epochs):
            train_one_epoch(model)
            h1, h2 = activations_of_every_sample(model)
            rec.record(epoch, step=epoch, layers=[h1, h2], metrics={"loss": loss})

Then: ``ibplane inspect activations.bin``.
"""

import json
import os
import struct
import warnings
import zlib
from collections.abc import Mapping

import numpy as np

MAGIC = b"\x89IBPREC\n"
VERSION = 1
FLOAT16_MAX = 65504.0


def _crc(data, crc=0):
    return zlib.crc32(data, crc) & 0xFFFFFFFF


class Recorder:
    """Creates an activations.bin file and appends snapshot records to it.

    layers:     list of (name, width) in network order.
    labels:     N class indices, or an (N,) / (N, k) array of regression targets.
    label_kind: "classes" or "targets". When omitted, integer and bool labels are classes and
                anything else is stored as targets with a warning: float 0./1. labels are
                ambiguous, and guessing wrong changes every I(T;Y).
    inputs:     None or an (N, d) array (stored as float32).
    storage:    "float32" or "float16".
    run:        free-form metadata (values are stored as strings).
    split:      None, or the train/test split of the N samples: integers 0 (train), 1 (test),
                2 (unused), or the strings "train", "test", "unused" (the header key `split`,
                docs/activations-format.md). A bool array is refused as ambiguous: pass
                np.where(is_train, 0, 1). `ibplane analyze --samples train|test` uses it.

    Every record() appends one complete record and returns after its bytes are with the
    operating system, so a killed process loses at most the
    snapshot in flight. fsync=True also flushes to disk.
    """

    def __init__(self, path, layers, labels, inputs=None, storage="float32", run=None,
                 overwrite=False, fsync=False, label_kind=None, split=None):
        if storage not in ("float32", "float16"):
            raise ValueError("storage must be 'float32' or 'float16', got %r" % (storage,))
        self.path = path
        self._fd = None
        self.layers = [(str(n), int(w)) for n, w in layers]
        self.storage = storage
        self.fsync = fsync
        labels = np.asarray(labels)
        if labels.ndim == 0 or labels.shape[0] == 0:
            raise ValueError("labels must hold one entry per sample, got shape %s" % (labels.shape,))
        n = int(labels.shape[0])
        self.sample_count = n
        names = [name for name, _ in self.layers]
        if not self.layers or len(set(names)) != len(names) or any(w < 1 for _, w in self.layers):
            raise ValueError("layers must be non-empty, uniquely named, with widths >= 1")
        label_kind = _label_kind(labels, label_kind, stacklevel=3)
        if label_kind == "classes":
            if labels.ndim != 1:
                raise ValueError("class labels must have shape (N,), got %s" % (labels.shape,))
            if labels.dtype.kind not in "fiub":
                raise ValueError("class labels must be integers, got dtype %s" % (labels.dtype,))
            whole = np.isfinite(labels) & (labels == np.round(labels)) if labels.dtype.kind == "f" else None
            if whole is not None and not whole.all():
                raise ValueError("class labels must be whole numbers; element %d is %r" % (np.argmin(whole), labels[np.argmin(whole)].item()))
            # docs/activations-format.md: class_count (= largest label + 1) is at most max(N, 65,536).
            limit = max(n, 65536) - 1
            if labels.min() < 0 or labels.max() > limit:
                raise ValueError("class labels must lie in 0...%d (at most max(N, 65536) classes), got %s...%s"
                                 % (limit, labels.min().item(), labels.max().item()))
            label_header = {"kind": "classes", "class_count": int(labels.max()) + 1}
            label_block = labels.astype("<i4").tobytes()
        else:
            if labels.dtype.kind not in "fiub":
                raise ValueError("regression targets must be numbers, got dtype %s" % (labels.dtype,))
            targets = labels.reshape(n, -1).astype("<f4")
            if not np.all(np.isfinite(targets)):
                raise ValueError("regression targets must be finite")
            label_header = {"kind": "targets", "width": int(targets.shape[1])}
            label_block = targets.tobytes()
        header = {
            "format": "ibplane-activations",
            "sample_count": n,
            "storage": storage,
            "layers": [{"name": name, "width": w} for name, w in self.layers],
            "input_width": 0,
            "labels": label_header,
            "run": {str(k): str(v) for k, v in (run or {}).items()},
        }
        if split is not None:
            header["split"] = _split_text(split, n)
        input_block = b""
        if inputs is not None:
            x = np.ascontiguousarray(np.asarray(inputs, dtype="<f4"))
            if x.ndim != 2 or x.shape[0] != n:
                raise ValueError("inputs must have shape (N, d) with N = %d, got %s" % (n, x.shape))
            if not np.all(np.isfinite(x)):
                raise ValueError("inputs must be finite")
            header["input_width"] = int(x.shape[1])
            input_block = x.tobytes()
        text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
        text += b" " * ((64 - (16 + len(text) + 4) % 64) % 64)
        out = bytearray(MAGIC)
        out += struct.pack("<II", VERSION, len(text))
        out += text + struct.pack("<I", _crc(text))
        if input_block:
            out += input_block + struct.pack("<I", _crc(input_block))
        out += label_block + struct.pack("<I", _crc(label_block))
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
        self._fd = os.open(path, flags, 0o644)
        self._write(bytes(out))
        os.fsync(self._fd)
        self.payload_length = n * sum(w for _, w in self.layers) * (4 if storage == "float32" else 2)

    def _write(self, data):
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def record(self, epoch, step, layers, metrics=None):
        """Appends one snapshot: one (N, width) array per layer, in header order, or a dict
        {name: array} holding every layer."""
        if isinstance(layers, Mapping):
            names = [name for name, _ in self.layers]
            if set(layers) != set(names):
                raise ValueError("layers dict has keys %s; expected exactly the recorded layers %s"
                                 % (sorted(map(str, layers)), names))
            layers = [layers[name] for name in names]
        if len(layers) != len(self.layers):
            raise ValueError("expected %d layer arrays, got %d" % (len(self.layers), len(layers)))
        dtype = "<f4" if self.storage == "float32" else "<f2"
        parts = []
        for (name, width), values in zip(self.layers, layers):
            a = np.asarray(values, dtype=np.float32)
            if a.shape != (self.sample_count, width):
                raise ValueError("layer %r: expected shape %s, got %s" % (name, (self.sample_count, width), a.shape))
            if self.storage == "float16":
                big = np.isfinite(a) & (np.abs(a) > FLOAT16_MAX)
                if big.any():
                    raise ValueError("layer %r: %d values beyond float16 range" % (name, int(big.sum())))
            parts.append(np.ascontiguousarray(a.astype(dtype)).tobytes())
        meta = b""
        for key, value in sorted((metrics or {}).items()):
            name = str(key).encode("utf-8")
            meta += struct.pack("<H", len(name)) + name + struct.pack("<d", float(value))
        head = b"SNAP" + struct.pack("<IqqQ", len(meta), int(epoch), int(step), self.payload_length) + meta
        crc = _crc(head)
        self._write(head)
        for p in parts:
            crc = _crc(p, crc)
            self._write(p)
        self._write(struct.pack("<I", crc))
        if self.fsync:
            os.fsync(self._fd)

    def close(self):
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _split_text(split, n):
    """The header's `split` string (one of T, E, U per sample) from 0/1/2 or train/test/unused."""
    roles = np.asarray(split)
    if roles.ndim != 1 or roles.shape[0] != n:
        raise ValueError("split must have shape (N,) with N = %d, got %s" % (n, roles.shape))
    if roles.dtype.kind == "b":
        raise ValueError("split must be 0 (train), 1 (test) or 2 (unused), not bool (which of True/False is train?): "
                         "pass np.where(is_train, 0, 1)")
    if roles.dtype.kind in "US":
        names = {"train": "T", "test": "E", "unused": "U"}
        chars = []
        for i, r in enumerate(roles.astype(str)):
            if r not in names:
                raise ValueError("split[%d] must be 'train', 'test' or 'unused', got %r" % (i, r))
            chars.append(names[r])
        return "".join(chars)
    if roles.dtype.kind not in "iu":
        raise ValueError("split must be integers 0 (train), 1 (test) or 2 (unused), got dtype %s" % (roles.dtype,))
    bad = (roles < 0) | (roles > 2)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError("split[%d] must be 0 (train), 1 (test) or 2 (unused), got %d" % (i, roles[i]))
    return "".join("TEU"[int(r)] for r in roles)


def _label_kind(labels, kind, stacklevel):
    """The label kind: as given, or guessed from an integer/bool dtype (float: targets, warned)."""
    if kind is None:
        if labels.dtype.kind in "iub":
            return "classes"
        warnings.warn(
            "labels of dtype %s are stored as regression targets; pass label_kind='classes' if they are "
            "class indices, or label_kind='targets' to silence this warning" % (labels.dtype,),
            UserWarning, stacklevel=stacklevel)
        return "targets"
    if kind not in ("classes", "targets"):
        raise ValueError("label_kind must be 'classes' or 'targets', got %r" % (kind,))
    return kind


def _demo_loop(path, sample_count, seed, storage):
    """Records snapshots forever (used by the kill test); prints each completed snapshot."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, sample_count)
    rec = Recorder(path, [("h1", 32), ("h2", 16), ("out", 3)], labels,
                   inputs=rng.normal(size=(sample_count, 8)), storage=storage, run={"seed": seed})
    epoch = 0
    pool = [[rng.normal(size=(sample_count, w)).astype(np.float32) for w in (32, 16, 3)] for _ in range(4)]
    while True:
        layers = pool[epoch % len(pool)]
        rec.record(epoch, epoch * 10, layers, metrics={"loss": 1.0 / (epoch + 1)})
        print(epoch, flush=True)
        epoch += 1


def main(argv=None):
    """The demo loop's command line (``python ibplane_recorder.py PATH``)."""
    import argparse

    parser = argparse.ArgumentParser(description="ibplane recorder demo: records random snapshots in a loop.")
    parser.add_argument("path")
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--storage", default="float32", choices=["float32", "float16"])
    args = parser.parse_args(argv)
    _demo_loop(args.path, args.samples, args.seed, args.storage)


if __name__ == "__main__":
    main()
