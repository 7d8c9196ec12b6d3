"""`import numpy as np` inside a wasm-memmap script: the `wasm_memmap` package under numpy's name.

The submodules scripts import (`numpy.random`, `numpy.lib`, `numpy.lib.format`, `numpy.exceptions`) are the
`wasm_memmap` modules themselves, registered under numpy's names, so classes and state are shared.
"""

import sys as _sys

import wasm_memmap as _wm
import wasm_memmap.lib.format  # noqa: F401
from wasm_memmap import *  # noqa: F401,F403
from wasm_memmap import __all__, __version__, exceptions, lib, random  # noqa: F401

_sys.modules["numpy.random"] = _wm.random
_sys.modules["numpy.exceptions"] = _wm.exceptions
_sys.modules["numpy.lib"] = _wm.lib
_sys.modules["numpy.lib.format"] = _wm.lib.format


def __getattr__(name):
    return _wm.__getattr__(name)
