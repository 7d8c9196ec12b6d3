"""The host's interfaces, as componentize-py generates them, and the one way to call them.

The bindings exist only inside the runner component; under a plain CPython (the unit tests) the
pure-Python parts of the package still import, and anything that needs the host raises.
"""

import struct

from . import errors

try:
    from componentize_py_types import Err
    from wit_world.imports import format as wit_format
    from wit_world.imports import mmap as wit_mmap
    from wit_world.imports import wasm_memmap_array_random as wit_random
    from wit_world.imports import wasm_memmap_array_types as wit_types
except ImportError:  # outside the component
    Err = None
    wit_format = wit_mmap = wit_random = wit_types = None


def available():
    """Whether the host's interfaces are there (inside the runner component)."""
    return wit_types is not None


def require():
    if wit_types is None:
        raise RuntimeError("wasm_memmap needs the wasm-memmap host: run the script with `wasm-memmap run`")


def call(fn, *args):
    """`fn(*args)`, with the host's error raised as numpy's exception."""
    try:
        return fn(*args)
    except Exception as e:
        if Err is not None and isinstance(e, Err):
            error = e.value
            raise errors.exception(error.code.name, error.message) from None
        raise


def call_array(shape, dt, fn, *args):
    """`call` for a host call that makes a new array in Python (draws, copies): a refusal by the
    embedder's limits is numpy's "Unable to allocate ..." `MemoryError`, the host's reason kept as
    a note (shown under the traceback)."""
    try:
        return call(fn, *args)
    except MemoryError as e:
        from .exceptions import _ArrayMemoryError

        error = _ArrayMemoryError(shape, dt)
        error.add_note(f"(in the sandbox: {e})")
        raise error from None


def index(items):
    """The WIT `list<index>` for normalised index items (ints, slices, Ellipsis, None)."""
    require()
    out = []
    for item in items:
        if item is None:
            out.append(wit_types.Index_NewAxis())
        elif item is Ellipsis:
            out.append(wit_types.Index_Ellipsis())
        elif isinstance(item, slice):
            out.append(wit_types.Index_Slice(wit_types.Slice(item.start, item.stop, item.step)))
        else:
            out.append(wit_types.Index_At(item))
    return out


def per_axis(lists):
    """The WIT `indices` for one index list per leading axis (numpy's `a[idx0, idx1]`)."""
    require()
    return wit_types.Indices_PerAxis(lists)


def flat(values):
    """The WIT `indices` for positions in the array flattened in C order (`a.flat[idx]`)."""
    require()
    return wit_types.Indices_Flat(values)


def scalar(dt, value):
    """The WIT `scalar` of a Python value already converted for `dt` (`casting.converter`)."""
    require()
    name = dt.name
    if name == "float16":
        value = struct.unpack("<H", struct.pack("<e", value))[0]
    elif dt.kind == "c":
        value = (value.real, value.imag)
    return getattr(wit_types, "Scalar_" + name.capitalize())(value)


def dtype(dt):
    """The WIT `dtype` record for a `wasm_memmap.dtype`."""
    require()
    order = wit_types.ByteOrder.BIG if dt.byteorder == ">" else wit_types.ByteOrder.LITTLE
    return wit_types.Dtype(wit_types.ScalarKind[dt.name.upper()], order)


def from_dtype(wit_dtype):
    """The `wasm_memmap.dtype` of a WIT `dtype` record."""
    from .dtypes import dtype as make

    name = wit_dtype.kind.name.lower()
    return make(name).newbyteorder(">" if wit_dtype.byte_order == wit_types.ByteOrder.BIG else "<")
