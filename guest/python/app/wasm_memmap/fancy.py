"""numpy's integer-array ("advanced") indexing: `a[[i, j, k]]`, `a[idx0, idx1]`, `a.flat[idx]`,
`np.take`, `np.put` and their assignments, with numpy's results, messages and exception types.

This module turns a key into integer lists and shapes; the arrays do the moving. A memmap hands
the lists to the host in one call (WIT `take` / `put` over `indices`, `item-flat` / `set-item-flat`
for one element), an array held in Python gathers them itself. numpy returns copies here, never
views: `a[[0, 2]]` of a memmap is a plain `ndarray`, while `a.flat[idx]` and `np.take(a, idx)`
keep the class of `a` (numpy's `memmap` copy, which holds no file).

Supported keys: integer lists, tuples and integer arrays (any shape, broadcast together as numpy
does) and integers on the leading axes, optionally followed by `:` and `...`. Slices other than
`:` combined with arrays, `None` beside arrays and boolean masks raise `NotImplementedError`.
"""

import operator
import struct

from . import casting, dtypes, indexing, layout

_S64 = 1 << 63
_NOT_AN_INDEX = indexing._NOT_AN_INDEX
_NOT_INTEGER_ARRAY = "arrays used as indices must be of integer (or boolean) type"
_FLAT_NOT_AN_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`) and integer or boolean arrays are valid indices"
)
_FLAT_BOOLEAN = (
    "boolean indices for iterators are not supported because of previous behavior that was "
    "confusing (valid boolean indices are expected to work in the future)"
)
_FLAT_FLOAT = (
    "Invalid non-array indices for iterator objects are deprecated and will be removed in a "
    "future version. (Deprecated NumPy 2.4)"
)
_C_LONG_OVERFLOW = "Python int too large to convert to C long"
_CLIP_MODES = ("raise", "wrap", "clip")


def _not_supported(what):
    return NotImplementedError(
        f"indexing with {what} is not supported: use integer arrays (or integers) on the leading "
        "axes, optionally followed by ':' or '...', or basic indexing (integers, slices, ... and None)"
    )


def _mask():
    return NotImplementedError(
        "boolean mask indexing (a[mask]) is not supported: use integer indices (the positions "
        "where the mask is true)"
    )


def shape_text(shape):
    """A shape as numpy's broadcasting messages write it: `(2,3)`, `(2,)`, `()`."""
    return "(" + ",".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def is_array(item):
    """Whether a key item is an index array (a list, a tuple or an array) rather than a scalar."""
    if isinstance(item, (list, tuple)):
        return True
    return hasattr(item, "_wm_bytes") and getattr(item, "ndim", 0) > 0


def has_array(key):
    """Whether `key` (as given to `a[key]`) uses integer-array indexing."""
    items = key if isinstance(key, tuple) else (key,)
    return any(is_array(item) for item in items)


# ---- index arrays --------------------------------------------------------------------------------


def _integer(x, convert, flat=False):
    if isinstance(x, bool) or type(x).__name__ == "bool_":
        return int(x)
    try:
        number = operator.index(x)
    except TypeError:
        number = convert(x)
    if -_S64 <= number < _S64:
        return number
    if flat:
        raise OverflowError(_C_LONG_OVERFLOW)
    if _S64 <= number < 2 * _S64:  # numpy reads it as uint64, then as intp: it wraps
        return number - 2 * _S64
    raise IndexError(_NOT_AN_INDEX)


def _no_float(_x):
    raise IndexError(_NOT_AN_INDEX)


def _truncate(x):
    # np.take and np.put cast their indices unsafely: 1.5 is index 1
    if isinstance(x, float):
        return int(x)
    raise IndexError(_NOT_AN_INDEX)


def index_array(obj, convert=_no_float, flat=False):
    """(shape, flat list of ints) of an index array, with numpy's errors. `convert` handles a
    leaf that is not an integer (an error for indexing, truncation for `np.take` / `np.put`);
    `flat`: an index past int64 is `a.flat`'s OverflowError."""
    source = getattr(obj, "_wm_bytes", None)
    if source is not None:
        if obj.dtype.kind == "b":
            raise _mask()
        if obj.dtype.kind not in "iu" and convert is _no_float:
            raise IndexError(_NOT_INTEGER_ARRAY)
        values = obj._values()
        if obj.dtype.kind != "i":  # uint64 past int64 wraps; floats (np.take) truncate
            values = [_integer(v, convert, flat) for v in values]
        return tuple(obj.shape), values
    if isinstance(obj, list) and obj and all(type(x) is int for x in obj):
        # the common case, a flat list of Python ints: no per-element conversion
        if -_S64 <= min(obj) and max(obj) < _S64:
            return (len(obj),), obj
    shape, leaves = casting.discover(obj)
    if leaves and all(isinstance(x, bool) or type(x).__name__ == "bool_" for x in leaves):
        raise _mask()
    return shape, [_integer(x, convert, flat) for x in leaves]


def broadcast_shape(shapes, error):
    """numpy's broadcast of `shapes`, or `error()` raised."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for axis, n in enumerate(shape, ndim - len(shape)):
            if n != out[axis]:
                if out[axis] != 1 and n != 1:
                    raise error()
                out[axis] = n if out[axis] == 1 else out[axis]
    return tuple(out)


def _expand(values, shape, target):
    """`values` (C order, `shape`) broadcast to `target`, as a flat list."""
    if tuple(shape) == tuple(target):
        return values
    count = indexing.size(target)
    if not shape:
        return values * count
    data = struct.pack(f"<{len(values)}q", *values)
    data = layout.broadcast(data, 8, shape, target)
    return list(struct.unpack(f"<{count}q", data))


class Plan:
    """An integer-array key resolved against an array's shape: one flat list of indices per
    leading axis (all of one length), the shape of their broadcast, and the result's shape."""

    __slots__ = ("lists", "index_shape", "shape")

    def __init__(self, lists, index_shape, shape):
        self.lists = lists
        self.index_shape = index_shape
        self.shape = shape


def plan(key, shape):
    """The `Plan` of `key` (which has at least one index array) for an array of `shape`."""
    items = key if isinstance(key, tuple) else (key,)
    ndim = len(shape)
    counted = sum(1 for item in items if item is not None and item is not Ellipsis)
    if counted > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {counted} were indexed")
    lead = 0
    while lead < len(items) and items[lead] is not None and items[lead] is not Ellipsis and not isinstance(items[lead], slice):
        lead += 1
    for item in items[lead:]:
        if is_array(item):
            raise _not_supported("an integer array after a slice, '...' or None (numpy moves the axes)")
        if item is None:
            raise _not_supported("None beside integer arrays")
        if isinstance(item, slice) and (item.start, item.stop, item.step) != (None, None, None):
            raise _not_supported("a slice other than ':' beside integer arrays")
        if not isinstance(item, slice) and item is not Ellipsis:
            raise _not_supported("an integer after a slice beside integer arrays")
    shapes, arrays = [], []
    for item in items[:lead]:
        if is_array(item):
            s, values = index_array(item)
            shapes.append(s)
        else:
            number = indexing._item(item)  # an integer, with numpy's errors for other scalars
            s, values = (), [number]
        arrays.append((s, values))
    index_shape = broadcast_shape(
        [s for s, _ in arrays],
        lambda: IndexError(
            "shape mismatch: indexing arrays could not be broadcast together with shapes "
            + "".join(shape_text(s) + " " for s in shapes)
        ),
    )
    lists = [_expand(values, s, index_shape) for s, values in arrays]
    return Plan(lists, index_shape, index_shape + tuple(shape[lead:]))


def fit_value(data_shape, shape):
    """The value's shape made ready to broadcast to an assignment's `shape` (leading 1s dropped),
    with numpy's message when it cannot."""
    data_shape = tuple(data_shape)
    error = ValueError(
        f"shape mismatch: value array of shape {shape_text(data_shape)} could not be broadcast "
        f"to indexing result of shape {shape_text(shape)}"
    )
    extra = len(data_shape) - len(shape)
    if extra > 0:
        if any(n != 1 for n in data_shape[:extra]):
            raise error
        data_shape = data_shape[extra:]
    for have, want in zip(reversed(data_shape), reversed(shape)):
        if have not in (1, want):
            raise error
    return data_shape


def getitem(a, key):
    """`a[key]` for an integer-array key: a new plain array (numpy's `ndarray`)."""
    p = plan(key, a.shape)
    data = a._fancy_take(p)
    return _new_array(a.dtype, p.shape, data, "array")


def setitem(a, key, value):
    """`a[key] = value` for an integer-array key, broadcasting `value` by numpy's rules."""
    if a._read_only():
        raise ValueError("assignment destination is read-only")
    p = plan(key, a.shape)
    data, data_shape = casting.to_bytes(value, a.dtype)
    a._fancy_put(p, data, fit_value(data_shape, p.shape))


def _new_array(dt, shape, data, label):
    from .ndarray import MemmapCopy, ndarray

    cls = MemmapCopy if label == "memmap" else ndarray
    return cls._wrap(dt, shape, data, label=label)


# ---- flat positions --------------------------------------------------------------------------------


def axis0_message(error, size):
    """A flat call's out-of-range message as `np.take` / `np.put` word it (they index the
    flattened array's axis 0)."""
    if isinstance(error, IndexError):
        text = str(error)
        suffix = f" is out of bounds for size {size}"
        if text.endswith(suffix):
            return IndexError(text[: -len(suffix)] + f" is out of bounds for axis 0 with size {size}")
    return error


_EMPTY_TAKE = "cannot do a non-empty take from an empty axes."
_EMPTY_PUT = "cannot replace elements of an empty array"


def _clipped(values, n, mode, empty=_EMPTY_TAKE):
    """`values` brought into `range(n)` as `mode` says; indices into an empty axis raise numpy's
    `empty` message in every mode (numpy checks it before the bounds)."""
    if n == 0 and values:
        raise IndexError(empty)
    if mode == "raise" or n == 0:
        return values
    if mode == "wrap":
        return [v % n for v in values]
    return [0 if v < 0 else n - 1 if v >= n else v for v in values]


def _check_mode(mode):
    if mode not in _CLIP_MODES:
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")


def _check_axis(axis, ndim):
    from .exceptions import AxisError

    axis = operator.index(axis)
    if not -ndim <= axis < max(ndim, 1):
        raise AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis + ndim if axis < 0 else axis


def _label(a):
    return getattr(a, "_label", None) or ("memmap" if hasattr(a, "_h") else "array")


def take(a, indices, axis=None, out=None, mode="raise"):
    """`np.take(a, indices, axis=None, out=None, mode='raise')` / `a.take(...)`: the elements at
    `indices` of the flattened array (or along `axis`), a copy keeping `a`'s class."""
    from .scalars import TYPES

    if out is not None:
        raise NotImplementedError("np.take(out=) is not supported")
    _check_mode(mode)
    if axis is None:
        n = a.size
        shape, values = index_array(indices, _truncate) if is_array(indices) else ((), [_integer(indices, _truncate)])
        values = _clipped(values, n, mode)
        try:
            if not shape:
                return TYPES[a.dtype.name](a._flat_item(values[0]))
            data = a._flat_take(values)
        except IndexError as e:
            raise axis0_message(e, n) from None
        return _new_array(a.dtype, shape, data, _label(a))
    axis = _check_axis(axis, a.ndim)
    shape, values = index_array(indices, _truncate) if is_array(indices) else ((), [_integer(indices, _truncate)])
    values = _clipped(values, a.shape[axis], mode)
    source = a if axis == 0 else a.transpose([axis] + [k for k in range(a.ndim) if k != axis])
    p = Plan([values], (len(values),), (len(values),) + tuple(source.shape[1:]))
    try:
        data = source._fancy_take(p)
    except IndexError as e:
        text = str(e)
        raise IndexError(text.replace("for axis 0 ", f"for axis {axis} ")) from None
    rest = tuple(source.shape[1:])
    result = _new_array(a.dtype, shape + rest, data, "array")
    if axis:
        # the taken axes go where `axis` was: numpy's shape[:axis] + indices.shape + shape[axis+1:]
        k = len(shape)
        order = list(range(k, k + axis)) + list(range(k)) + list(range(k + axis, k + len(rest)))
        result = result.transpose(order)
    return _new_array(a.dtype, result.shape, result.tobytes(), _label(a))


def _repeat(data, itemsize, count):
    """`data` (whole elements) repeated cyclically to `count` elements, as `np.put` does."""
    have = len(data) // itemsize
    if have == count:
        return data
    times = -(-count // have)
    return (bytes(data) * times)[: count * itemsize]


def put(a, ind, v, mode="raise"):
    """`np.put(a, ind, v, mode='raise')` / `a.put(...)`: `a.flat[ind] = v`, `v` repeated when
    shorter, with `np.put`'s messages."""
    if not hasattr(a, "_wm_bytes") or not hasattr(a, "_flat_put"):
        raise TypeError(f"argument 1 must be numpy.ndarray, not {type(a)!r}")
    if a._read_only():
        raise ValueError("put: output array is read-only")
    _check_mode(mode)
    _shape, values = index_array(ind, _truncate) if is_array(ind) else ((), [_integer(ind, _truncate)])
    n = a.size
    # numpy refuses an empty array before it converts `v` (and even when `v` is empty)
    values = _clipped(values, n, mode, _EMPTY_PUT)
    data, _ = casting.to_bytes(v, a.dtype)
    if not values or not data:
        return
    try:
        _flat_put_in_order(a, values, _repeat(data, a.itemsize, len(values)))
    except IndexError as e:
        raise axis0_message(e, n) from None


def _flat_put_in_order(a, positions, data):
    """Stores `data` at flat `positions` as numpy's `np.put` and `a.flat[idx] = v` do: in order,
    so a bad position raises after the ones before it were written. The array's own put writes
    nothing unless every position is good; only on that error is the good prefix written."""
    try:
        a._flat_put(positions, data)
    except IndexError:
        n = a.size
        good = next((i for i, v in enumerate(positions) if not -n <= v < n), 0)
        if good:
            a._flat_put(positions[:good], data[: good * a.itemsize])
        raise


class flatiter:
    """`a.flat`: a 1-D iterator over the array in C order (numpy's `numpy.flatiter`). Indexing it
    with an integer gives a numpy scalar, with a slice or an integer array a copy keeping `a`'s
    class; assignment repeats a short value, as numpy's does."""

    __slots__ = ("base",)

    def __init__(self, base):
        self.base = base

    def __len__(self):
        return self.base.size

    def __iter__(self):
        from .scalars import TYPES

        make = TYPES[self.base.dtype.name]
        return (make(v) for v in self.base.copy()._values())

    def __array__(self, dtype=None, copy=None):
        return self.copy()

    def copy(self):
        """Like `a.flat.copy()`: the elements, flattened, in a new array."""
        return _new_array(self.base.dtype, (self.base.size,), self.base.copy().tobytes(), "array")

    def _key(self, key):
        """("one", int) or ("many", shape, list of ints) for a flat key, with numpy's errors."""
        if isinstance(key, tuple):
            if len(key) != 1:
                raise IndexError(
                    "too many indices for flat iterator: flat iterator is 1-dimensional, but "
                    f"{len(key)} were indexed"
                )
            key = key[0]
        n = self.base.size
        if key is Ellipsis:
            key = slice(None)
        if isinstance(key, slice):
            return "many", None, list(range(*key.indices(n)))
        if isinstance(key, bool) or type(key).__name__ == "bool_":
            raise IndexError(_FLAT_BOOLEAN)
        if is_array(key):
            try:
                shape, values = index_array(key, _flat_float, flat=True)
            except NotImplementedError:
                raise IndexError(_FLAT_BOOLEAN) from None
            except IndexError:
                raise IndexError(_FLAT_NOT_AN_INDEX) from None
            return "many", shape, values
        try:
            number = operator.index(key)
        except TypeError:
            if not isinstance(key, float):
                raise IndexError(_FLAT_NOT_AN_INDEX) from None
            number = _flat_float(key)
        if not -_S64 <= number < _S64:
            raise OverflowError(_C_LONG_OVERFLOW)
        return "one", number

    def __getitem__(self, key):
        from .scalars import TYPES

        a = self.base
        found = self._key(key)
        if found[0] == "one":
            return TYPES[a.dtype.name](a._flat_item(found[1]))
        _, shape, values = found
        data = a._flat_take(values)
        return _new_array(a.dtype, shape if shape is not None else (len(values),), data, _label(a))

    def __setitem__(self, key, value):
        a = self.base
        if a._read_only():
            raise ValueError("underlying array is read-only")
        found = self._key(key)
        if found[0] == "one":
            try:
                converted = casting.converter(a.dtype)(_first(value))
            except (TypeError, ValueError, OverflowError):
                raise ValueError("Error setting single item of array.") from None
            a._flat_set(found[1], converted)
            return
        values = found[-1]
        data, _ = casting.to_bytes(value, a.dtype)
        if not values or not data:
            return
        _flat_put_in_order(a, values, _repeat(data, a.itemsize, len(values)))


def _first(value):
    # numpy's single-item assignment takes a scalar; a sequence is its "Error setting ..."
    if isinstance(value, (list, tuple)):
        raise ValueError(value)
    if hasattr(value, "_wm_bytes"):
        if value.size != 1:
            raise ValueError(value)
        return value._values()[0]
    return value


def _flat_float(x):
    from . import errors

    if isinstance(x, float):
        errors.warn(_FLAT_FLOAT, DeprecationWarning)
        number = int(x)
        if not -_S64 <= number < _S64:
            raise OverflowError(_C_LONG_OVERFLOW)
        return number
    raise IndexError(_FLAT_NOT_AN_INDEX)


# ---- the moving, for arrays held in Python ---------------------------------------------------------


def _checked(value, n, message):
    position = value + n if value < 0 else value
    if not 0 <= position < n:
        raise IndexError(message(value))
    return position


def element_offset(shape, strides, offset, flat):
    """The byte offset of element `flat` (C order) of the view (`shape`, `strides`, `offset`)."""
    for length, stride in zip(reversed(shape), reversed(strides)):
        flat, at = divmod(flat, length) if length else (0, 0)
        offset += at * stride
    return offset


def offsets_flat(shape, strides, offset, values):
    """Byte offsets of the flat positions `values`, with numpy's flat message for a bad one."""
    n = indexing.size(shape)
    return [
        element_offset(shape, strides, offset, _checked(v, n, lambda v: f"index {v} is out of bounds for size {n}"))
        for v in values
    ]


def offsets_axes(shape, strides, offset, lists):
    """Byte offsets of the sub-arrays picked by one index list per leading axis, checking axis
    by axis (numpy's order) with numpy's message."""
    count = len(lists[0]) if lists else 0
    out = [offset] * count
    for axis, values in enumerate(lists):
        n, stride = shape[axis], strides[axis]
        for i, v in enumerate(values):
            position = _checked(v, n, lambda v: f"index {v} is out of bounds for axis {axis} with size {n}")
            out[i] += position * stride
    return out


def gather_axes(buf, dt, shape, strides, offset, p):
    """The bytes of `p` taken from a view of `buf`, in C order."""
    k = len(p.lists)
    rest, rest_strides = tuple(shape[k:]), tuple(strides[k:])
    parts = [
        layout.gather(buf, dt.itemsize, rest, rest_strides, at)
        for at in offsets_axes(shape, strides, offset, p.lists)
    ]
    return b"".join(parts)


def scatter_axes(buf, dt, shape, strides, offset, p, data, data_shape):
    """Stores `data` (broadcast to `p.shape`) at `p` in a view of `buf`; later positions win."""
    k = len(p.lists)
    rest, rest_strides = tuple(shape[k:]), tuple(strides[k:])
    targets = offsets_axes(shape, strides, offset, p.lists)
    data = layout.broadcast(data, dt.itemsize, data_shape, p.shape)
    step = indexing.size(rest) * dt.itemsize
    for i, at in enumerate(targets):
        layout.scatter(buf, dt.itemsize, rest, rest_strides, at, data[i * step:(i + 1) * step])


def unpack_one(dt, data):
    return dtypes.unpack_native(dt, data)[0]
