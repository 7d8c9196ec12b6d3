"""numpy's functions that only forward to an array's method (`np.sum(a)` is `a.sum()`), for
memmaps, arrays held in Python and, through `np.array`, numbers and nested sequences."""

from .ndarray import array


def _as_array(a):
    return a if hasattr(a, "_wm_bytes") else array(a)


def sum(a, axis=None, dtype=None, out=None, keepdims=False):  # noqa: A001 (numpy's name)
    """Like `np.sum(a)`: the sum of every element."""
    return _as_array(a).sum(axis=axis, dtype=dtype, out=out, keepdims=keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Like `np.mean(a)`: the mean of every element."""
    return _as_array(a).mean(axis=axis, dtype=dtype, out=out, keepdims=keepdims)


def min(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Like `np.min(a)` (`np.amin`): the smallest element."""
    return _as_array(a).min(axis=axis, out=out, keepdims=keepdims)


def max(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Like `np.max(a)` (`np.amax`): the largest element."""
    return _as_array(a).max(axis=axis, out=out, keepdims=keepdims)


amin = min
amax = max


def shape(a):
    """Like `np.shape(a)`."""
    return _as_array(a).shape


def ndim(a):
    """Like `np.ndim(a)`."""
    return _as_array(a).ndim


def size(a):
    """Like `np.size(a)` (of the whole array)."""
    return _as_array(a).size


def copy(a):
    """Like `np.copy(a)`: the elements read into a new array held in Python (numpy's `np.copy`
    of a memmap is a plain array)."""
    source = _as_array(a)
    return array(source)
