"""numpy's basic indexing: a key (`a[2, ::-3, ..., None]`) as a tuple of plain items, and its
effect on a shape and strides (for arrays held in Python; the host does the same for maps).

Advanced ("fancy") indexing with lists, arrays or booleans gives copies in numpy and is not
supported: it raises `NotImplementedError`.
"""

import operator

_S64_MIN = -(1 << 63)
_S64_MAX = (1 << 63) - 1

_NOT_AN_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean "
    "arrays are valid indices"
)


def _fancy(kind):
    return NotImplementedError(
        f"indexing with {kind} (numpy's advanced indexing, which copies) is not supported: "
        "use integers, slices, ... and None"
    )


def _clip(value):
    return min(max(value, _S64_MIN), _S64_MAX)


def _item(item):
    if item is None or item is Ellipsis:
        return item
    if isinstance(item, slice):
        parts = []
        for part in (item.start, item.stop, item.step):
            if part is None:
                parts.append(None)
                continue
            try:
                parts.append(_clip(operator.index(part)))
            except TypeError:
                raise TypeError("slice indices must be integers or None or have an __index__ method") from None
        if parts[2] == 0:
            raise ValueError("slice step cannot be zero")
        return slice(*parts)
    if isinstance(item, bool) or type(item).__name__ == "bool_":
        raise _fancy("a boolean")
    if isinstance(item, (list, tuple)) or hasattr(item, "_wm_bytes"):
        raise _fancy("a list or an array")
    try:
        number = operator.index(item)
    except TypeError:
        raise IndexError(_NOT_AN_INDEX) from None
    if not _S64_MIN <= number <= _S64_MAX:
        raise IndexError(_NOT_AN_INDEX)
    return number


def normalise(key):
    """The items of `key` as a tuple of ints, slices (of ints or None), `Ellipsis` and `None`."""
    items = key if isinstance(key, tuple) else (key,)
    out = tuple(_item(item) for item in items)
    if sum(1 for item in out if item is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    return out


def is_element(items, ndim):
    """Whether `items` picks one element (one integer per axis): numpy then returns a scalar."""
    return len(items) == ndim and all(type(item) is int for item in items)


def result_ndim(items, ndim):
    """The number of axes of the view `items` selects from an array of `ndim` axes."""
    ints = sum(1 for item in items if type(item) is int)
    new = sum(1 for item in items if item is None)
    return ndim - ints + new


def check_count(items, ndim):
    """numpy's error for more indices than axes; returns the number of axes indexed."""
    counted = sum(1 for item in items if item is not None and item is not Ellipsis)
    if counted > ndim:
        raise IndexError(
            f"too many indices for array: array is {ndim}-dimensional, but {counted} were indexed"
        )
    return counted


def apply(shape, strides, offset, items):
    """(shape, strides, byte offset) of the view `items` selects, with numpy's errors."""
    ndim = len(shape)
    counted = check_count(items, ndim)
    if Ellipsis not in items:
        items = tuple(items) + (Ellipsis,)
    new_shape, new_strides = [], []
    axis = 0
    for item in items:
        if item is None:
            new_shape.append(1)
            new_strides.append(0)
        elif item is Ellipsis:
            for _ in range(ndim - counted):
                new_shape.append(shape[axis])
                new_strides.append(strides[axis])
                axis += 1
        elif isinstance(item, slice):
            start, _stop, step = item.indices(shape[axis])
            length = len(range(*item.indices(shape[axis])))
            if length:
                offset += start * strides[axis]
            new_shape.append(length)
            new_strides.append(strides[axis] * step)
            axis += 1
        else:
            size = shape[axis]
            position = item + size if item < 0 else item
            if not 0 <= position < size:
                raise IndexError(f"index {item} is out of bounds for axis {axis} with size {size}")
            offset += position * strides[axis]
            axis += 1
    return tuple(new_shape), tuple(new_strides), offset


def c_strides(shape, itemsize):
    """The strides of a C-contiguous array of `shape`."""
    strides = []
    step = itemsize
    for length in reversed(shape):
        strides.append(step)
        step *= max(length, 1)
    return tuple(reversed(strides))


def size(shape):
    total = 1
    for length in shape:
        total *= length
    return total
