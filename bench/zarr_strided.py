"""The strided-read row of the Zarr benchmark (bench/src/zarr.rs drives it), one script for both
sides: under python3 it reads with zarr-python (`zarr.open_array`), sandboxed (`wasm-memmap run`) with
this project's `zarr.open_array` (the runner's `zarr` module), the same array and the same selection.

    python zarr_strided.py ARRAY REPS          # zarr-python
    wasm-memmap run zarr_strided.py --dir DIR -- ARRAY REPS
    wasm-memmap run zarr_strided.py --store URL::/lake -- /lake/ARRAY row   # a[2, ::-3] once

Each repetition opens the array afresh (no chunk cached from the last one) and times
`np.asarray(z[0:5000:7, 123:9000:13])` alone; prints the median seconds and the sum of the result
(the same on both sides, a check that both read the same elements).
"""

import sys
import time

import numpy as np

# Sandboxed, `import zarr` is the runner's zarr-python-style module over the host.
import zarr

open_array = zarr.open_array

path = sys.argv[1]
if sys.argv[2] == 'row':
    # One row with a negative step, once: the benchmark counts the chunks it fetches.
    print(float(np.array(open_array(path, mode='r')[2, ::-3]).sum()))
    sys.exit(0)
reps = int(sys.argv[2])
times = []
for _ in range(reps):
    z = open_array(path, mode='r')
    start = time.perf_counter()
    got = np.array(z[0:5000:7, 123:9000:13])
    times.append(time.perf_counter() - start)
    del z
times.sort()
print(times[len(times) // 2], float(got.sum()))
