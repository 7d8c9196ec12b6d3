"""Sandboxed: reads every array zarr-python wrote (`/lake/zp_TAG.zarr`) into `/work/rd_TAG.npy`,
and writes numpy's values (`/work/values_TAG.npy`) into a Zarr array of its own
(`/lake/our_TAG.zarr`) with the case's chunk shape, codecs and chunk order. The manifest,
`/work/manifest.json`, lists the cases. The test compares both with numpy's values, bit for bit,
through zarr-python."""

import json

import numpy as np
from wasm_memmap import zarr

cases = json.load(open('/work/manifest.json'))
for case in cases:
    tag = case['tag']
    z = zarr.open_array(f'/lake/zp_{tag}.zarr', mode='r')
    assert z.dtype == np.dtype(case['dtype']), (z.dtype, case['dtype'])
    np.save(f'/work/rd_{tag}.npy', np.array(z))
    values = np.load(f'/work/values_{tag}.npy')
    ours = zarr.create_array(f'/lake/our_{tag}.zarr', shape=values.shape, chunks=tuple(case['chunks']),
                                    dtype=values.dtype, compressors=case['codecs'], order=case['order'])
    ours[...] = values
    del ours
print(json.dumps({'done': len(cases)}))
