"""Loads libibplane.so, the C interface of ibplane (include/ibplane.h), through ctypes.

The library is loaded once, on the first call that needs it, so ``import ibplane`` and the
numpy-only parts (``Recorder``, ``ibplane.torch``, ``read_plane``) work without it.

Search order (the first that exists is loaded; ``IBPLANE_LIBRARY`` alone when set):

1. ``$IBPLANE_LIBRARY``, a path to the library;
2. ``libibplane.so`` next to this package (``make install`` puts it there);
3. ``<prefix>/lib/libibplane.so`` for the ``<prefix>/bin/ibplane`` found on ``PATH``, and
   ``libIBPlaneC.so`` beside an ``ibplane`` that is a SwiftPM build product;
4. the checkout's release build, ``.build/release/libIBPlaneC.so``, when this package is
   imported from a source tree (``PYTHONPATH=python`` or ``pip install -e``);
5. ``libibplane.so`` on the dynamic loader's path (``ldconfig``).
"""

import ctypes
import ctypes.util
import json
import os
import shutil
import threading
from pathlib import Path

from .errors import IBPlaneError, InputError, LibraryNotFoundError

#: The IBPLANE_ABI_VERSION of the header this module was written against.
ABI_VERSION = 1

_STATUS_INPUT = 2

_lock = threading.Lock()
_library = None


def candidates():
    """Every (description, path) searched, in order (without ``$IBPLANE_LIBRARY``)."""
    here = Path(__file__).resolve().parent
    found = [("next to the package", here / "libibplane.so")]
    exe = shutil.which("ibplane")
    if exe:
        bindir = Path(os.path.realpath(exe)).parent
        found.append(("the prefix of %s" % exe, bindir.parent / "lib" / "libibplane.so"))
        found.append(("beside %s" % exe, bindir / "libIBPlaneC.so"))
    found.append(("the checkout's release build", here.parent.parent / ".build" / "release" / "libIBPlaneC.so"))
    return found


def _open():
    explicit = os.environ.get("IBPLANE_LIBRARY")
    if explicit:
        tried = [("$IBPLANE_LIBRARY", Path(explicit))]
    else:
        tried = candidates()
        system = ctypes.util.find_library("ibplane")
        if system:
            tried.append(("the dynamic loader's path", Path(system)))
    errors = []
    for description, path in tried:
        if not explicit and path.is_absolute() and not path.exists():
            errors.append("%s (%s): not found" % (path, description))
            continue
        try:
            return _declare(ctypes.CDLL(str(path))), str(path)
        except OSError as e:
            errors.append("%s (%s): %s" % (path, description, e))
    raise LibraryNotFoundError(
        "cannot load libibplane.so; build it with `make build` or `swift build -c release --product IBPlaneC`, "
        "install it with `make install`, or set IBPLANE_LIBRARY to its path. Tried: " + "; ".join(errors))


def _declare(lib):
    c_int32, c_int64, c_void_p, c_char_p = ctypes.c_int32, ctypes.c_int64, ctypes.c_void_p, ctypes.c_char_p
    out = ctypes.POINTER(c_void_p)
    lib.ibplane_abi_version.restype = c_int32
    lib.ibplane_abi_version.argtypes = []
    abi = lib.ibplane_abi_version()
    if abi != ABI_VERSION:
        raise LibraryNotFoundError(
            "the library has ABI version %d but this package expects %d; install the package and the "
            "library from the same ibplane version" % (abi, ABI_VERSION))
    signatures = {
        "ibplane_version": (c_char_p, []),
        "ibplane_free": (None, [c_void_p]),
        "ibplane_estimate": (c_int32, [c_char_p, c_void_p, c_int64, c_int64, c_int32,
                                       c_void_p, c_int64, c_int64, c_int32,
                                       ctypes.POINTER(ctypes.c_double), out, out]),
        "ibplane_estimators": (c_int32, [out, out]),
        "ibplane_recording_open": (c_int32, [c_char_p, out, out]),
        "ibplane_recording_close": (None, [c_void_p]),
        "ibplane_recording_info": (c_int32, [c_void_p, out, out]),
        "ibplane_recording_layer": (c_int32, [c_void_p, c_int64, c_int64, c_void_p, c_int64, out]),
        "ibplane_recording_inputs": (c_int32, [c_void_p, c_void_p, c_int64, out]),
        "ibplane_recording_labels": (c_int32, [c_void_p, c_void_p, c_int64, out]),
        "ibplane_inspect": (c_int32, [c_char_p, out, out]),
        "ibplane_analyze": (c_int32, [c_char_p, c_char_p, out, out]),
    }
    for name, (restype, argtypes) in signatures.items():
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = argtypes
    return lib


def library():
    """The loaded library (raises LibraryNotFoundError when it cannot be found)."""
    global _library
    with _lock:
        if _library is None:
            _library = _open()
        return _library[0]


def library_path():
    """The path of the loaded library."""
    library()
    return _library[1]


def _take(pointer):
    """The text of a string returned by the library, which is then freed."""
    if not pointer.value:
        return None
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        library().ibplane_free(pointer)


def check(status, error):
    """Raises the library's error message (freeing it) unless status is 0."""
    message = _take(error)
    if status == 0:
        return
    message = message or "ibplane failed with status %d" % status
    raise (InputError if status == _STATUS_INPUT else IBPlaneError)(message)


def call_json(function, *args):
    """Calls ``function(*args, &result, &error)`` and returns the parsed JSON result."""
    result, error = ctypes.c_void_p(), ctypes.c_void_p()
    status = function(*args, ctypes.byref(result), ctypes.byref(error))
    text = _take(result)
    check(status, error)
    return json.loads(text) if text is not None else None


def encode(text, name):
    """A str or path argument as the UTF-8 bytes the library expects."""
    if isinstance(text, os.PathLike):
        text = os.fspath(text)
    if isinstance(text, bytes):
        return text
    if not isinstance(text, str):
        raise TypeError("%s must be a str or path, got %s" % (name, type(text).__name__))
    if "\0" in text:
        raise InputError("%s contains a NUL character" % name)
    return text.encode("utf-8")
