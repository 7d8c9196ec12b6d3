"""wasm-memmap's numpy-compatible module for Python scripts run by `wasm-memmap run script.py`.

Scripts import it as `numpy` (`import numpy as np`) or as `wasm_memmap`. It provides what numpy's
memmap users write (`np.memmap`, `np.lib.format.open_memmap`, `np.load`, basic indexing, printing,
`np.random.default_rng`), with numpy's results, messages and exception types; the host maps the
files, prints the arrays and draws the random numbers. docs/python.md lists every supported call.
"""

import math as _math

from . import exceptions, lib, random
from .dtypes import dtype
from .fancy import put, take
from .functions import amax, amin, copy, max, mean, min, ndim, shape, size, sum
from .memmap import memmap, transpose
from .ndarray import array, asarray, ndarray
from .npy import load, save
from .printing import get_printoptions, printoptions, set_printoptions
from .scalars import (
    False_, True_, bool_, complex64, complex128, float16, float32, float64, int8, int16, int32,
    int64, uint8, uint16, uint32, uint64,
)

__version__ = "0.1.0"

newaxis = None
nan = _math.nan
inf = _math.inf
pi = _math.pi
e = _math.e

# numpy's other names for the same types
bool = bool_  # noqa: A001 (numpy 2's np.bool)
byte, short, intc, int_, intp, long, longlong = int8, int16, int32, int64, int64, int64, int64
ubyte, ushort, uintc, uint, uintp, ulong, ulonglong = uint8, uint16, uint32, uint64, uint64, uint64, uint64
half, single, double = float16, float32, float64
csingle, cdouble = complex64, complex128

__all__ = [
    "memmap", "ndarray", "array", "asarray", "transpose", "load", "save", "dtype",
    "sum", "mean", "min", "max", "amin", "amax", "shape", "ndim", "size", "copy", "take", "put",
    "set_printoptions", "get_printoptions", "printoptions", "random", "lib", "exceptions", "newaxis",
    "nan", "inf", "pi", "e", "True_", "False_", "bool_", "bool",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
    "byte", "short", "intc", "int_", "intp", "long", "longlong",
    "ubyte", "ushort", "uintc", "uint", "uintp", "ulong", "ulonglong",
    "half", "single", "double", "csingle", "cdouble",
]


def __getattr__(name):
    raise AttributeError(
        f"module 'numpy' has no attribute {name!r} (wasm-memmap's numpy-compatible module has "
        "memmap, indexing, printing and default_rng only; see docs/python.md)"
    )
