"""`np.random.default_rng(seed)`: numpy's `Generator(PCG64)` streams, drawn by the host.

The host runs numpy's algorithms (SeedSequence, PCG64, the ziggurat for normals, Lemire's bounded
integers), so a script draws exactly the numbers numpy draws for the same seed and calls.
Supported: `standard_normal`, `normal`, `random` and `integers` with scalar parameters, `size=`,
and `out=` (a map is filled by the host without moving the numbers through Python).
"""

import operator
import struct

from . import _host, dtypes, indexing
from .ndarray import ndarray
from .scalars import TYPES

_FLOAT64 = dtypes.dtype("float64")
_INT64 = dtypes.dtype("int64")
_S64 = (-(1 << 63), (1 << 63) - 1)


def _words(n):
    """numpy's `_int_to_uint32_array`: a non-negative int as 32-bit words, least significant first."""
    if n < 0:
        raise ValueError("expected non-negative integer")
    if n == 0:
        return [0]
    words = []
    while n > 0:
        words.append(n & 0xFFFFFFFF)
        n >>= 32
    return words


def seed_words(seed):
    """numpy's `_coerce_to_uint32_array` of the entropy `SeedSequence` is given."""
    if isinstance(seed, int) or (not isinstance(seed, (list, tuple, str)) and hasattr(seed, "__index__")):
        return _words(operator.index(seed))
    if isinstance(seed, (list, tuple)):
        words = []
        for item in seed:
            if isinstance(item, (list, tuple)):
                words.extend(seed_words(item))
                continue
            try:
                number = operator.index(item)
            except TypeError:
                raise TypeError("seed must be integer") from None
            words.extend(_words(number))
        return words
    raise TypeError(f"SeedSequence expects int or sequence of ints for entropy not {seed}")


def _shape(size):
    if size is None:
        return None
    if isinstance(size, (tuple, list, str)):
        shape = tuple(operator.index(n) for n in size)  # Python's error names the bad item
    else:
        try:
            shape = (operator.index(size),)
        except TypeError:
            raise TypeError(f"expected a sequence of integers or a single integer, got '{size}'") from None
    if any(n < 0 for n in shape):
        raise ValueError("negative dimensions are not allowed")
    return shape


def _check_float_dtype(dtype, method):
    dt = dtypes.dtype(dtype)
    if dt.name == "float32":
        raise NotImplementedError(
            f"{method}(dtype=np.float32) is not supported: numpy draws float32 with other algorithms"
        )
    if dt.name != "float64":
        raise TypeError(f"Unsupported dtype {dt!r} for {method}")


def _bound(value):
    """An integer bound; numpy also takes floats, truncated."""
    if isinstance(value, float):
        value = int(value)
    return operator.index(value)


class Generator:
    """Like numpy's `Generator(PCG64(seed))`, as `np.random.default_rng(seed)` makes it."""

    def __init__(self, handle):
        self._h = handle

    def __repr__(self):
        return f"Generator(PCG64) at 0x{id(self):X}"

    def __str__(self):
        return "Generator(PCG64)"

    # ---- the draws ----
    def _draw(self, distribution, size, dt, out):
        shape = _shape(size)
        if out is not None:
            return self._fill(distribution, shape, dt, out)
        count = 1 if shape is None else indexing.size(shape)
        data = _host.call_array(shape or (), dt, self._h.draw, distribution, count)
        if shape is None:
            # numpy returns a Python float for one float draw, and an np.int64 for one integer
            if dt.kind == "f":
                return struct.unpack("<d", data)[0]
            return TYPES[dt.name](struct.unpack("<q", data)[0])
        return ndarray._wrap(dt, shape, data)

    def _fill(self, distribution, shape, dt, out):
        if shape is not None and tuple(shape) != tuple(out.shape):
            raise ValueError("size must match out.shape when used together")
        if out.dtype.name != dt.name:
            raise TypeError(f"Supplied output array has the wrong type. Expected {dt.name}, got {out.dtype.name}")
        contiguous = tuple(out.strides) == indexing.c_strides(out.shape, out.dtype.itemsize)
        if not contiguous or not out.dtype.isnative:
            raise ValueError(
                "Supplied output array must be contiguous, writable, aligned, and in machine byte-order."
            )
        handle = getattr(out, "_h", None)
        if handle is not None:
            _host.call(self._h.fill, distribution, handle, [])
        elif isinstance(out, ndarray):
            out[...] = ndarray._wrap(dt, out.shape, _host.call(self._h.draw, distribution, out.size))
        else:
            raise TypeError("out must be a numpy array")
        return out

    def standard_normal(self, size=None, dtype=float, out=None):
        """Like `rng.standard_normal(size, dtype=np.float64, out=None)`."""
        _check_float_dtype(dtype, "standard_normal")
        return self._draw(_host.wit_random.Distribution_StandardNormal(), size, _FLOAT64, out)

    def random(self, size=None, dtype=float, out=None):
        """Like `rng.random(size, dtype=np.float64, out=None)`: uniform on [0, 1)."""
        _check_float_dtype(dtype, "random")
        return self._draw(_host.wit_random.Distribution_Random(), size, _FLOAT64, out)

    def normal(self, loc=0.0, scale=1.0, size=None):
        """Like `rng.normal(loc, scale, size)` with scalar `loc` and `scale`."""
        if isinstance(loc, (list, tuple)) or isinstance(scale, (list, tuple)) or hasattr(loc, "_wm_bytes") or hasattr(scale, "_wm_bytes"):
            raise NotImplementedError("normal() with array loc or scale is not supported: pass numbers")
        params = _host.wit_random.NormalParams(float(loc), float(scale))
        return self._draw(_host.wit_random.Distribution_Normal(params), size, _FLOAT64, None)

    def integers(self, low, high=None, size=None, dtype=None, endpoint=False):
        """Like `rng.integers(low, high=None, size=None, dtype=np.int64, endpoint=False)`."""
        if dtype is not None and dtypes.dtype(dtype).name != "int64":
            raise NotImplementedError(
                "integers() supports dtype=np.int64 only: numpy draws other widths differently"
            )
        if high is None:
            low, high = 0, low
        low = _bound(low)
        high = _bound(high)
        if not endpoint and high == _S64[1] + 1 and low <= _S64[1]:
            high, endpoint = _S64[1], True  # [low, 2**63) is [low, 2**63 - 1]
        if not (_S64[0] <= low <= _S64[1]):
            raise ValueError("low is out of bounds for int64")
        if not (_S64[0] <= high <= _S64[1]):
            raise ValueError("high is out of bounds for int64")
        params = _host.wit_random.IntegerParams(low, high, bool(endpoint))
        return self._draw(_host.wit_random.Distribution_Integers(params), size, _INT64, None)


Generator.__module__ = "numpy.random"


def default_rng(seed=None):
    """Like `np.random.default_rng(seed)`: a `Generator` drawing numpy's streams.

    `seed` is an int, a sequence of ints, `None` (fresh entropy from the host) or a `Generator`
    (returned as is)."""
    if isinstance(seed, Generator):
        return seed
    words = None if seed is None else seed_words(seed)
    _host.require()
    return Generator(_host.call(_host.wit_random.Generator.create, words))
