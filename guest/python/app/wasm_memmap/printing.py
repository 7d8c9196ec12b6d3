"""numpy's print options (`np.set_printoptions`, `np.get_printoptions`, `np.printoptions`) and
`repr`/`str` of arrays, which the host formats exactly as numpy's `arrayprint` does.

Options the host's printer has no equivalent for (`nanstr`, `infstr`, `formatter`,
`override_repr`, and `legacy` other than `False` or `'2.1'`) raise `NotImplementedError`.
"""

import contextlib
import numbers
import operator
import re
import warnings

from . import _host

_DEFAULTS = {
    "edgeitems": 3,
    "threshold": 1000,
    "floatmode": "maxprec",
    "precision": 8,
    "suppress": False,
    "linewidth": 75,
    "nanstr": "nan",
    "infstr": "inf",
    "sign": "-",
    "formatter": None,
    "legacy": False,
    "override_repr": None,
}

_options = dict(_DEFAULTS)

_FLOATMODES = ["fixed", "unique", "maxprec", "maxprec_equal"]
_LEGACY_KNOWN = ("1.13", "1.21", "1.25", "2.1", "2.2")


def _unsupported(name, value):
    return NotImplementedError(
        f"np.set_printoptions({name}={value!r}) is not supported: the host prints as numpy's "
        "defaults for nanstr, infstr, formatter and override_repr, and supports legacy=False or '2.1'"
    )


def _make_options(precision=None, threshold=None, edgeitems=None, linewidth=None, suppress=None,
                  nanstr=None, infstr=None, sign=None, formatter=None, floatmode=None, legacy=None,
                  override_repr=None):
    """numpy's `_make_options_dict`: the options given, checked as numpy checks them."""
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                 linewidth=linewidth, suppress=suppress, nanstr=nanstr, infstr=infstr, sign=sign,
                 formatter=formatter, floatmode=floatmode, legacy=legacy)
    options = {k: v for k, v in given.items() if v is not None}
    if suppress is not None:
        options["suppress"] = bool(suppress)
    if floatmode not in _FLOATMODES + [None]:
        raise ValueError("floatmode option must be one of " + ", ".join(f'"{m}"' for m in _FLOATMODES))
    if sign not in [None, "-", "+", " "]:
        raise ValueError("sign option must be one of ' ', '+', or '-'")
    if legacy is False:
        options["legacy"] = False
    elif legacy is not None and legacy == False:  # noqa: E712 (numpy's deprecated spelling)
        warnings.warn(f"Passing `legacy={legacy!r}` is deprecated.", FutureWarning, stacklevel=4)
        options["legacy"] = False
    elif legacy in _LEGACY_KNOWN:
        if legacy != "2.1":
            raise _unsupported("legacy", legacy)
        options["legacy"] = legacy
    elif legacy is not None:
        options.pop("legacy")
        warnings.warn("legacy printing option can currently only be '1.13', '1.21', "
                      "'1.25', '2.1', '2.2' or `False`", stacklevel=4)
    if threshold is not None:
        if not isinstance(threshold, numbers.Number):
            raise TypeError("threshold must be numeric")
        if threshold != threshold:
            raise ValueError("threshold must be non-NAN, try sys.maxsize for untruncated representation")
    if precision is not None:
        try:
            options["precision"] = operator.index(precision)
        except TypeError as e:
            raise TypeError("precision must be an integer") from e
    for name in ("nanstr", "infstr"):
        if name in options and options[name] != _DEFAULTS[name]:
            raise _unsupported(name, options[name])
    if formatter is not None and formatter != {}:
        raise _unsupported("formatter", formatter)
    if override_repr is not None:
        raise _unsupported("override_repr", override_repr)
    return options


def _set(precision=None, threshold=None, edgeitems=None, linewidth=None, suppress=None,
         nanstr=None, infstr=None, formatter=None, sign=None, floatmode=None, *, legacy=None,
         override_repr=None):
    """numpy's `_set_printoptions`: sets the options given; returns the previous ones."""
    new = _make_options(precision=precision, threshold=threshold, edgeitems=edgeitems,
                        linewidth=linewidth, suppress=suppress, nanstr=nanstr, infstr=infstr,
                        sign=sign, formatter=formatter, floatmode=floatmode, legacy=legacy,
                        override_repr=override_repr)
    previous = dict(_options)
    _options.update(new)
    if _options["legacy"] == "1.13":  # pragma: no cover (refused above)
        _options["sign"] = "-"
    return previous


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     suppress=None, nanstr=None, infstr=None, formatter=None, sign=None,
                     floatmode=None, *, legacy=None, override_repr=None):
    """Like `np.set_printoptions`: how `repr`, `str` and `print` show arrays from now on."""
    _set(precision, threshold, edgeitems, linewidth, suppress, nanstr, infstr, formatter, sign,
         floatmode, legacy=legacy, override_repr=override_repr)


