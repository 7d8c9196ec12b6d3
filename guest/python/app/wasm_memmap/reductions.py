"""`sum`, `min`, `max` and `mean` over element values held in Python (numpy's pairwise sum)."""

import math
import struct
import warnings

from .dtypes import dtype as _dtype
from .scalars import TYPES

_F32 = _dtype("float32")

_INT64 = 1 << 64


def _pairwise(values, start, n):
    # numpy's pairwise_sum: blocks of 128 summed with 8 accumulators, halves recursively above
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    if n <= 128:
        r = values[start:start + 8]
        i = 8
        end = n - n % 8
        while i < end:
            for j in range(8):
                r[j] += values[start + i + j]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            total += values[start + i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return _pairwise(values, start, half) + _pairwise(values, start + half, n - half)


def _check_args(name, axis, dtype, out, keepdims):
    if axis is not None or dtype is not None or out is not None or keepdims:
        raise NotImplementedError(
            f"{name}() supports only the whole array (no axis=, dtype=, out= or keepdims=)"
        )


def _pairwise_narrow(values, start, n, fmt):
    # numpy's pairwise sum in float32: every addition rounded
    def r(x):
        return struct.unpack(fmt, struct.pack(fmt, x))[0]

    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total = r(total + values[i])
        return total
    if n <= 128:
        acc = values[start:start + 8]
        i = 8
        end = n - n % 8
        while i < end:
            for j in range(8):
                acc[j] = r(acc[j] + values[start + i + j])
            i += 8
        total = r(r(r(acc[0] + acc[1]) + r(acc[2] + acc[3])) + r(r(acc[4] + acc[5]) + r(acc[6] + acc[7])))
        while i < n:
            total = r(total + values[start + i])
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return r(_pairwise_narrow(values, start, half, fmt) + _pairwise_narrow(values, start + half, n - half, fmt))


def narrow(dt, value):
    """`value` rounded to the float type `dt` (float32 or float16; float64 as is)."""
    if dt.name == "float64":
        return value
    fmt = "f" if dt.name == "float32" else "e"
    try:
        return struct.unpack(fmt, struct.pack(fmt, value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def narrow_mean(dt, total_value, count):
    """numpy's mean of a float32/float16 array from its sum: the sum divided in float32, then
    cast to the array's type."""
    return narrow(dt, narrow(_F32, narrow(_F32, total_value) / count))


def total(dt, values):
    """numpy's `a.sum()`: float types keep their type, integers sum as int64 (uint64 if unsigned)."""
    if dt.name in ("float32", "float16"):
        # float16 sums accumulate in float32, as numpy's loops do
        return TYPES[dt.name](narrow(dt, _pairwise_narrow([float(v) for v in values], 0, len(values), "f")))
    if dt.kind == "f":
        return TYPES[dt.name](_pairwise([float(v) for v in values], 0, len(values)))
    if dt.kind == "c":
        re = _pairwise([v.real for v in values], 0, len(values))
        im = _pairwise([v.imag for v in values], 0, len(values))
        return TYPES[dt.name](complex(re, im))
    exact = sum(int(v) for v in values)
    if dt.kind == "u":
        return TYPES["uint64"](exact % _INT64)
    wrapped = (exact + (1 << 63)) % _INT64 - (1 << 63)
    return TYPES["int64"](wrapped)


def extreme(dt, values, largest):
    """numpy's `a.max()` / `a.min()`: NaN wins; an empty array has no identity."""
    if not values:
        op = "maximum" if largest else "minimum"
        raise ValueError(f"zero-size array to reduction operation {op} which has no identity")
    if dt.kind == "c":
        raise NotImplementedError("min()/max() of complex arrays are not supported")
    if dt.kind == "f" and any(v != v for v in values):
        return TYPES[dt.name](math.nan)
    return TYPES[dt.name](max(values) if largest else min(values))


def mean(dt, values):
    """numpy's `a.mean()`: float64 for integer and bool arrays, the array's type for floats."""
    if not values:
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=3)
        kind = dt.name if dt.kind in "fc" else "float64"
        return TYPES[kind](math.nan)
    if dt.kind == "c":
        return TYPES[dt.name](complex(total(dt, values)) / len(values))
    if dt.name in ("float32", "float16"):
        summed = _pairwise_narrow([float(v) for v in values], 0, len(values), "f")
        return TYPES[dt.name](narrow_mean(dt, summed, len(values)))
    floats = [float(v) for v in values]
    result = _pairwise(floats, 0, len(floats)) / len(floats)
    return TYPES[dt.name if dt.kind == "f" else "float64"](result)
