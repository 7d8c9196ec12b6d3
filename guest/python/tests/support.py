"""Shared set-up: real numpy (the oracle) imported first, then `wasm_memmap` from ../app.

Run from the repository root: `.venv/bin/python -m unittest discover -s guest/python/tests`.
"""

import os
import sys
import warnings

import numpy as np  # the real numpy, before ../app (which has a `numpy` alias) joins the path

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "app"))

import wasm_memmap as wm  # noqa: E402

assert np.__name__ == "numpy" and hasattr(np, "zeros"), "the oracle must be the real numpy"


def outcome(fn):
    """(kind, value): ('ok', result) or (exception class name, message)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ("ok", fn())
        except Exception as e:  # noqa: BLE001 (any exception is an outcome to compare)
            return (type(e).__name__, str(e))
