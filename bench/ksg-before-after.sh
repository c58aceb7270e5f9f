#!/bin/bash
# KSG growth and the scikit-learn ratio for two builds, alternating, one configuration per process
# (so /usr/bin/time's peak RSS is that configuration's). Run from the repository root:
#   bench/ksg-before-after.sh BEFORE/ibplane-bench AFTER/ibplane-bench [dims] [sizes]
# Prints the load average before every run: compare the two builds within a row.
BEFORE=$1
AFTER=$2
DIMS=${3:-1 2}
SIZES=${4:-100000 300000 1000000}
for d in $DIMS; do
  for n in $SIZES; do
    for which in before after; do
      b=$BEFORE; [ $which = after ] && b=$AFTER
      echo "== $which d=$d n=$n load: $(cut -d' ' -f1-3 /proc/loadavg)"
      IBPLANE_BENCH_SIZES=$n IBPLANE_BENCH_DIMS=$d IBPLANE_BENCH_REPEATS=3 /usr/bin/time -v "$b" ksg-growth 2>&1 \
        | grep -E "^[0-9]+ |Maximum resident|User time|System time|Elapsed"
    done
  done
done
for which in before after; do
  b=$BEFORE; [ $which = after ] && b=$AFTER
  echo "== ksg-100k $which load: $(cut -d' ' -f1-3 /proc/loadavg)"
  IBPLANE_BENCH_DIMS=$(echo $DIMS | tr ' ' ,) "$b" ksg-100k 2>&1 | tail -6
done
echo "end load: $(cut -d' ' -f1-3 /proc/loadavg)"
