"""`np.memmap`: an array whose elements live in a file the host maps, and its views.

Every element operation is a call to the host's `mmap` interface; the Python object holds the
host's handle, which is dropped (and the host flushes the mapping) when the object goes, as on
`del a`. Views made by basic indexing, `.T` and `transpose` hold their own handles to the same
mapping, which stays alive while any of them lives.
"""

import operator
import os
import struct
import warnings

from . import _host, arithmetic, casting, dtypes, fancy, indexing, printing
from .ndarray import MemmapCopy, _Sized, _check_axes, _nest
from .reductions import narrow, narrow_mean
from .scalars import TYPES

_VALID_FILEMODES = ["r", "c", "r+", "w+"]
_MODE_EQUIVALENTS = {"readonly": "r", "copyonwrite": "c", "readwrite": "r+", "write": "w+"}
_WIT_MODES = {"r": "READ_ONLY", "r+": "READ_WRITE", "w+": "WRITE", "c": "COPY_ON_WRITE"}
_EXACT = float(1 << 53)  # float64 holds every integer below this: host results are exact


def canonical_mode(mode):
    """numpy's mode string for any of its spellings, with numpy's error for others."""
    try:
        return _MODE_EQUIVALENTS[mode]
    except (KeyError, TypeError):
        if mode not in _VALID_FILEMODES:
            all_modes = _VALID_FILEMODES + list(_MODE_EQUIVALENTS.keys())
            raise ValueError(f"mode must be one of {all_modes!r} (got {mode!r})") from None
        return mode


def wit_mode(mode):
    return _host.wit_types.Mode[_WIT_MODES[mode]]


_INTP = (-(1 << 63), (1 << 63) - 1)


def _intp(value):
    # numpy multiplies the shape as np.intp, which wraps around
    return (value - _INTP[0]) % (1 << 64) + _INTP[0]


def shape_list(shape, itemsize=1, offset=0, mode="w+"):
    """`shape` (an int or a sequence of ints) as a list, with the errors numpy's memmap gives."""
    if not isinstance(shape, (tuple, list)):
        try:
            shape = [operator.index(shape)]
        except TypeError:
            pass
    try:
        dims = [operator.index(n) for n in shape]
    except TypeError as e:
        raise TypeError(str(e)) from None
    if any(n > _INTP[1] or n < _INTP[0] for n in dims):
        raise OverflowError("Python int too large to convert to C long")
    if any(n < 0 for n in dims):
        # numpy maps offset + size * itemsize bytes first (at least 1 for r+ and w+), and only
        # then finds the shape negative
        size = 1
        for n in dims:
            size = _intp(size * n)
        length = _intp(offset + _intp(size * itemsize))
        if mode in ("r+", "w+"):
            length = max(length, 1)
        if length - (offset - offset % 4096) < 0:
            raise OverflowError("memory mapped length must be positive")
        raise ValueError("negative dimensions are not allowed")
    return dims


def path_of(filename):
    """The path string of a filename argument; open file objects are not supported."""
    if hasattr(filename, "read"):
        raise NotImplementedError(
            "np.memmap on an open file object is not supported in the sandbox: pass the file's path"
        )
    path = os.fspath(filename)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return path


def _wit_order(order):
    if order in ("C", "A", "K", None):
        return _host.wit_types.Order.C
    if order == "F":
        return _host.wit_types.Order.FORTRAN
    raise ValueError(f"order must be one of 'C', 'F', 'A', or 'K' (got {order!r})")


def _scalar_value(wit_scalar):
    """The Python value of a WIT `scalar` variant."""
    value = wit_scalar.value
    name = type(wit_scalar).__name__
    if name == "Scalar_Float16":
        return struct.unpack("<e", struct.pack("<H", value))[0]
    if name in ("Scalar_Complex64", "Scalar_Complex128"):
        return complex(value[0], value[1])
    return value


