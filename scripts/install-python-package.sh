#!/usr/bin/env bash
# Installs the Python package with the library next to it (used by `make install`).
# usage: scripts/install-python-package.sh PYTHON LIBRARY [pip flags…]
# Stages python/ with LIBRARY copied to ibplane/libibplane.so, then `PYTHON -m pip install` it, so
# the installed package loads its own copy (pip uninstall removes it with the package).
set -euo pipefail
cd "$(dirname "$0")/.."
python="$1"
library="$2"
shift 2
stage=.build/python-stage
rm -rf "$stage"
mkdir -p "$stage"
cp -R python/ibplane python/ibplane_recorder.py python/pyproject.toml python/README.md "$stage/"
rm -rf "$stage/ibplane/__pycache__"
cp "$library" "$stage/ibplane/libibplane.so"
"$python" -m pip install --quiet "$@" "$stage"
rm -rf "$stage"
