#!/usr/bin/env bash
# Regenerates the full-length reports shipped under reports/ (see reports/README.md):
#
#   reports/ib12-tanh-full/  12-bit task of Shwartz-Ziv & Tishby with the authors' defaults:
#                            12-10-7-5-4-3-2 tanh, Adam lr 0.0004, batch 256, 8,000 epochs,
#                            274 log-spaced snapshots (--log-epochs 400), seed 1
#   reports/ib12-relu-full/  the same network and schedule with ReLU hidden layers
#   reports/ib12-tanh-seeds/ the 12-bit tanh net trained with seeds 1-5 (4,000 epochs, 40 log-spaced
#                            snapshots each; 5 recordings of one design): plane.csv of all five,
#                            plane-summary.csv (mean, sd, 5/50/95 % across seeds), compression.csv,
#                            figures with across-seed bands (SEEDS=LIST changes the seeds)
#   reports/ib12-relu-seeds/ the same with ReLU hidden layers
#   reports/mnist10k-relu/   MNIST-10k, 784-1024-20-20-20-10 ReLU, He init, SGD momentum 0.9,
#                            lr 0.01, batch 128, 40 epochs, a snapshot every 4 epochs, seed 1
#
# Each 12-bit recording is analysed with every estimator family (N = 4,096). For MNIST-10k
# (N = 10,000, a 1,024-wide first layer) the estimator set and parameters are chosen for
# that regime; the reasons are in reports/README.md.
#
# The two 12-bit reports ship plane.csv.gz instead of plane.csv (size); MNIST keeps plane.csv.
# Recordings (.bin, ~140 MB per 12-bit run, ~0.5 GB for MNIST) go to a temporary directory
# and are deleted at exit; set KEEP_RECORDINGS=DIR to keep them in DIR instead.
#
# Usage: scripts/full-reports.sh [BIN] [RUN ...]
#   BIN  the ibplane executable (default .build/release/ibplane; build it with
#        `swift build -c release --product ibplane`)
#   RUN  any of ib12-tanh-full ib12-relu-full mnist10k-relu ib12-tanh-seeds ib12-relu-seeds
#        (default: the first three)
# Wall times of every step are printed (run, step, seconds); FULL_REPORTS_TIMES=FILE appends
# them to FILE as well.
set -euo pipefail
BIN=${1:-.build/release/ibplane}
shift || true
RUNS=("$@")
[ ${#RUNS[@]} -eq 0 ] && RUNS=(ib12-tanh-full ib12-relu-full mnist10k-relu)
OUT=${FULL_REPORTS_OUT:-reports}

# Fixed binning twice: the IDNNs convention (30 bins on [-1, 1], every value >= 1 in one bin, as
# Shwartz-Ziv & Tishby) and Saxe et al.'s floor(v / 0.07) on an unbounded grid, which is the
# one their ReLU finding rests on.
IB12_ESTIMATORS="binning binning:convention=floor adaptive-binning kde adaptive-kde cs renyi:alpha=2 lossy gaussian"
# MNIST-10k: fixed binning (floor, as Saxe et al. for ReLU) is kept to show its saturation at
# log2 10,000 = 13.3 bits on the wide layer;
# fixed-σ² KDE is left out (it saturates the same way on the 1,024-wide layer, see README);
# Rényi uses α = 2 so no N×N eigen-decomposition is needed at N = 10,000.
# Seed studies: the estimators that cost milliseconds to a second per job, plus KDE (Saxe et
# al.'s comparison); binning in the IDNNs convention as well, since auto widens the grid on
# ReLU layers and the IDNNs grid is what the original finding rests on.
SEED_ESTIMATORS="binning binning:convention=idnns binning:convention=floor adaptive-binning kde lossy gaussian"
SEEDS=${SEEDS:-1-5}
MNIST_ESTIMATORS="binning:convention=floor adaptive-binning adaptive-kde cs renyi:alpha=2 lossy gaussian"

if [ -n "${KEEP_RECORDINGS:-}" ]; then
  work=$KEEP_RECORDINGS; mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$OUT"
times=${FULL_REPORTS_TIMES:-/dev/null}

timed() { # timed RUN STEP command...
  local run=$1 step=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  local s
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  printf '%s\t%s\t%s\n' "$run" "$step" "$s" | tee -a "$times"
}

analyse() { # analyse RUN ESTIMATORS
  local run=$1 args=()
  for e in $2; do args+=(--estimator "$e"); done
  rm -rf "${OUT:?}/$run"
  timed "$run" analyze "$BIN" analyze "$work/$run.bin" "${args[@]}" --out "$OUT/$run" --quiet
}

# The 274-snapshot CSVs are ~4 MB each; they ship gzipped (pandas reads plane.csv.gz with no
# options; `gunzip -k` restores plane.csv for `ibplane merge DIR/plane.csv` or --resume).
compress_csv() { # compress_csv RUN
  gzip -9nf "$OUT/$1/plane.csv"
  sed -i 's|<a href="plane.csv">plane.csv</a>|<a href="plane.csv.gz">plane.csv.gz</a> (gzip)|' "$OUT/$1/index.html"
}

for run in "${RUNS[@]}"; do
  echo "== $run =="
  case "$run" in
    ib12-tanh-full | ib12-relu-full)
      act=${run#ib12-}; act=${act%-full}
      timed "$run" train "$BIN" train --dataset ib12 --activation "$act" --epochs 8000 --log-epochs 400 \
        --seed 1 --record "$work/$run.bin" --quiet
      analyse "$run" "$IB12_ESTIMATORS"
      compress_csv "$run"
      ;;
    mnist10k-relu)
      timed "$run" train "$BIN" train --dataset mnist10k --arch 1024,20,20,20 --activation relu --init he \
        --optimizer sgd --momentum 0.9 --lr 0.01 --batch 128 --epochs 40 --log-every 4 \
        --seed 1 --record "$work/$run.bin" --quiet
      analyse "$run" "$MNIST_ESTIMATORS"
      ;;
    ib12-tanh-seeds | ib12-relu-seeds)
      act=${run#ib12-}; act=${act%-seeds}
      rm -rf "${work:?}/$run"
      timed "$run" train "$BIN" train --dataset ib12 --activation "$act" --epochs 4000 --log-epochs 40 \
        --seeds "$SEEDS" --record "$work/$run" --quiet
      args=()
      for e in $SEED_ESTIMATORS; do args+=(--estimator "$e"); done
      rm -rf "${OUT:?}/$run"
      timed "$run" analyze "$BIN" analyze "$work/$run"/seed-*.bin "${args[@]}" --out "$OUT/$run" --quiet
      ;;
    *) echo "unknown run '$run' (expected ib12-tanh-full, ib12-relu-full, mnist10k-relu, ib12-tanh-seeds or ib12-relu-seeds)" >&2; exit 2 ;;
  esac
done
echo
echo "Reports (values in bits): $(printf "$OUT/%s/index.html " "${RUNS[@]}")"