@arithmetic.install
class memmap(_Sized):
    """Like `np.memmap(filename, dtype=np.uint8, mode='r+', offset=0, shape=None, order='C')`."""

    __slots__ = ("_h", "_dtype", "_shape", "_strides", "_is_view", "filename", "mode", "offset",
                 "__weakref__")

    def __new__(cls, filename, dtype="uint8", mode="r+", offset=0, shape=None, order="C"):
        mode = canonical_mode(mode)
        if mode == "w+" and shape is None:
            raise ValueError("shape must be given if mode == 'w+'")
        path = path_of(filename)
        dt = dtypes.dtype(dtype)
        offset = operator.index(offset)
        dims = None if shape is None else shape_list(shape, dt.itemsize, offset, mode)
        if offset < 0:
            raise OverflowError("memory mapped offset must be positive")
        wit_order = _wit_order(order)
        _host.require()
        handle = _host.call(
            _host.wit_mmap.Memmap.open, path, _host.dtype(dt), wit_mode(mode), dims, offset, wit_order
        )
        made = cls._wrap(handle, path, mode, offset)
        made._dtype = dt if dt.name == made._dtype.name else made._dtype  # keeps 'q' apart from 'l'
        return made

    @classmethod
    def _wrap(cls, handle, filename, mode, offset):
        made = object.__new__(cls)
        made._h = handle
        made._dtype = _host.from_dtype(handle.dtype())
        made._shape = tuple(handle.shape())
        made._strides = tuple(handle.strides())
        made.filename = filename
        made.mode = mode
        made.offset = offset
        made._is_view = False
        return made

    def _view(self, handle):
        view = memmap._wrap(handle, self.filename, self.mode, self.offset)
        view._is_view = True
        if view._dtype.name == self._dtype.name:
            view._dtype = self._dtype
        return view

    def _class_name(self):
        # numpy's views that share no memory with the map (empty ones) are plain arrays
        return "array" if self._is_view and self.size == 0 else "memmap"

    @property
    def chunks(self):
        """The chunk shape of a Zarr array, like zarr-python's `z.chunks` (a view reports its
        array's); None for a map of a file, which numpy's memmap does not have at all."""
        chunks = self._h.chunks()
        return None if chunks is None else tuple(chunks)

    # ---- element data ----
    def _read(self):
        return _host.call(self._h.read_bytes, [])

    def _wm_bytes(self):
        return self._dtype, self._shape, _host.call_array(self._shape, self._dtype, self._h.read_bytes, [])

    def _values(self):
        return dtypes.unpack_native(self._dtype, self._read())

    def _only_value(self):
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return _scalar_value(_host.call(self._h.item, []))

    def tolist(self):
        return _nest(self._values(), self._shape)

    def tobytes(self, order="C"):
        if order not in ("C", "A", "K"):
            raise NotImplementedError("tobytes() supports order='C' only")
        data = self._read()
        if self._dtype.isnative:
            return data
        fmt = self._dtype.struct_format
        values = dtypes.unpack_native(self._dtype, data)
        if self._dtype.kind == "c":
            flat = [p for v in values for p in (v.real, v.imag)]
            return struct.pack(f">{len(flat)}{fmt[0]}", *flat)
        return struct.pack(f">{len(values)}{fmt}", *values)

    def item(self, *args):
        if len(args) == 1 and isinstance(args[0], tuple):
            args = args[0]
        at = [operator.index(a) for a in args]
        return _scalar_value(_host.call(self._h.item, at))

    def copy(self, order="C"):
        """The elements read into Python. numpy's copy of a memmap is an in-memory `memmap` (it
        prints as `memmap([...])`, its views as `array([...])`); this one prints the same."""
        data = _host.call_array(self._shape, self._dtype, self._h.read_bytes, [])
        return MemmapCopy._wrap(self._dtype, self._shape, data, label="memmap")

    def __array__(self, dtype=None, copy=None):
        return self.copy() if dtype is None else self.copy().astype(dtype)

    # ---- integer-array indexing: one host call for all the positions ----
    def _read_only(self):
        return self.mode == "r"

    def _fancy_take(self, plan):
        return _host.call_array(plan.shape, self._dtype, self._h.take, _host.per_axis(plan.lists))

    def _fancy_put(self, plan, data, data_shape):
        _host.call(self._h.put, _host.per_axis(plan.lists), data, list(data_shape))

    def _flat_take(self, positions):
        return _host.call_array((len(positions),), self._dtype, self._h.take, _host.flat(positions))

    def _flat_put(self, positions, data):
        _host.call(self._h.put, _host.flat(positions), data, None)

    def _flat_item(self, position):
        return _scalar_value(_host.call(self._h.item_flat, position))

    def _flat_set(self, position, value):
        _host.call(self._h.set_item_flat, position, _host.scalar(self._dtype, value))

    # ---- indexing ----
    def __getitem__(self, key):
        if fancy.has_array(key):
            return fancy.getitem(self, key)
        items = indexing.normalise(key)
        if indexing.is_element(items, self.ndim):
            return TYPES[self._dtype.name](_scalar_value(_host.call(self._h.item, list(items))))
        return self._view(_host.call(self._h.view, _host.index(items)))

    def __setitem__(self, key, value):
        if fancy.has_array(key):
            fancy.setitem(self, key, value)
            return
        items = indexing.normalise(key)
        indexing.check_count(items, self.ndim)
        data, data_shape = casting.to_bytes(value, self._dtype, indexing.result_ndim(items, self.ndim))
        _host.call(self._h.write_bytes, _host.index(items), data, list(data_shape))

    def fill(self, value):
        self[...] = value

    def flush(self):
        """Like numpy's `a.flush()`: writes changes to the file (the whole map, also from a view)."""
        _host.call(self._h.flush)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        if not axes:
            return self._view(_host.call(self._h.transpose))
        axes = [operator.index(a) for a in axes]
        if len(axes) == self.ndim:
            _check_axes(axes, self.ndim)
        return self._view(_host.call(self._h.permute, axes))

    def reshape(self, *shape, order="C"):
        raise NotImplementedError(
            "reshape of a memmap is not supported (the host has no reshape view): open the file "
            "with the shape you need, or reshape a copy (a.copy().reshape(...))"
        )

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        return self.copy().astype(dtype)

    # ---- reductions, run by the host over the mapping ----
    def _exact_int(self, value):
        return abs(value) < _EXACT

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        from .reductions import _check_args, total

        _check_args("sum", axis, dtype, out, keepdims)
        kind = self._dtype.kind
        if kind == "c":
            return total(self._dtype, self._values())
        result = _host.call(self._h.sum, [])
        if kind == "f":
            return TYPES[self._dtype.name](narrow(self._dtype, result))
        if not self._exact_int(result):
            return total(self._dtype, self._values())
        return TYPES["uint64" if kind == "u" else "int64"](int(result))

    def _extreme(self, name, largest, axis, out, keepdims):
        from .reductions import _check_args, extreme

        _check_args(name, axis, None, out, keepdims)
        if self._dtype.kind == "c":
            return extreme(self._dtype, self._values(), largest)
        result = _host.call(self._h.max if largest else self._h.min, [])
        if self._dtype.kind == "f":
            return TYPES[self._dtype.name](result)
        if not self._exact_int(result):
            return extreme(self._dtype, self._values(), largest)
        return TYPES[self._dtype.name](int(result))

    def min(self, axis=None, out=None, keepdims=False):
        return self._extreme("min", False, axis, out, keepdims)

    def max(self, axis=None, out=None, keepdims=False):
        return self._extreme("max", True, axis, out, keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        from .reductions import _check_args, mean

        _check_args("mean", axis, dtype, out, keepdims)
        if self._dtype.kind == "c":
            return mean(self._dtype, self._values())
        if self.size == 0:
            warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
        if self._dtype.name in ("float32", "float16"):
            summed = _host.call(self._h.sum, [])
            return TYPES[self._dtype.name](narrow_mean(self._dtype, summed, self.size))
        result = _host.call(self._h.mean, [])
        return TYPES[self._dtype.name if self._dtype.kind == "f" else "float64"](result)

    # ---- printing ----
    def __repr__(self):
        return printing.format_memmap(self._h, "repr", self._class_name(), self._dtype, self.size)

    def __str__(self):
        return printing.format_memmap(self._h, "str", self._class_name())


memmap.__module__ = "numpy"


def transpose(a, axes=None):
    """Like `np.transpose(a, axes)`: a view with the axes reversed or permuted."""
    if axes is None:
        return a.transpose()
    return a.transpose(tuple(axes))