def get_printoptions():
    """Like `np.get_printoptions()`: the current options as a new dict, with numpy's keys."""
    return dict(_options)


@contextlib.contextmanager
def printoptions(*args, **kwargs):
    """Like `np.printoptions(...)`: set options for a `with` block, then restore them."""
    previous = _set(*args, **kwargs)
    try:
        yield get_printoptions()
    finally:
        _options.clear()
        _options.update(previous)


def _bounded(name, value, most):
    """An option as the WIT's unsigned integer: numpy accepts any number, the host whole ones."""
    if isinstance(value, float) and value == float("inf"):
        return most
    try:
        number = operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            raise _unsupported(name, value) from None
    if number < 0:
        if name == "threshold":
            return 0  # summarise every non-empty array, as a negative threshold does in numpy
        raise _unsupported(name, value)
    return min(number, most)


def wit_options():
    """The current options as the WIT's `print-options` record."""
    f = _host.wit_format
    o = _options
    return f.PrintOptions(
        precision=_bounded("precision", o["precision"], 0xFFFFFFFF),
        threshold=_bounded("threshold", o["threshold"], (1 << 64) - 1),
        edgeitems=_bounded("edgeitems", o["edgeitems"], 0xFFFFFFFF),
        linewidth=_bounded("linewidth", o["linewidth"], 0xFFFFFFFF),
        suppress=bool(o["suppress"]),
        floatmode=f.FloatMode[o["floatmode"].upper()],
        sign={"-": f.Sign.MINUS, "+": f.Sign.PLUS, " ": f.Sign.SPACE}[o["sign"]],
        legacy=f.Legacy.V2_1 if o["legacy"] == "2.1" else f.Legacy.NONE,
    )


def format_memmap(handle, style, class_name="memmap", dt=None, size=None):
    """`repr` (style 'repr') or `str` of a map's handle, formatted by the host."""
    _host.require()
    f = _host.wit_format
    kind = f.Style.REPR if style == "repr" else f.Style.STR
    text = _host.call(f.format_memmap, handle, [], kind, class_name, wit_options())
    return _fix_dtype(text, class_name, dt, size) if style == "repr" else text


def format_bytes(dt, shape, data, style, class_name="array"):
    """`repr` or `str` of element data held in Python (native-order bytes in C order)."""
    _host.require()
    f = _host.wit_format
    kind = f.Style.REPR if style == "repr" else f.Style.STR
    text = _host.call(f.format_bytes, _host.dtype(dt), list(shape), data, kind, class_name, wit_options())
    if style != "repr":
        return text
    size = 1
    for n in shape:
        size *= n
    return _fix_dtype(text, class_name, dt, size)


_EXTRAS = re.compile(r",(\s+)(shape=\([^()]*\))?(?:, )?(dtype=[^\s,()]+)?\)\Z")
_IMPLIED = ("int64", "float64", "complex128", "bool")


def _dtype_extra(dt, size):
    """numpy's `dtype=` suffix for an array of `dt` and `size`, or None when numpy leaves it out
    (`dtype_is_implied` and `dtype_short_repr` in numpy's arrayprint)."""
    implied = dt.isnative and dt.name in _IMPLIED and dt.char != "q"
    if implied and size != 0:
        return None
    return f"dtype={dt.name if dt.isnative else repr(dt.str)}"


def _fix_dtype(text, class_name, dt, size):
    """The host sees only an element kind in native order: it cannot tell numpy's `np.longlong`
    ('q') from `np.int_`, and `format-bytes` takes data in native order. Puts back the `dtype=`
    suffix numpy writes for `dt`, where numpy's `_array_repr_implementation` puts it."""
    if dt is None:
        return text
    want = _dtype_extra(dt, size)
    match = _EXTRAS.search(text)
    have = match.group(3) if match and (match.group(2) or match.group(3)) else None
    if have == want:
        return text
    if match and (match.group(2) or match.group(3)):
        body = text[: match.start()]
        extras = [match.group(2)] if match.group(2) else []
    else:
        body = text[:-1]
        extras = []
    if want:
        extras.append(want)
    if not extras:
        return body + ")"
    prefix = class_name + "("
    arr_str = body + ","
    extra_str = ", ".join(extras) + ")"
    last_line_len = len(arr_str) - (arr_str.rfind("\n") + 1)
    spacer = " "
    if last_line_len + len(extra_str) + 1 > _options["linewidth"]:
        spacer = "\n" + " " * len(prefix)
    return arr_str + spacer + extra_str
