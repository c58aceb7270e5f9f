#!/usr/bin/env bash
# The main job on bundled defaults. Grows with the product: synth → estimate today.
set -euo pipefail
BIN=${1:-.build/release/ibplane}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-28s %12s %12s\n' task "truth (bits)" "gaussian (bits)"
for task in gaussian-dense-5 gaussian-channel-3 student-2x2-nu2 bsc-0.1; do
  "$BIN" synth --task "$task" --n 20000 --seed 1 --out "$out/$task" >/dev/null
  truth=$(python3 -c "import json,math;print(json.load(open('$out/$task/truth.json'))['mi_nats']/math.log(2))")
  est=$("$BIN" estimate --estimator gaussian "$out/$task/x.npy" "$out/$task/y.npy" --json | python3 -c "import json,sys;print(json.load(sys.stdin)['mi'])")
  printf '%-28s %12.4f %12.4f\n' "$task" "$truth" "$est"
done
