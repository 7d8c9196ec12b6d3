"""numpy's scalar types (`np.float64`, `np.uint8`, `np.True_`, ...): what indexing one element gives.

They behave as the Python number they hold (`np.float64` is a `float`, as in numpy; the integer
types are `int`s here) and print as numpy 2 prints them: `repr` is `np.float64(1.5)`, `str` is
`1.5`. Arithmetic on them gives plain Python numbers (numpy keeps its scalar types).
"""

import decimal
import struct


def _shortest(value, fmt, most, cutoff):
    """numpy's `str` of a float32 (`fmt` 'f') or float16 ('e') scalar: the shortest digits that
    round-trip, positional for 1e-4 <= |x| < `cutoff` (1e6 for float32, 1e3 for float16, as numpy
    2 prints scalars), scientific with a two-digit exponent otherwise."""
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    text = repr(value)
    for digits in range(most):
        candidate = "%.*e" % (digits, value)
        if _round_trips(candidate, fmt, value):
            text = candidate
            break
    mantissa, exponent = text.split("e")
    if 1e-4 <= abs(value) < cutoff:
        positional = format(decimal.Decimal(text), "f")
        return positional if "." in positional else positional + ".0"
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    power = int(exponent)
    return f"{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def _cutoff(current):
    """Where float32/float16 scalars switch to scientific notation: numpy 2.3 lowered it from
    1e16, and `legacy='2.1'` keeps the old one."""
    from .printing import get_printoptions

    return 1e16 if get_printoptions()["legacy"] == "2.1" else current


def _round_trips(text, fmt, value):
    try:
        return struct.unpack(fmt, struct.pack(fmt, float(text)))[0] == value
    except OverflowError:
        return False


def _round(value, fmt):
    """`value` rounded to a float32 ('f') or float16 ('e'), overflowing to infinity as numpy's cast."""
    value = float(value)
    try:
        return struct.unpack(fmt, struct.pack(fmt, value))[0]
    except OverflowError:
        from .errors import warn

        warn("overflow encountered in cast")
        return value * float("inf")


class _Zero_d:
    """What numpy's scalars share with 0-d arrays: `x.shape == ()`, `x.ndim == 0`, `x.size == 1`."""

    __slots__ = ()
    shape = ()
    ndim = 0
    size = 1


class _Float(_Zero_d, float):
    __slots__ = ()
    _wm_kind = "float64"

    def __repr__(self):
        return f"np.{self._wm_kind}({self})"

    def item(self):
        return float(self)

    def tolist(self):
        return float(self)

    @property
    def dtype(self):
        from .dtypes import dtype

        return dtype(self._wm_kind)


class float64(_Float):
    """`np.float64`: a Python float, printed as numpy prints it. Arithmetic with Python numbers
    and other float64 values gives float64, as numpy's does."""

    __slots__ = ()
    _wm_kind = "float64"

    def __str__(self):
        return float.__repr__(self)


def _float64_op(name):
    base = getattr(float, name)

    def op(self, *args):
        result = base(self, *args)
        return float64(result) if type(result) is float else result

    op.__name__ = name
    return op


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
              "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__",
              "__rpow__", "__neg__", "__pos__", "__abs__"):
    setattr(float64, _name, _float64_op(_name))


class float32(_Float):
    """`np.float32`: a float rounded to binary32."""

    __slots__ = ()
    _wm_kind = "float32"

    def __new__(cls, value=0.0):
        return float.__new__(cls, _round(value, "f"))

    def __str__(self):
        return _shortest(float(self), "f", 9, _cutoff(1e6))


class float16(_Float):
    """`np.float16`: a float rounded to binary16."""

    __slots__ = ()
    _wm_kind = "float16"

    def __new__(cls, value=0.0):
        return float.__new__(cls, _round(value, "e"))

    def __str__(self):
        return _shortest(float(self), "e", 5, _cutoff(1e3))


class _Complex(_Zero_d, complex):
    __slots__ = ()
    _wm_kind = "complex128"

    def __repr__(self):
        return f"np.{self._wm_kind}({str(self)[1:-1] if str(self).startswith('(') else self})"

    def item(self):
        return complex(self)

    def tolist(self):
        return complex(self)


