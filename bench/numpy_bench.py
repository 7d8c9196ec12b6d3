"""The numpy side of the benchmark (bench/src/main.rs drives it).

Reads one workload per line on stdin ("<workload> <path> [n or path]", the same workloads as the
guest program guest/test-programs/src/bin/bench.rs), runs it, and answers "<seconds> <checksum>"
on stdout. It stays alive between workloads so that Python's and numpy's start-up are paid once.
"""
import sys
import time

import numpy as np

SIDE = 10000


def reps(nbytes):
    return max((256 << 20) // max(nbytes, 1), 16)


def run(workload, path, n):
    if workload == "take":
        # `n` is the index file (little-endian int64), read before the clock starts
        a = np.memmap(path, dtype="float64", mode="r")
        idx = np.fromfile(n, dtype="<i8")
        t = time.perf_counter()
        v = a[idx]
        return time.perf_counter() - t, float(v.sum())
    if workload in ("scan", "scan-warm"):
        a = np.memmap(path, dtype="float64", mode="r", shape=(SIDE, SIDE))
        if workload == "scan-warm":  # the second pass over one map: its pages are mapped
            a.sum()
        t = time.perf_counter()
        s = a.sum()
        return time.perf_counter() - t, float(s)
    if workload in ("read", "write"):
        a = np.memmap(path, dtype="float64", mode="r" if workload == "read" else "r+")
        k = n // 8
        r = reps(n)
        block = np.full(k, 1.5)
        check = 0.0
        t = time.perf_counter()
        if workload == "read":
            for _ in range(r):
                check += a[0:k].copy()[0]
        else:
            for _ in range(r):
                a[0:k] = block
        return (time.perf_counter() - t) / r, float(check)
    if workload == "read-column":
        a = np.memmap(path, dtype="float64", mode="r", shape=(SIDE, SIDE))
        t = time.perf_counter()
        s = a[:, 0].copy()
        return time.perf_counter() - t, float(s.sum())
    if workload == "read-every-other-row":
        a = np.memmap(path, dtype="float64", mode="r", shape=(SIDE, SIDE))
        t = time.perf_counter()
        s = a[:1000:2].copy()
        return time.perf_counter() - t, float(s.sum())
    if workload in ("read-one", "write-one"):
        a = np.memmap(path, dtype="float64", mode="r" if workload == "read-one" else "r+")
        length = min(a.shape[0], 1 << 16)
        check = 0.0
        t = time.perf_counter()
        if workload == "read-one":
            for i in range(n):
                check += a[i % length]
        else:
            for i in range(n):
                a[i % length] = 2.5
        return (time.perf_counter() - t) / max(n, 1), float(check)
    raise SystemExit(f"unknown workload {workload!r}")


def main():
    print("ready", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        workload, path = parts[0], parts[1]
        n = parts[2] if len(parts) > 2 else "0"
        n = int(n) if n.isdigit() else n
        seconds, check = run(workload, path, n)
        print(f"{seconds!r} {check!r}", flush=True)


if __name__ == "__main__":
    main()
