"""Timing shared by the benchmark peers: the best of several runs, and the last run's value."""
import time


def best_of(repeats, fn):
    """Runs fn `repeats` times; returns (the shortest wall time in seconds, the last value)."""
    best, value = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value
