"""Sandboxed: runs the Python statements of `/work/STEPS` (a JSON list; default `steps.json`) one by
one in one namespace holding `np`, `wasm_memmap` and `out`, and prints one JSON line per statement
as soon as it ends: `{"step": I, "error": null | [exception type, message], "out": out}` (`out` is
whatever the statement left there, set back to None before each). A statement may end the plugin
(an endless loop under `--timeout`): the lines already printed stay."""

import json
import sys

import numpy as np
import wasm_memmap

steps = json.load(open('/work/' + (sys.argv[1] if len(sys.argv) > 1 else 'steps.json')))
space = {'np': np, 'wasm_memmap': wasm_memmap}
for i, step in enumerate(steps):
    space['out'] = None
    try:
        exec(step, space)
        error = None
    except Exception as e:
        error = [type(e).__name__, str(e)]
    print(json.dumps({'step': i, 'error': error, 'out': space['out']}), flush=True)
