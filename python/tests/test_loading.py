"""Finding libibplane: the numpy-only parts work without it, and a missing library is one clear error."""

import os
import subprocess
import sys

from conftest import PYTHON_DIR

SCRIPT = """
import numpy as np, ibplane
with ibplane.Recorder("run.bin", [("h", 1)], np.arange(3)) as rec:   # numpy only: no library needed
    rec.record(0, 0, [np.zeros((3, 1))])
try:
    ibplane.mutual_information(np.zeros(3), np.zeros(3))
except ibplane.LibraryNotFoundError as e:
    print(e)
"""


def test_missing_library_is_a_clear_error_and_the_writer_still_works(tmp_path):
    env = dict(os.environ, IBPLANE_LIBRARY=str(tmp_path / "nowhere" / "libibplane.so"), PYTHONPATH=str(PYTHON_DIR))
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run.bin").stat().st_size > 0
    assert done.stdout.startswith("cannot load libibplane.so; build it with `make build`")
    assert "Tried: %s ($IBPLANE_LIBRARY): " % (tmp_path / "nowhere" / "libibplane.so") in done.stdout


def test_search_order_ends_with_the_checkout_build():
    import ibplane._native as native

    places = [str(p) for _, p in native.candidates()]
    assert places[0] == str(PYTHON_DIR / "ibplane" / "libibplane.so")
    assert places[-1] == str(PYTHON_DIR.parent / ".build" / "release" / "libIBPlaneC.so")
