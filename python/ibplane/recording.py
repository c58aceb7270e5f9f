"""Reading recordings back: ``activations.bin``, ``.npz``, ``.npy`` folders (through libibplane).

The reader is the Swift one (memory-mapped, every length checked against the file size,
CRC-32 checked on first access), so Python sees exactly what ``ibplane analyze`` sees.
"""

import ctypes

import numpy as np

from . import _native


class Recording:
    """An open recording. Use as a context manager, or call :meth:`close`.

    Attributes
    ----------
    name : str
        The recording's name (the ``recording`` column of plane.csv).
    sample_count : int
        N, the rows of every layer matrix.
    input_width : int
        d, the width of the inputs (0 when the recording has none).
    layers : list of (str, int)
        Layer names and widths, in recording order.
    label_kind : str
        ``"classes"`` or ``"targets"``; ``class_count`` or ``target_width`` goes with it.
    run : dict
        Free-form run metadata.
    snapshots : list of dict
        ``{"epoch", "step", "metrics"}`` in file order; :meth:`layer` takes an index into it.
    warnings : list of str
        Findings of the open (a truncated last record, which is skipped).
    """

    def __init__(self, path):
        lib = _native.library()
        handle, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = lib.ibplane_recording_open(_native.encode(path, "path"), ctypes.byref(handle), ctypes.byref(error))
        _native.check(status, error)
        self._handle = handle
        self.path = path
        info = _native.call_json(lib.ibplane_recording_info, self._handle)
        self.name = info["name"]
        self.sample_count = info["sample_count"]
        self.input_width = info["input_width"]
        self.layers = [(l["name"], l["width"]) for l in info["layers"]]
        self.label_kind = info["labels"]["kind"]
        self.class_count = info["labels"].get("class_count")
        self.target_width = info["labels"].get("width")
        self.run = info["run"]
        self.snapshots = info["snapshots"]
        self.warnings = info["warnings"]

    def _live(self):
        if self._handle is None:
            raise ValueError("the recording %s is closed" % (self.path,))
        return self._handle

    def layer(self, layer, snapshot):
        """The activations of ``layer`` (name or 0-based index) at snapshot index ``snapshot``
        (0-based, file order), as an N × width float32 array. NaN/Inf values are refused."""
        names = [n for n, _ in self.layers]
        if isinstance(layer, str):
            if layer not in names:
                raise KeyError("no layer %r; the recording has %s" % (layer, ", ".join(names)))
            layer = names.index(layer)
        if not 0 <= int(layer) < len(self.layers):
            raise IndexError("layer %d does not exist: the recording has %d (0-based)" % (layer, len(self.layers)))
        out = np.empty((self.sample_count, self.layers[int(layer)][1]), dtype=np.float32)
        error = ctypes.c_void_p()
        status = _native.library().ibplane_recording_layer(
            self._live(), int(snapshot), int(layer), out.ctypes.data_as(ctypes.c_void_p), out.size, ctypes.byref(error))
        _native.check(status, error)
        return out

    @property
    def inputs(self):
        """The inputs X, N × d float32, or None when the recording has none."""
        if self.input_width == 0:
            return None
        out = np.empty((self.sample_count, self.input_width), dtype=np.float32)
        error = ctypes.c_void_p()
        status = _native.library().ibplane_recording_inputs(
            self._live(), out.ctypes.data_as(ctypes.c_void_p), out.size, ctypes.byref(error))
        _native.check(status, error)
        return out

    @property
    def labels(self):
        """Class indices (N, int64) or regression targets (N × k, float32)."""
        if self.label_kind == "classes":
            out = np.empty(self.sample_count, dtype=np.int64)
        else:
            out = np.empty((self.sample_count, self.target_width), dtype=np.float32)
        error = ctypes.c_void_p()
        status = _native.library().ibplane_recording_labels(
            self._live(), out.ctypes.data_as(ctypes.c_void_p), out.size, ctypes.byref(error))
        _native.check(status, error)
        return out

    def close(self):
        if getattr(self, "_handle", None) is not None:
            _native.library().ibplane_recording_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return "Recording(%r: N = %d, layers %s, %d snapshots)" % (
            self.name, self.sample_count, ", ".join("%s (%d)" % l for l in self.layers), len(self.snapshots))


def open_recording(path):
    """Opens a recording (``activations.bin``, ``.npz``, ``.npy`` folder) for reading."""
    return Recording(path)


def inspect(path):
    """Checks an ``activations.bin`` file; returns the object ``ibplane inspect --json`` prints
    (``"status"`` is ``"valid"`` or ``"damaged"``). Raises InputError for a file that is not
    a recording."""
    lib = _native.library()
    return _native.call_json(lib.ibplane_inspect, _native.encode(path, "path"))
