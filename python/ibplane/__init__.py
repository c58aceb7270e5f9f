"""ibplane: mutual information between neural-network layers, inputs and labels, and the
information plane — from Python.

* :func:`mutual_information` — I(X;Y) between two arrays, in-process (libibplane).
* :class:`Recorder` — writes ``activations.bin`` with numpy only; :func:`ibplane.torch.record`
  records a PyTorch model through forward hooks.
* :func:`analyze` — the information plane of a recording (``plane.csv``, SVG, HTML);
  :func:`read_plane` loads the CSV (a pandas DataFrame when pandas is installed).
* :func:`open_recording`, :func:`inspect` — read a recording back, check it.

The numerical work happens in libibplane.so, the C interface of the Swift library, found as
described in ``ibplane._native``; values equal the ``ibplane`` command line's to the last bit.
"""

from . import torch
from .analysis import Analysis, analyze, read_plane
from .errors import IBPlaneError, InputError, LibraryNotFoundError
from .estimate import MutualInformation, estimators, mutual_information
from .recorder import Recorder
from .recording import Recording, inspect, open_recording

__version__ = "0.1.0"

__all__ = [
    "Analysis", "IBPlaneError", "InputError", "LibraryNotFoundError", "MutualInformation", "Recorder", "Recording",
    "analyze", "estimators", "inspect", "library_version", "mutual_information", "open_recording", "read_plane",
]  # not "torch": `from ibplane import *` must not shadow PyTorch's own module


def library_version():
    """The version of the loaded libibplane (equal to ``__version__`` in a matching install)."""
    from . import _native

    return _native.library().ibplane_version().decode("utf-8")
