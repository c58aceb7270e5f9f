#!/usr/bin/env bash
# `make install` into a temporary prefix, then checks what a user of the install sees, from `/`
# with LD_LIBRARY_PATH and PYTHONPATH unset:
#  1. `ibplane train --dataset ib12` finds the installed data; completions and the header are there;
#  2. the Python package that `make install` put in a fresh venv imports, loads its libibplane.so
#     and gives the CLI's value;
#  3. `pip install ./python` in a second fresh venv finds the library through the ibplane on PATH
#     and runs the quickstart without PyTorch (Recorder → analyze → read_plane → estimate).
# usage: scripts/test-install.sh   (PYTHON, CONFIG as for make)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
# The interpreter itself, not a shim: the checks below run with a minimal PATH.
python="$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
# --system-site-packages: numpy comes from the system (pip fetches only the build backend, setuptools).
"$python" -m venv --system-site-packages "$work/venv-make"
"$python" -m venv --system-site-packages "$work/venv-pip"
make --no-print-directory install PREFIX="$prefix" PYTHON="$work/venv-make/bin/python" \
  CONFIG="${CONFIG:-release}" >/dev/null

for f in bin/ibplane lib/libibplane.so include/ibplane.h share/ibplane/notebooks-data/ib12-var_u.csv \
  share/bash-completion/completions/ibplane share/zsh/site-functions/_ibplane share/fish/vendor_completions.d/ibplane.fish; do
  test -s "$prefix/$f" || { echo "make install did not install $f" >&2; exit 1; }
done
grep -q "_ibplane" "$prefix/share/bash-completion/completions/ibplane"

run() { (cd / && env -u LD_LIBRARY_PATH -u PYTHONPATH -u IBPLANE_LIBRARY -u IBPLANE_DATA PATH="$prefix/bin:/usr/bin:/bin" "$@"); }

run ibplane train --dataset ib12 --epochs 2 --log-epochs 0 --quiet --json >"$work/train.json"
grep -q '"dataset" : "ib12"' "$work/train.json"

run "$python" -c "import numpy as np; r = np.random.default_rng(0); x = r.normal(size=(500, 2)); np.save('$work/x.npy', x); np.save('$work/y.npy', x + r.normal(size=(500, 2)))"
cli="$(run ibplane estimate --estimator ksg "$work/x.npy" "$work/y.npy" --json --unit nats | "$python" -c 'import json, sys; print(json.load(sys.stdin)["mi_nats"].hex())')"
# 2. The package make install put in the venv, with its own copy of the library.
got="$(run "$work/venv-make/bin/python" -c "
import numpy as np, ibplane, ibplane._native as n
assert n.library_path().startswith('$work/venv-make/'), n.library_path()
print(ibplane.mutual_information(np.load('$work/x.npy'), np.load('$work/y.npy'), 'ksg').nats.hex())")"
test "$got" = "$cli" || { echo "installed package: $got, CLI: $cli" >&2; exit 1; }

# 3. pip install ./python in a fresh venv: the library is found beside the ibplane on PATH.
# (from a copy: setuptools builds in the source tree and would leave build/ and *.egg-info there)
cp -R "$root/python" "$work/python-src"
"$work/venv-pip/bin/python" -m pip install --quiet "$work/python-src"
run "$work/venv-pip/bin/python" - "$work" <<'PY'
import os, sys
import numpy as np
import ibplane, ibplane._native

work = sys.argv[1]
assert ibplane._native.library_path() == os.path.join(work, "prefix", "lib", "libibplane.so"), ibplane._native.library_path()
rng = np.random.default_rng(1)
x = rng.normal(size=(256, 4)).astype(np.float32)
y = (x[:, 0] > 0).astype(int)
path = os.path.join(work, "run.bin")
with ibplane.Recorder(path, [("h", 3)], y, inputs=x) as rec:
    for epoch in range(3):
        rec.record(epoch, epoch, [np.tanh(x[:, :3] * (epoch + 1))])
analysis = ibplane.analyze(path, estimators=["binning", "kde"], out=os.path.join(work, "reports"))
assert os.path.exists(analysis.report) and analysis.rows == 6
plane = ibplane.read_plane(os.path.join(work, "reports"))
assert len(plane["i_xt"]) == 6
print("installed package ok:", ibplane.mutual_information(x[:, :1], np.tanh(x[:, :1]), "ksg"))
PY
echo "install test passed (prefix layout, train from /, make-installed and pip-installed packages)"
