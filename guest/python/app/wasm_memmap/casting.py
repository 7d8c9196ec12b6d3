"""Values assigned into an array (`a[idx] = value`) as native-order element bytes and a shape.

Python numbers and nested sequences are converted one element at a time as numpy does for the
destination's dtype (`a[0] = 300` into uint8 is `OverflowError: Python integer 300 out of bounds for
uint8`; a float into an integer array is truncated). Arrays of another dtype are cast as numpy's
unsafe cast does on x86-64 and AArch64 (float to int truncates; out of range or NaN gives the
C conversion's result; int to smaller int wraps).
"""

import math
import struct

from . import dtypes, errors, scalars

_C_LONG = (-(1 << 63), (1 << 63) - 1)
_INT64 = 1 << 64
_RANGES = {
    "int8": (-(1 << 7), (1 << 7) - 1), "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1), "int64": _C_LONG,
    "uint8": (0, (1 << 8) - 1), "uint16": (0, (1 << 16) - 1),
    "uint32": (0, (1 << 32) - 1), "uint64": (0, (1 << 64) - 1),
}


def _round_to(value, fmt):
    try:
        return struct.unpack(fmt, struct.pack(fmt, value))[0]
    except OverflowError:
        errors.warn("overflow encountered in cast")
        return math.copysign(math.inf, value)


# ---- Python values, element by element (numpy's setitem conversion) ----------------------------


def _to_int(x, name):
    if isinstance(x, int):
        number = int(x)
    elif hasattr(x, "_value"):  # np.bool_
        number = int(x)
    else:
        number = int(x)  # float NaN/inf, complex, None, str: Python's (and numpy's) messages
    return scalars.check_int(number, name, *_RANGES[name])


def _to_float(x):
    if x is None:
        return math.nan
    return float(x)


def converter(dt):
    """A function turning one Python value into the Python value stored in an element of `dt`."""
    name = dt.name
    if name == "bool":
        return bool
    if dt.kind in "iu":
        return lambda x: _to_int(x, name)
    if name == "float64":
        return _to_float
    if name in ("float32", "float16"):
        fmt = "f" if name == "float32" else "e"
        return lambda x: _round_to(_to_float(x), fmt)
    if name == "complex64":
        return lambda x: _complex64(_to_complex(x))
    return _to_complex


def _to_complex(x):
    return complex(math.nan, math.nan) if x is None else complex(x)


def _complex64(z):
    return complex(_round_to(z.real, "f"), _round_to(z.imag, "f"))


def _is_sequence(x):
    return isinstance(x, (list, tuple)) or (hasattr(x, "_wm_bytes") and getattr(x, "ndim", 0) > 0)


def discover(value):
    """(shape, flat list of leaves) of a nested sequence, with numpy's error for ragged input."""
    if hasattr(value, "_wm_bytes"):
        value = value.tolist()
    if not _is_sequence(value):
        return (), [value]
    shape = []
    level = [value]
    while True:
        if not level or not all(_is_sequence(x) for x in level):
            if any(_is_sequence(x) for x in level):
                raise ValueError(
                    "setting an array element with a sequence. The requested array has an "
                    f"inhomogeneous shape after {len(shape)} dimensions. The detected shape was "
                    f"{tuple(shape)} + inhomogeneous part."
                )
            return tuple(shape), level
        level = [x.tolist() if hasattr(x, "_wm_bytes") else x for x in level]
        lengths = {len(x) for x in level}
        if len(lengths) > 1:
            raise ValueError(
                "setting an array element with a sequence. The requested array has an "
                f"inhomogeneous shape after {len(shape)} dimensions. The detected shape was "
                f"{tuple(shape)} + inhomogeneous part."
            )
        shape.append(lengths.pop() if lengths else 0)
        level = [item for x in level for item in x]
        if shape[-1] == 0:
            return tuple(shape), []


# ---- arrays of another dtype (numpy's unsafe cast) -----------------------------------------------


def _wrap(number, name):
    lo, hi = _RANGES[name]
    span = hi - lo + 1
    return (number - lo) % span + lo


def _cvtt(x, lo, hi):
    # x86-64's truncating conversion: out of range or NaN gives the "integer indefinite" (lo)
    if x != x or math.isinf(x):
        return lo
    number = math.trunc(x)
    return number if lo <= number <= hi else lo


def _float_to_int(x, name):
    # the C conversion numpy compiles on x86-64: through int32 for the types up to 32 bits except
    # uint32, through int64 otherwise, and for uint64 through int64 with the top bit handled apart
    if name == "uint64":
        if x >= 2.0**63:
            return (_cvtt(x - 2.0**63, *_C_LONG) % _INT64) ^ (1 << 63)
        return _cvtt(x, *_C_LONG) % _INT64
    if name == "uint32":
        if x >= 2.0**31:
            return (_cvtt(x - 2.0**31, *_RANGES["int32"]) % (1 << 32)) ^ (1 << 31)
        return _cvtt(x, *_RANGES["int32"]) % (1 << 32)
    wide = name == "int64"
    return _wrap(_cvtt(x, *(_C_LONG if wide else _RANGES["int32"])), name)


def cast_values(values, src, dst):
    """A flat list of Python values of dtype `src` cast to `dst`, as numpy's `astype` does."""
    if src.name == dst.name:
        return values
    if src.kind == "c" and dst.kind != "c":
        values = [v.real for v in values]
        src = dtypes.dtype("float64")
    if dst.name == "bool":
        return [v != 0 for v in values]
    if dst.kind in "iu":
        name = dst.name
        if src.kind in "fc":
            lo, hi = _RANGES[name]
            if any(v != v or math.isinf(v) or not lo - 1 < v < hi + 1 for v in values):
                errors.warn("invalid value encountered in cast")
            return [_float_to_int(v, name) for v in values]
        return [_wrap(int(v), name) for v in values]
    if dst.kind == "f":
        if dst.name == "float64":
            return [float(v) for v in values]
        fmt = "f" if dst.name == "float32" else "e"
        return [_round_to(float(v), fmt) for v in values]
    convert = converter(dst)
    return [convert(v) for v in values]


# ---- the entry point ---------------------------------------------------------------------------


def to_bytes(value, dt, max_ndim=None):
    """(native-order bytes, shape) of `value` as elements of `dt`, ready for `write-bytes`.

    `max_ndim` is the number of axes of the selection assigned to: numpy converts a nested
    sequence with no more axes than that (an array with more, of length 1, broadcasts)."""
    source = getattr(value, "_wm_bytes", None)
    if source is not None:
        src, shape, data = source()
        if src.name == dt.name:
            return data, shape
        return dtypes.pack_native(dt, cast_values(dtypes.unpack_native(src, data), src, dt)), shape
    shape, leaves = discover(value)
    if max_ndim == 0 and shape:
        raise ValueError("setting an array element with a sequence.")
    if max_ndim is not None and len(shape) > max_ndim:
        raise ValueError(
            "setting an array element with a sequence. The requested array would exceed the "
            f"maximum number of dimension of {max_ndim}."
        )
    convert = converter(dt)
    return dtypes.pack_native(dt, [convert(x) for x in leaves]), shape
