"""Compatibility module: ``from ibplane_recorder import Recorder`` keeps working.

The numpy-only writer now lives in the ``ibplane`` package (``ibplane.Recorder``,
python/ibplane/recorder.py); this module re-exports it, and running it as a script starts the
recording demo loop that tests/ibplaneCLITests/Recording/RecorderKillTests.swift kills.
"""

from ibplane.recorder import FLOAT16_MAX, MAGIC, VERSION, Recorder, _demo_loop, main  # noqa: F401

if __name__ == "__main__":
    main()
