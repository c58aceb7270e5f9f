"""Benchmark: `ibplane train` (release) against the numpy reference trainer, same 12-bit network.

Run from the repository root after `swift build -c release --product ibplane`:

    python3 bench/trainer_vs_numpy.py [epochs]          # default 400 epochs

Both sides time the training loop only (best of 3 interleaved runs each, as the machine is shared) (data loading, start-up and snapshots excluded; the
Swift side runs with --log-epochs 0), in the same run, and the script prints the ratio of
epochs per second, by wall time and by process CPU time (both sides single-threaded BLAS). It also measures the OpenBLAS thread policy: ib12 and MNIST (784-1024-20-
20-20-10, batch 128) with 1 thread and with 2.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "ibplane")
DATA = os.path.join(ROOT, "notebooks-data")


REPEATS = 3  # the machine is shared: each side reports its best of 3 runs, interleaved


def swift(args):
    out = subprocess.run([BIN, "train", "--quiet", "--json", "--log-epochs", "0", "--data-dir", DATA] + args,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def numpy_reference(epochs, env):
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "ib12_numpy_trainer.py"), os.path.join(DATA, "ib12-var_u.csv"),
         str(epochs)], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def best(runs):
    return max(runs, key=lambda r: r["epochs_per_second"])


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    refs, swifts = [], []
    for _ in range(REPEATS):
        refs.append(numpy_reference(epochs, env))
        swifts.append(swift(["--epochs", str(epochs)]))
    ref, s = best(refs), best(swifts)
    ref_cpu = max(r["epochs_per_cpu_second"] for r in refs)
    s_cpu = max(r["epochs_per_cpu_second"] for r in swifts)
    print(f"ib12 12-10-7-5-4-3-2 tanh Adam batch 256, {epochs} epochs, training loop only, best of {REPEATS}")
    print(f"  numpy reference : {ref['epochs_per_second']:9.1f} epochs/s  (train acc {ref['train_accuracy']:.3f})")
    print(f"  ibplane (Swift) : {s['epochs_per_second']:9.1f} epochs/s  (train acc {s['train_accuracy']:.3f}, "
          f"{s['blas_threads']} BLAS thread)")
    print(f"  ratio Swift/numpy, wall time: {s['epochs_per_second'] / ref['epochs_per_second']:.1f}x")
    print(f"  ratio Swift/numpy, CPU time : {s_cpu / ref_cpu:.1f}x  "
          f"({s_cpu:.1f} vs {ref_cpu:.1f} epochs per CPU second; steadier on a shared machine)")

    print("OpenBLAS thread policy (epochs/s):")
    for name, args in [("ib12 default", ["--epochs", str(epochs)]),
                       ("mnist10k 784-1024-20-20-20-10 relu sgd b128",
                        ["--dataset", "mnist10k", "--arch", "1024,20,20,20", "--activation", "relu", "--init", "he",
                         "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.01", "--batch", "128", "--epochs", "3"])]:
        r1 = best([swift(args + ["--blas-threads", "1"]) for _ in range(REPEATS)])
        r2 = best([swift(args + ["--blas-threads", "2"]) for _ in range(REPEATS)])
        print(f"  {name:45s} 1 thread {r1['epochs_per_second']:9.2f}   2 threads {r2['epochs_per_second']:9.2f}   "
              f"ratio 2/1 {r2['epochs_per_second'] / r1['epochs_per_second']:.2f}")


if __name__ == "__main__":
    main()
