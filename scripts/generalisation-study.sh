#!/usr/bin/env bash
# The generalisation study shipped as reports/ib12-generalisation/ (see reports/README.md):
# the 12-bit net (ib12, 12-10-7-5-4-3-2 tanh, Adam lr 0.0004, batch 256) trained for several
# numbers of epochs × 5 seeds; each run's final snapshot analysed with binning (auto
# convention), KDE (σ² = 0.1) and lossy (PCA + KSG); then `ibplane generalisation` relates
# each run's final accuracy/loss gap to I(X;T|Y) of each layer (Spearman ρ over the runs).
#
# Only the first and the final snapshot are recorded (--log-every = epochs) and only the final
# one is analysed (--epochs). Recordings go to a temporary directory deleted at exit.
#
# Usage: scripts/generalisation-study.sh [BIN] [OUT]
#   BIN  the ibplane executable (default .build/release/ibplane)
#   OUT  the report directory (default reports/ib12-generalisation)
# Environment:
#   TRAIN_ARGS  extra `ibplane train` arguments for every run (default "--split shuffled
#               --split-seed 1": one class-stratified 80/20 split shared by every run, so all
#               runs are tested on the same 820 patterns; TRAIN_ARGS="" uses the IDNNs split,
#               whose test set is 84 % class 1)
#   EPOCHS      the settings, numbers of epochs (default "300 1000 4000")
#   SEEDS       the seeds of each setting (default 1-5)
#   ESTIMATORS  the estimators (default "binning kde lossy")
#   ANALYSES    keep the analysis directories (plane.csv per setting) in this directory
#               (default: a temporary directory, deleted at exit)
set -euo pipefail
BIN=${1:-.build/release/ibplane}
OUT=${2:-reports/ib12-generalisation}
EPOCHS=${EPOCHS:-300 1000 4000}
SEEDS=${SEEDS:-1-5}
ESTIMATORS=${ESTIMATORS:-binning kde lossy}
read -r -a EXTRA <<<"${TRAIN_ARGS---split shuffled --split-seed 1}"
DATA=(--data-dir "$(cd "$(dirname "$0")/.." && pwd)/notebooks-data")
[ -n "${IBPLANE_DATA:-}" ] && DATA=()
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ANALYSES=${ANALYSES:-$WORK/analyses}
mkdir -p "$ANALYSES"
ANALYSES=$(cd "$ANALYSES" && pwd)

estimator_flags=()
for e in $ESTIMATORS; do estimator_flags+=(--estimator "$e"); done
dirs=()
for e in $EPOCHS; do
  start=$SECONDS
  "$BIN" train "${DATA[@]}" --dataset ib12 --epochs "$e" --log-every "$e" --seeds "$SEEDS" \
    --record "$WORK/runs/epochs-$e" --quiet "${EXTRA[@]}" >/dev/null
  trained=$((SECONDS - start))
  "$BIN" analyze "$WORK/runs/epochs-$e"/seed-*.bin --epochs "$e" "${estimator_flags[@]}" \
    --out "$ANALYSES/epochs-$e" --quiet >/dev/null
  echo "epochs $e: trained in ${trained} s, analysed in $((SECONDS - start - trained)) s" >&2
  dirs+=("$ANALYSES/epochs-$e")
done
"$BIN" generalisation "${dirs[@]}" --out "$OUT"
# Name the analysis directories by their setting alone in the shipped CSV and HTML.
for f in "$OUT"/generalisation.csv "$OUT"/index.html; do
  sed -i "s|$ANALYSES/||g" "$f"
done
