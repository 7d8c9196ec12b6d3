"""Sandboxed: runs the Python statements of `/work/STEPS` (a JSON list; default `steps.json`) one by
one in one namespace holding `np`, `zarr` (the runner's zarr-python-style module) and `out`, and
prints one JSON line per statement as soon as it ends: `{"step": I, "error": null | [exception type, message], "out": out}` (`out` is
whatever the statement left there, set back to None before each). A statement may end the plugin
(an endless loop under `--timeout`): the lines already printed stay."""

import json
import sys

import numpy as np
from wasm_memmap import zarr

steps = json.load(open('/work/' + (sys.argv[1] if len(sys.argv) > 1 else 'steps.json')))
space = {'np': np, 'zarr': zarr}
for i, step in enumerate(steps):
    space['out'] = None
    try:
        exec(step, space)
        error = None
    except Exception as e:
        error = [type(e).__name__, str(e)]
    print(json.dumps({'step': i, 'error': error, 'out': space['out']}), flush=True)
