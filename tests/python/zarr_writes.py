"""Sandboxed: applies numpy statements (`/work/stmts.json`) that write to the Zarr array
`/lake/w.zarr` (bound to `a`, mode r+), then drops it (which flushes); the test applies the same
statements with numpy to what zarr-python read before, and compares with what it reads after."""

import json

import numpy as np
from wasm_memmap import zarr

a = zarr.open_array('/lake/w.zarr', mode='r+')
for stmt in json.load(open('/work/stmts.json')):
    exec(stmt, {'np': np, 'a': a})
del a
print(json.dumps({'done': True}))
