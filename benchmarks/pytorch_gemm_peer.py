#!/usr/bin/python3
"""numpy's float32 matrix product (OpenBLAS sgemm, as Debian's python3-numpy links it) on the shapes of
Microsoft.ML.Lstm.Benchmarks' `gemm` mode, printed as the same JSON lines; benchmarks/compare-gemm.sh runs both.
Run it at OpenBLAS's best: OPENBLAS_CORETYPE unset (compare-gemm.sh does) and OPENBLAS_NUM_THREADS = threads."""
import argparse
import json
import time

import numpy as np

SHAPES = [(64, 256, 1024), (6400, 128, 1024), (6400, 512, 2048), (1024, 1024, 1024), (2048, 2048, 2048)]


def median_seconds(action, repeats, seconds):
    action()
    times, started = [], time.perf_counter()
    while len(times) < repeats or time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    for m, k, n in SHAPES:
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.empty((m, n), dtype=np.float32)
        t = median_seconds(lambda: np.matmul(a, b, out=c), 5, args.seconds)
        print(json.dumps({"engine": "pytorch", "case": f"{m}x{k}·{k}x{n}", "metric": "gflops", "value": 2.0 * m * n * k / t / 1e9}), flush=True)


if __name__ == "__main__":
    main()
