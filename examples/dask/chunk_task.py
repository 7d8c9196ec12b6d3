"""One Dask task of the recipe (`recipe.py`): a sandboxed plugin that works on one chunk region of a
Zarr array and prints its partial result. It runs unchanged as a Rust plugin would, under the
grants the task's command line gives it:

    wasm-memmap run chunk_task.py --store s3://bucket/runs::/lake \\
        --region '/lake/a.zarr[0:1000,2000:3000]' -- /lake/a.zarr 0:1000,2000:3000 fill 7

`sum` prints the sum of the region. `fill SEED` first fills the region with standard normal draws
of `np.random.default_rng([SEED, start, start, ...])` (one stream per region, so the array does not
depend on which worker ran which task), then prints the sum of what is now stored there. Writing
outside the region would be refused (`PermissionError`): the grant is for this block only.
"""

import sys

import numpy as np
from wasm_memmap import zarr

location, spec, mode = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else 'sum'
region = tuple(slice(int(start), int(stop)) for start, stop in (part.split(':') for part in spec.split(',')))
a = zarr.open_array(location, mode='r+' if mode == 'fill' else 'r')
block = a[region]
if mode == 'fill':
    seed = [int(sys.argv[4])] + [s.start for s in region]
    # (`out=block` would need a contiguous block, which a block of a 2-d array is not.)
    block[...] = np.random.default_rng(seed).standard_normal(block.shape)
    a.flush()
print(repr(float(block.sum())))
