"""Arrays held in Python: what reading a selection of a map gives (`np.array(a[:5])`,
`a[:5].copy()`) and what the random generator returns.

An `ndarray` is native-order element bytes with a dtype, a shape and strides; basic indexing
gives views sharing the bytes, as numpy's do. It prints (through the host's formatter, as
`array(...)`), converts (`tolist()`, `float()`, `int()`), reduces (`sum`, `min`, `max`, `mean`)
and can be assigned into a map or into another array. Arithmetic is not supported.
"""

import warnings

from . import arithmetic, casting, dtypes, fancy, indexing, layout, printing, reductions
from .exceptions import AxisError
from .scalars import TYPES

_SCALAR_DEPRECATION = (
    "Conversion of an array with ndim > 0 to a scalar is deprecated, and will error in future. "
    "Ensure you extract a single element from your array before performing this operation. "
    "(Deprecated NumPy 1.25.)"
)


def _nest(values, shape):
    if not shape:
        return values[0]
    if len(shape) == 1:
        return list(values)
    step = indexing.size(shape[1:])
    return [_nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


class _Sized:
    """What numpy's arrays and memmaps share: shape, dtype, strides, derived sizes, truth, length, iteration, scalars."""

    __slots__ = ()

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def strides(self):
        return self._strides

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return indexing.size(self.shape)

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize

    @property
    def T(self):
        return self.transpose()

    @property
    def flat(self):
        """Like numpy's `a.flat`: indexing by position in C order (`a.flat[i]`, `a.flat[idx]`)."""
        return fancy.flatiter(self)

    def take(self, indices, axis=None, out=None, mode="raise"):
        """Like `a.take(indices)`: numpy's `np.take(a, indices, ...)`."""
        return fancy.take(self, indices, axis=axis, out=out, mode=mode)

    def put(self, indices, values, mode="raise"):
        """Like `a.put(indices, values)`: numpy's `np.put(a, indices, values, ...)`."""
        fancy.put(self, indices, values, mode=mode)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __delitem__(self, key):
        raise ValueError("cannot delete array elements")

    def __bool__(self):
        if self.size == 1:
            return bool(self._only_value())
        if self.size == 0:
            raise ValueError(
                "The truth value of an empty array is ambiguous. Use `array.size > 0` to check that "
                "an array is not empty."
            )
        raise ValueError(
            "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()"
        )

    def _scalar_value(self):
        if self.size != 1:
            raise TypeError("only 0-dimensional arrays can be converted to Python scalars")
        if self.ndim:
            warnings.warn(_SCALAR_DEPRECATION, DeprecationWarning, stacklevel=3)
        return self._only_value()

    def __float__(self):
        return float(self._scalar_value())

    def __int__(self):
        return int(self._scalar_value())

    def __complex__(self):
        return complex(self._scalar_value())

    def __index__(self):
        if self.ndim or self.dtype.kind not in "iub":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self._only_value())


class _ArrayType(type):
    """Makes `isinstance(m, np.ndarray)` true for memmaps, as numpy's memmap subclasses ndarray."""

    def __instancecheck__(cls, obj):
        if type.__instancecheck__(cls, obj):
            return True
        return cls.__name__ == "ndarray" and type(obj).__name__ == "memmap" and hasattr(obj, "_h")


