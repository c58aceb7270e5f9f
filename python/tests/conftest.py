"""Shared fixtures: the package from this source tree, the library and the CLI to compare with.

`make test` sets IBPLANE_LIBRARY and IBPLANE_CLI to the release build it just made; by hand,
point them at any build (e.g. .build/debug/libIBPlaneC.so and .build/debug/ibplane).
"""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PYTHON_DIR = Path(__file__).resolve().parent.parent
ROOT = PYTHON_DIR.parent
sys.path.insert(0, str(PYTHON_DIR))

import ibplane  # noqa: E402


@pytest.fixture(scope="session")
def cli():
    """A function running the `ibplane` CLI: cli(*args) -> CompletedProcess (text)."""
    path = os.environ.get("IBPLANE_CLI") or str(ROOT / ".build" / "release" / "ibplane")
    if not Path(path).exists():
        pytest.fail("no ibplane CLI at %s: build it (make build) or set IBPLANE_CLI" % path)

    # No OPENBLAS_NUM_THREADS here: the library applies its one-thread policy before every BLAS
    # call, so the CLI's values must equal the in-process ones as the user runs it.
    env = dict(os.environ)
    env.pop("OPENBLAS_NUM_THREADS", None)

    def run(*args, check=True):
        done = subprocess.run([path, *map(str, args)], capture_output=True, text=True, timeout=600, env=env)
        if check and done.returncode not in (0,):
            raise AssertionError("ibplane %s exited %d: %s" % (" ".join(map(str, args)), done.returncode, done.stderr))
        return done

    run.path = path
    return run


@pytest.fixture(scope="session")
def library():
    """The path of the loaded libibplane (fails, not skips, when it cannot be loaded)."""
    return ibplane._native.library_path()


def require_oracle(module):
    """Imports an optional test oracle (e.g. pandas): a skip without it, but a failure under
    IBPLANE_REQUIRE_ORACLES=1, which `make test` sets after installing every oracle (make pydeps)."""
    if os.environ.get("IBPLANE_REQUIRE_ORACLES") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module, reason="%s is not installed (run `make pydeps`)" % module)


def cli_json(cli, *args):
    return json.loads(cli(*args).stdout)


@pytest.fixture
def recording(tmp_path):
    """A small activations.bin: N = 60, inputs 3 wide, 3 classes, layers h1 (5) and h2 (2),
    4 snapshots; returns (path, inputs, labels, snapshots as lists of arrays)."""
    rng = np.random.default_rng(7)
    n = 60
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = rng.integers(0, 3, n)
    path = tmp_path / "run.bin"
    snapshots = []
    with ibplane.Recorder(str(path), [("h1", 5), ("h2", 2)], y, inputs=x, run={"seed": 7}) as rec:
        for epoch in range(4):
            w1 = rng.normal(size=(3, 5)) * (1 + epoch)
            h1 = np.tanh(x @ w1).astype(np.float32)
            h2 = np.tanh(h1 @ rng.normal(size=(5, 2))).astype(np.float32)
            rec.record(epoch, 10 * epoch, [h1, h2], metrics={"loss": 1.0 / (epoch + 1)})
            snapshots.append([h1, h2])
    return path, x, y, snapshots