class complex128(_Complex):
    """`np.complex128`: a Python complex."""

    __slots__ = ()
    _wm_kind = "complex128"

    def __str__(self):
        return complex.__repr__(self)


class complex64(_Complex):
    """`np.complex64`: a complex whose parts are rounded to binary32."""

    __slots__ = ()
    _wm_kind = "complex64"

    def __new__(cls, real=0.0, imag=0.0):
        z = complex(real, imag)
        return complex.__new__(cls, _round(z.real, "f"), _round(z.imag, "f"))

    def __str__(self):
        # Python's complex layout, each part as numpy prints a float32 (no trailing '.0')
        def part(x):
            text = _shortest(x, "f", 9, _cutoff(1e6))
            return text[:-2] if text.endswith(".0") else text

        imag = part(self.imag)
        if self.real == 0 and not str(self.real).startswith("-"):
            return imag + "j"
        sign = "" if imag[0] == "-" else "+"
        return f"({part(self.real)}{sign}{imag}j)"


_C_LONG = (-(1 << 63), (1 << 63) - 1)


def check_int(number, name, lo, hi):
    """`number` if an element of type `name` (holding `lo`..`hi`) can hold it, else numpy's error."""
    if lo <= number <= hi:
        return number
    # numpy converts through a C long, or an unsigned long for uint32 and uint64
    top = (1 << 64) - 1 if name in ("uint32", "uint64") else _C_LONG[1]
    if not _C_LONG[0] <= number <= top:
        raise OverflowError("Python int too large to convert to C long")
    raise OverflowError(f"Python integer {number} out of bounds for {name}")


class _Int(_Zero_d, int):
    __slots__ = ()
    _wm_kind = "int64"
    _lo = -(1 << 63)
    _hi = (1 << 63) - 1

    def __new__(cls, value=0):
        return int.__new__(cls, check_int(int(value), cls._wm_kind, cls._lo, cls._hi))

    def __repr__(self):
        return f"np.{self._wm_kind}({int(self)})"

    def __str__(self):
        return int.__repr__(self)

    def item(self):
        return int(self)

    def tolist(self):
        return int(self)

    @property
    def dtype(self):
        from .dtypes import dtype

        return dtype(self._wm_kind)


def _int_type(name, bits, signed):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    doc = f"`np.{name}`: an int in [{lo}, {hi}]."
    return type(name, (_Int,), {"__slots__": (), "_wm_kind": name, "_lo": lo, "_hi": hi, "__doc__": doc})


int8 = _int_type("int8", 8, True)
int16 = _int_type("int16", 16, True)
int32 = _int_type("int32", 32, True)
int64 = _int_type("int64", 64, True)
uint8 = _int_type("uint8", 8, False)
uint16 = _int_type("uint16", 16, False)
uint32 = _int_type("uint32", 32, False)
uint64 = _int_type("uint64", 64, False)


class bool_(_Zero_d):
    """`np.bool` (`np.bool_`): `np.True_` or `np.False_`."""

    __slots__ = ("_value",)
    _wm_kind = "bool"

    def __new__(cls, value=False):
        return True_ if value else False_

    def __bool__(self):
        return self._value

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __repr__(self):
        return "np.True_" if self._value else "np.False_"

    def __str__(self):
        return str(self._value)

    def __eq__(self, other):
        return self._value == other

    def __ne__(self, other):
        return self._value != other

    def __hash__(self):
        return hash(self._value)

    def item(self):
        return self._value

    def tolist(self):
        return self._value

    @property
    def dtype(self):
        from .dtypes import dtype

        return dtype("bool")


True_ = object.__new__(bool_)
True_._value = True
False_ = object.__new__(bool_)
False_._value = False

bool_.__name__ = bool_.__qualname__ = "bool"  # numpy 2: np.bool_ is np.bool

for _cls in (float64, float32, float16, complex128, complex64, int8, int16, int32, int64, uint8,
             uint16, uint32, uint64, bool_):
    _cls.__module__ = "numpy"

TYPES = {
    "bool": bool_, "int8": int8, "int16": int16, "int32": int32, "int64": int64,
    "uint8": uint8, "uint16": uint16, "uint32": uint32, "uint64": uint64,
    "float16": float16, "float32": float32, "float64": float64,
    "complex64": complex64, "complex128": complex128,
}
