"""numpy's data types for the 14 element kinds the host maps: `np.dtype(...)` and its spellings.

Element data inside Python are always in native (little-endian, as wasm32 is) byte order; a dtype
keeps the file's byte order only to report and print it as numpy does.
"""

import struct

from . import scalars

# name: (numpy kind char, type char, itemsize, struct format of one native element)
_KINDS = {
    "bool": ("b", "?", 1, "?"),
    "int8": ("i", "b", 1, "b"),
    "int16": ("i", "h", 2, "h"),
    "int32": ("i", "i", 4, "i"),
    "int64": ("i", "l", 8, "q"),
    "uint8": ("u", "B", 1, "B"),
    "uint16": ("u", "H", 2, "H"),
    "uint32": ("u", "I", 4, "I"),
    "uint64": ("u", "L", 8, "Q"),
    "float16": ("f", "e", 2, "e"),
    "float32": ("f", "f", 4, "f"),
    "float64": ("f", "d", 8, "d"),
    "complex64": ("c", "F", 8, "ff"),
    "complex128": ("c", "D", 16, "dd"),
}

# Every string numpy 2 turns into one of the kinds (checked against numpy 2.4).
_NAMES = {
    "?": "bool", "b1": "bool", "bool": "bool", "bool_": "bool",
    "b": "int8", "i1": "int8", "int8": "int8", "byte": "int8",
    "h": "int16", "i2": "int16", "int16": "int16", "short": "int16",
    "i": "int32", "i4": "int32", "int32": "int32", "intc": "int32",
    "l": "int64", "q": "int64q", "n": "int64", "p": "int64", "i8": "int64", "int64": "int64",
    "int": "int64", "int_": "int64", "intp": "int64", "long": "int64", "longlong": "int64q",
    "B": "uint8", "u1": "uint8", "uint8": "uint8", "ubyte": "uint8",
    "H": "uint16", "u2": "uint16", "uint16": "uint16", "ushort": "uint16",
    "I": "uint32", "u4": "uint32", "uint32": "uint32", "uintc": "uint32",
    "L": "uint64", "Q": "uint64q", "N": "uint64", "P": "uint64", "u8": "uint64", "uint64": "uint64",
    "uint": "uint64", "uintp": "uint64", "ulong": "uint64", "ulonglong": "uint64q",
    "e": "float16", "f2": "float16", "float16": "float16", "half": "float16",
    "f": "float32", "f4": "float32", "float32": "float32", "single": "float32",
    "d": "float64", "f8": "float64", "float64": "float64", "double": "float64", "float": "float64",
    "F": "complex64", "c8": "complex64", "complex64": "complex64", "csingle": "complex64",
    "D": "complex128", "c16": "complex128", "complex128": "complex128", "cdouble": "complex128",
    "complex": "complex128",
}

# Spellings numpy understands but the host has no kind for (strings, bytes, objects, dates,
# long double, void): refused as not supported rather than "not understood".
_OTHER_NUMPY_CODES = set("SUVOMmagG") | {
    "str", "str_", "bytes", "bytes_", "object", "object_", "void", "datetime64", "timedelta64",
    "longdouble", "clongdouble", "f16", "c32", "f12", "c24", "unicode",
}

_PYTHON_TYPES = {float: "float64", int: "int64", bool: "bool", complex: "complex128"}


