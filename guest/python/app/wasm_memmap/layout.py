"""Moving element bytes between a strided view of a buffer and C order, with `memoryview`s."""

import itertools

from .indexing import c_strides, size

_UNIT_FORMAT = {1: "B", 2: "H", 4: "I", 8: "Q"}


def _rows(shape, strides, offset):
    """The byte offset of the first element of every innermost row, in C order."""
    if len(shape) <= 1:
        yield offset
        return
    outer = shape[:-1]
    outer_strides = strides[:-1]
    for idx in itertools.product(*(range(n) for n in outer)):
        yield offset + sum(i * s for i, s in zip(idx, outer_strides))


def _plan(itemsize):
    unit = itemsize if itemsize <= 8 else 8
    return unit, _UNIT_FORMAT[unit], itemsize // unit


def gather(buf, itemsize, shape, strides, offset):
    """The elements of the view (`shape`, byte `strides`, byte `offset` into `buf`) in C order."""
    count = size(shape)
    if count == 0:
        return b""
    if tuple(strides) == c_strides(shape, itemsize):
        return bytes(buf[offset:offset + count * itemsize])
    if not shape:
        return bytes(buf[offset:offset + itemsize])
    unit, fmt, per = _plan(itemsize)
    src = memoryview(buf).cast("B")[: len(buf) - len(buf) % unit].cast(fmt)
    out = bytearray(count * itemsize)
    dst = memoryview(out).cast(fmt)
    inner = shape[-1]
    step = strides[-1] // unit
    pos = 0
    for row in _rows(shape, strides, offset):
        base = row // unit
        if step == 0:
            item = bytes(buf[row:row + itemsize])
            out[pos * unit:(pos + inner * per) * unit] = item * inner
        else:
            for k in range(per):
                start = base + k
                stop = start + inner * step
                dst[pos + k:pos + inner * per:per] = src[start:(stop if stop >= 0 else None):step]
        pos += inner * per
    return bytes(out)


def scatter(buf, itemsize, shape, strides, offset, data):
    """Stores `data` (C order) into the view (`shape`, `strides`, `offset`) of the bytearray `buf`."""
    count = size(shape)
    if count == 0:
        return
    if tuple(strides) == c_strides(shape, itemsize):
        buf[offset:offset + count * itemsize] = data
        return
    if not shape:
        buf[offset:offset + itemsize] = data
        return
    unit, fmt, per = _plan(itemsize)
    dst = memoryview(buf).cast(fmt)
    src = memoryview(data).cast(fmt)
    inner = shape[-1]
    step = strides[-1] // unit
    pos = 0
    for row in _rows(shape, strides, offset):
        base = row // unit
        if step == 0:  # a length-1 axis made by None
            buf[row:row + itemsize] = data[pos * unit:pos * unit + itemsize]
        else:
            for k in range(per):
                start = base + k
                stop = start + inner * step
                dst[start:(stop if stop >= 0 else None):step] = src[pos + k:pos + inner * per:per]
        pos += inner * per


def broadcast(data, itemsize, data_shape, shape):
    """`data` (C order, `data_shape`) broadcast to `shape` by numpy's rules, in C order."""
    original = data_shape = tuple(data_shape)
    shape = tuple(shape)
    if data_shape == shape:
        return data
    if len(data_shape) > len(shape) and any(n != 1 for n in data_shape[: len(data_shape) - len(shape)]):
        raise _broadcast_error(original, shape)
    data_shape = data_shape[len(data_shape) - len(shape):] if len(data_shape) > len(shape) else data_shape
    padded = (1,) * (len(shape) - len(data_shape)) + data_shape
    strides = []
    for have, want, stride in zip(padded, shape, c_strides(padded, itemsize)):
        if have == want:
            strides.append(stride)
        elif have == 1:
            strides.append(0)
        else:
            raise _broadcast_error(original, shape)
    if size(shape) == 0:
        return b""
    return _gather_broadcast(data, itemsize, shape, strides)


def _gather_broadcast(data, itemsize, shape, strides):
    out = bytearray()
    for row in _rows(shape, strides, 0):
        if not shape:
            out += data[:itemsize]
        elif strides[-1] == 0:
            out += bytes(data[row:row + itemsize]) * shape[-1]
        else:
            out += data[row:row + shape[-1] * itemsize]
    return bytes(out)


def _broadcast_error(data_shape, shape):
    return ValueError(
        f"could not broadcast input array from shape {_shape_text(data_shape)} into shape {_shape_text(shape)}"
    )


def _shape_text(shape):
    return "(" + ",".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
