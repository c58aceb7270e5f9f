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


BLAS_SCRIPT = """
import numpy as np, ibplane
try:
    ibplane.mutual_information(np.arange(50.0), np.arange(50.0) % 2, estimator="binning")
    print("no error")
except ibplane.IBPlaneError as e:
    print("caught %s: %s" % (type(e).__name__, e))
print("still running")
"""


def test_a_missing_openblas_is_an_exception_not_the_end_of_the_interpreter(tmp_path):
    # The library opens OpenBLAS and LAPACKE on first use, and the CLI stops when one is
    # missing; inside Python (a Jupyter kernel) that would end the session. A file that is not
    # a library, first on the loader's path, stands in for a broken installation.
    broken = tmp_path / "libs"
    broken.mkdir()
    (broken / "libopenblas.so.0").write_bytes(b"not a shared library")
    path = os.pathsep.join(p for p in (str(broken), os.environ.get("LD_LIBRARY_PATH", "")) if p)
    env = dict(os.environ, LD_LIBRARY_PATH=path, PYTHONPATH=str(PYTHON_DIR))
    done = subprocess.run([sys.executable, "-c", BLAS_SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "caught IBPlaneError: ibplane: cannot load libopenblas.so.0, which linear algebra needs" in done.stdout, done.stdout
    assert "install the Debian package libopenblas0" in done.stdout
    assert done.stdout.rstrip().endswith("still running")