class dtype:
    """A data type, like `np.dtype('<f8')`: one of the 14 numeric kinds in a byte order."""

    __slots__ = ("name", "_big", "_char")

    def __new__(cls, spec, align=False, copy=False):
        if isinstance(spec, dtype):
            return spec
        name, big = _parse(spec)
        return _make(name, big)

    # numpy's attributes
    @property
    def kind(self):
        return _KINDS[self.name][0]

    @property
    def char(self):
        return self._char or _KINDS[self.name][1]

    @property
    def itemsize(self):
        return _KINDS[self.name][2]

    @property
    def type(self):
        return scalars.TYPES[self.name]

    @property
    def byteorder(self):
        if self.itemsize == 1:
            return "|"
        return ">" if self._big else "="

    @property
    def isnative(self):
        return not self._big or self.itemsize == 1

    @property
    def str(self):
        order = "|" if self.itemsize == 1 else (">" if self._big else "<")
        return f"{order}{self.kind}{self.itemsize}"

    @property
    def descr(self):
        return [("", self.str)]

    @property
    def hasobject(self):
        return False

    @property
    def shape(self):
        return ()

    @property
    def ndim(self):
        return 0

    @property
    def alignment(self):
        return self.itemsize // 2 if self.kind == "c" else self.itemsize

    def newbyteorder(self, new_order="S"):
        if new_order in ("S", "s", "swap"):
            big = not self._big
        elif new_order in (">", "big", "B", "b"):
            big = True
        elif new_order in ("<", "little", "L", "l", "=", "native", "N", "n", "|", "I", "i"):
            big = False
        else:
            raise ValueError(f"{new_order!r} is an unrecognized byteorder")
        return _make(self.name, big, self._char)

    # Python protocol
    def __repr__(self):
        return f"dtype({self._spelling()!r})"

    def __str__(self):
        return self._spelling()

    def _spelling(self):
        return self.name if self.isnative else self.str

    def __eq__(self, other):
        if not isinstance(other, dtype):
            try:
                other = dtype(other)
            except (TypeError, NotImplementedError):
                return False
        return self.name == other.name and self.isnative == other.isnative

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.name, self.isnative))

    def __reduce__(self):
        return (dtype, (self.str,))

    # wasm-memmap helpers
    @property
    def native(self):
        """The same kind in native byte order: how element data are held in Python."""
        return _make(self.name, False, self._char)

    @property
    def struct_format(self):
        """The `struct` format of one native-order element."""
        return _KINDS[self.name][3]


_CACHE = {}


def _make(name, big, char=None):
    # numpy keeps 'q' (long long) apart from 'l' (long) though both are int64 here: only `char` differs
    if name.endswith("q"):
        name, char = name[:-1], "q" if name.startswith("int") else "Q"
    big = bool(big) and _KINDS[name][2] > 1
    key = (name, big, char)
    made = _CACHE.get(key)
    if made is None:
        made = object.__new__(dtype)
        made.name = name
        made._big = big
        made._char = char
        _CACHE[key] = made
    return made


def _parse(spec):
    """(kind name, big-endian) for a dtype spelling, with numpy's errors."""
    if spec is None:
        return "float64", False
    if isinstance(spec, type):
        if spec in _PYTHON_TYPES:
            return _PYTHON_TYPES[spec], False
        name = getattr(spec, "_wm_kind", None)
        if name is not None:
            return name, False
        raise NotImplementedError(
            f"dtype {spec.__name__!r} is not supported: wasm-memmap maps only numpy's numeric kinds "
            "(bool, int8..int64, uint8..uint64, float16, float32, float64, complex64, complex128)"
        )
    if isinstance(spec, str):
        text = spec
        big = False
        if len(text) > 1 and text[0] in "<>=|" and (len(text) == 2 or text[2:].isdigit()):
            # numpy takes a byte order before a type code ('>f8', '<d'), not before a name
            big = text[0] == ">"
            text = text[1:]
        name = _NAMES.get(text)
        if name is not None:
            return name, big
        if text in _OTHER_NUMPY_CODES or (text[:1] in _OTHER_NUMPY_CODES and text[1:].isdigit()):
            raise NotImplementedError(
                f"dtype {spec!r} is not supported: wasm-memmap maps only numpy's numeric kinds "
                "(bool, int8..int64, uint8..uint64, float16, float32, float64, complex64, complex128)"
            )
        raise TypeError(f"data type {spec!r} not understood")
    inner = getattr(spec, "dtype", None)
    if isinstance(inner, dtype):
        return inner.name + ("q" if inner._char else ""), inner._big
    raise TypeError(f"Cannot interpret '{spec!r}' as a data type")


def result_scalar(dt, value):
    """A Python value read from an element of `dt` as numpy's scalar of that type."""
    return scalars.TYPES[dt.name](value)


def pack_native(dt, values):
    """Native-order bytes for a flat list of Python values already valid for `dt`."""
    fmt = _KINDS[dt.name][3]
    if dt.kind == "c":
        flat = []
        for v in values:
            flat.append(v.real)
            flat.append(v.imag)
        return struct.pack(f"<{len(flat)}{fmt[0]}", *flat)
    return struct.pack(f"<{len(values)}{fmt}", *values)


def unpack_native(dt, data):
    """A flat list of Python values (bool, int, float, complex) from native-order bytes of `dt`."""
    fmt = _KINDS[dt.name][3]
    n = len(data) // dt.itemsize
    if dt.kind == "c":
        flat = struct.unpack(f"<{2 * n}{fmt[0]}", data)
        return [complex(flat[i], flat[i + 1]) for i in range(0, 2 * n, 2)]
    return list(struct.unpack(f"<{n}{fmt}", data))


def kind_names():
    """The 14 kind names, in the WIT's order."""
    return list(_KINDS)