@arithmetic.install
class ndarray(_Sized, metaclass=_ArrayType):
    """An array held in Python, like a numpy `ndarray` (printed as `array(...)`)."""

    # `_label` is the class name `repr` writes: numpy's copy of a memmap is still a `memmap`
    # (printed `memmap([...])`), though indexing it gives plain arrays.
    __slots__ = ("_dtype", "_shape", "_strides", "_offset", "_buf", "_label")

    def __init__(self, shape, dtype=float, buffer=None, offset=0, strides=None):
        dt = dtypes.dtype(dtype)
        shape = _shape_tuple(shape)
        count = indexing.size(shape)
        self._dtype = dt
        self._shape = shape
        self._strides = tuple(strides) if strides is not None else indexing.c_strides(shape, dt.itemsize)
        self._offset = offset
        self._buf = bytearray(buffer) if buffer is not None else bytearray(count * dt.itemsize)
        self._label = "array"

    @classmethod
    def _wrap(cls, dt, shape, buf, strides=None, offset=0, label="array"):
        made = object.__new__(cls)
        made._label = label
        made._dtype = dt
        made._shape = tuple(shape)
        made._strides = tuple(strides) if strides is not None else indexing.c_strides(shape, dt.itemsize)
        made._offset = offset
        # bytes read from the host (or made by `tobytes`) are kept as they are, not copied into a
        # bytearray: `_shared` does that the first time the array is written or viewed
        made._buf = buf if isinstance(buf, (bytes, bytearray)) else bytearray(buf)
        return made

    def _shared(self):
        """The buffer, writable: an array read from the host starts on the immutable `bytes` it
        arrived in (no copy), and turns them into a `bytearray` the first time it is written or
        a view of it is made, so that it and its views share one buffer from then on."""
        if type(self._buf) is bytes:
            self._buf = bytearray(self._buf)
        return self._buf

    # ---- attributes ----
    @property
    def flags(self):
        return {"C_CONTIGUOUS": self._strides == indexing.c_strides(self._shape, self.itemsize),
                "WRITEABLE": True, "OWNDATA": self._offset == 0}

    # ---- element data ----
    def _wm_bytes(self):
        """(dtype, shape, native C-order bytes): what casting and the host take."""
        return self._dtype, self._shape, self.tobytes()

    def tobytes(self, order="C"):
        if order not in ("C", "A", "K"):
            raise NotImplementedError("tobytes() supports order='C' only")
        return layout.gather(self._buf, self.itemsize, self._shape, self._strides, self._offset)

    def _values(self):
        return dtypes.unpack_native(self._dtype, self.tobytes())

    def _only_value(self):
        return self._values()[0]

    def tolist(self):
        return _nest(self._values(), self._shape)

    def item(self, *args):
        if len(args) == 1 and isinstance(args[0], tuple):
            args = args[0]
        if not args:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return self._only_value()
        if len(args) == 1:
            flat = _as_index(args[0])
            position = flat + self.size if flat < 0 else flat
            if not 0 <= position < self.size:
                raise IndexError(f"index {flat} is out of bounds for size {self.size}")
            index = []
            for length in reversed(self._shape):
                index.append(position % length)
                position //= length
            args = tuple(reversed(index))
        if len(args) != self.ndim:
            raise ValueError("incorrect number of indices for array")
        _, _, offset = indexing.apply(self._shape, self._strides, self._offset, tuple(_as_index(a) for a in args))
        data = bytes(self._buf[offset:offset + self.itemsize])
        return dtypes.unpack_native(self._dtype, data)[0]

    # ---- integer-array indexing, gathered here ----
    def _read_only(self):
        return False

    def _parts(self):
        return self._shared(), self._dtype, self._shape, self._strides, self._offset

    def _fancy_take(self, plan):
        return fancy.gather_axes(*self._parts(), plan)

    def _fancy_put(self, plan, data, data_shape):
        fancy.scatter_axes(*self._parts(), plan, data, data_shape)

    def _flat_take(self, positions):
        size = self.itemsize
        offsets = fancy.offsets_flat(self._shape, self._strides, self._offset, positions)
        return b"".join(bytes(self._buf[at:at + size]) for at in offsets)

    def _flat_put(self, positions, data):
        size = self.itemsize
        offsets = fancy.offsets_flat(self._shape, self._strides, self._offset, positions)
        buf = self._shared()
        for i, at in enumerate(offsets):
            buf[at:at + size] = data[i * size:(i + 1) * size]

    def _flat_item(self, position):
        return fancy.unpack_one(self._dtype, self._flat_take([position]))

    def _flat_set(self, position, value):
        self._flat_put([position], dtypes.pack_native(self._dtype, [value]))

    # ---- indexing ----
    def __getitem__(self, key):
        if fancy.has_array(key):
            return fancy.getitem(self, key)
        items = indexing.normalise(key)
        shape, strides, offset = indexing.apply(self._shape, self._strides, self._offset, items)
        if indexing.is_element(items, self.ndim):
            value = dtypes.unpack_native(self._dtype, bytes(self._buf[offset:offset + self.itemsize]))[0]
            return TYPES[self._dtype.name](value)
        return ndarray._wrap(self._dtype, shape, self._shared(), strides, offset)

    def __setitem__(self, key, value):
        if fancy.has_array(key):
            fancy.setitem(self, key, value)
            return
        items = indexing.normalise(key)
        shape, strides, offset = indexing.apply(self._shape, self._strides, self._offset, items)
        data, data_shape = casting.to_bytes(value, self._dtype, len(shape))
        data = layout.broadcast(data, self.itemsize, data_shape, shape)
        layout.scatter(self._shared(), self.itemsize, shape, strides, offset, data)

    def fill(self, value):
        self[...] = value

    # ---- new arrays and views ----
    def copy(self, order="C"):
        return type(self)._wrap(self._dtype, self._shape, self.tobytes(), label=self._label)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        dt = dtypes.dtype(dtype)
        if dt.name == self._dtype.name:
            return type(self)._wrap(dt, self._shape, self.tobytes(), label=self._label)
        values = casting_module.cast_values(self._values(), self._dtype, dt)
        return type(self)._wrap(dt, self._shape, dtypes.pack_native(dt, values), label=self._label)

    def reshape(self, *shape, order="C"):
        if order != "C":
            raise NotImplementedError("reshape() supports order='C' only")
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        shape = tuple(int(n) for n in shape)
        if shape.count(-1) > 1:
            raise ValueError("can only specify one unknown dimension")
        if -1 in shape:
            known = indexing.size(tuple(n for n in shape if n != -1))
            if known == 0 or self.size % known:
                raise ValueError(f"cannot reshape array of size {self.size} into shape {_shape_repr(shape)}")
            shape = tuple(self.size // known if n == -1 else n for n in shape)
        if indexing.size(shape) != self.size:
            raise ValueError(f"cannot reshape array of size {self.size} into shape {_shape_repr(shape)}")
        if self._strides == indexing.c_strides(self._shape, self.itemsize):
            return ndarray._wrap(self._dtype, shape, self._shared(), None, self._offset)
        return ndarray._wrap(self._dtype, shape, self.tobytes())

    def ravel(self, order="C"):
        return self.reshape(-1)

    def flatten(self, order="C"):
        return self.copy().reshape(-1)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        ndim = self.ndim
        if not axes:
            axes = tuple(range(ndim))[::-1]
        axes = _check_axes(axes, ndim)
        shape = tuple(self._shape[a] for a in axes)
        strides = tuple(self._strides[a] for a in axes)
        return ndarray._wrap(self._dtype, shape, self._shared(), strides, self._offset)

    # ---- reductions ----
    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        reductions._check_args("sum", axis, dtype, out, keepdims)
        return reductions.total(self._dtype, self._values())

    def min(self, axis=None, out=None, keepdims=False):
        reductions._check_args("min", axis, None, out, keepdims)
        return reductions.extreme(self._dtype, self._values(), largest=False)

    def max(self, axis=None, out=None, keepdims=False):
        reductions._check_args("max", axis, None, out, keepdims)
        return reductions.extreme(self._dtype, self._values(), largest=True)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        reductions._check_args("mean", axis, dtype, out, keepdims)
        return reductions.mean(self._dtype, self._values())

    # ---- printing ----
    def __repr__(self):
        return printing.format_bytes(self._dtype, self._shape, self.tobytes(), "repr", self._label)

    def __str__(self):
        return printing.format_bytes(self._dtype, self._shape, self.tobytes(), "str", self._label)


casting_module = casting
ndarray.__module__ = "numpy"


class MemmapCopy(ndarray):
    """numpy's copy of a memmap (`m.copy()`, `m.astype(...)`): an array in memory whose class is
    still `memmap`, with `filename`, `mode` and `offset` None; indexing it gives plain arrays."""

    __slots__ = ()
    filename = mode = offset = None

    def flush(self):
        """Nothing to write: numpy's flush of a memmap copy does nothing."""


MemmapCopy.__name__ = MemmapCopy.__qualname__ = "memmap"
MemmapCopy.__module__ = "numpy"


def _as_index(value):
    import operator

    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer") from None


def _shape_tuple(shape):
    if isinstance(shape, (tuple, list)):
        shape = tuple(_as_index(n) for n in shape)
    else:
        shape = (_as_index(shape),)
    if any(n < 0 for n in shape):
        raise ValueError("negative dimensions are not allowed")
    return shape


def _shape_repr(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_axes(axes, ndim):
    axes = tuple(_as_index(a) for a in axes)
    if len(axes) != ndim:
        raise ValueError("axes don't match array")
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise AxisError(f"axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a + ndim if a < 0 else a)
    if len(set(out)) != ndim:
        raise ValueError("repeated axis in transpose")
    return tuple(out)


def _infer_dtype(leaves):
    """numpy's dtype for a list of Python numbers: the widest kind present."""
    names = {getattr(type(x), "_wm_kind", None) for x in leaves}
    if len(names) == 1 and None not in names:
        return dtypes.dtype(names.pop())
    found = set()
    for x in leaves:
        if isinstance(x, bool) or getattr(type(x), "_wm_kind", "") == "bool":
            found.add("b")
        elif isinstance(x, int):
            found.add("i")
        elif isinstance(x, float):
            found.add("f")
        elif isinstance(x, complex):
            found.add("c")
        else:
            raise NotImplementedError(
                f"arrays of {type(x).__name__} are not supported: only numbers (numpy's numeric kinds)"
            )
    for kind, name in (("c", "complex128"), ("f", "float64"), ("i", "int64"), ("b", "bool")):
        if kind in found:
            return dtypes.dtype(name)
    return dtypes.dtype("float64")


def array(obj, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None):
    """Like `np.array(obj, dtype)`: an array held in Python, copied from a map, an array, a scalar
    or nested sequences of numbers."""
    if ndmin:
        raise NotImplementedError("np.array(ndmin=) is not supported")
    source = getattr(obj, "_wm_bytes", None)
    if source is not None:
        src, shape, data = source()
        result = ndarray._wrap(src, shape, data)
        return result if dtype is None else result.astype(dtype)
    shape, leaves = casting.discover(obj)
    dt = dtypes.dtype(dtype) if dtype is not None else _infer_dtype(leaves)
    convert = casting.converter(dt)
    return ndarray._wrap(dt, shape, dtypes.pack_native(dt, [convert(x) for x in leaves]))


def asarray(obj, dtype=None, order=None, *, like=None):
    """Like `np.asarray`: `obj` itself when it is already an array of that dtype, else `array`."""
    if isinstance(obj, ndarray) and (dtype is None or dtypes.dtype(dtype) == obj.dtype):
        return obj
    return array(obj, dtype)
