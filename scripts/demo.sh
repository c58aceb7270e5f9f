#!/usr/bin/env bash
# `make demo`: the main job on the bundled default data.
#
# Trains the 12-bit network of Shwartz-Ziv & Tishby (12-10-7-5-4-3-2, Adam, lr 0.0004, batch 256)
# once with tanh and once with ReLU, records every layer at log-spaced epochs through the
# Recorder, analyses both recordings with every estimator family, and writes the reports to
# reports/ib12-tanh/ and reports/ib12-relu/ (plane.csv, SVG planes, index.html).
#
# Short defaults keep the whole demo within a few minutes on 2 cores; scripts/full-reports.sh
# runs the full-length experiments (8,000 epochs, 274 snapshots) behind the shipped reports.
set -euo pipefail
BIN=${1:-.build/release/ibplane}
EPOCHS=${DEMO_EPOCHS:-4000}
LOG_EPOCHS=${DEMO_LOG_EPOCHS:-40}
OUT=${DEMO_OUT:-reports}
ESTIMATORS=${DEMO_ESTIMATORS:-"binning adaptive-binning kde adaptive-kde cs renyi:alpha=2 lossy gaussian"}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=()
for e in $ESTIMATORS; do args+=(--estimator "$e"); done

for act in tanh relu; do
  echo "== ib12 $act: train $EPOCHS epochs, record $LOG_EPOCHS log-spaced snapshots =="
  "$BIN" train --dataset ib12 --activation "$act" --epochs "$EPOCHS" --log-epochs "$LOG_EPOCHS" \
    --seed 1 --record "$work/ib12-$act.bin" --quiet
  echo "== ib12 $act: analyse with $ESTIMATORS =="
  rm -rf "$OUT/ib12-$act"
  "$BIN" analyze "$work/ib12-$act.bin" "${args[@]}" --out "$OUT/ib12-$act" --quiet
done
echo
echo "Open $OUT/ib12-tanh/index.html and $OUT/ib12-relu/index.html (values in bits)."
