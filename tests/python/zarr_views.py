"""Sandboxed: evaluates numpy expressions (`/work/exprs.json`: [array name, expression] pairs) on
Zarr arrays opened read-only (`/lake/NAME.zarr`, bound to NAME) and saves each result as
`/work/rI.npy`; the test evaluates the same expressions with numpy on what zarr-python reads."""

import json

import numpy as np
from wasm_memmap import zarr

exprs = json.load(open('/work/exprs.json'))
arrays = {name: zarr.open_array(f'/lake/{name}.zarr', mode='r') for name in {n for n, _ in exprs}}
for i, (name, expr) in enumerate(exprs):
    np.save(f'/work/r{i}.npy', np.array(eval(expr, {'np': np}, {name: arrays[name]})))
print(json.dumps({'done': len(exprs)}))
