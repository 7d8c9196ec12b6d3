"""Zarr v3 arrays, zarr-python style: `zarr.open_array`, `zarr.create_array` and `zarr.open`,
over the host's `open-zarr` and `create-zarr`.

The array returned is the package's `memmap` (what `np.memmap` returns): numpy's basic and integer
indexing, assignment, reductions, printing and `flush`, all with numpy's semantics, plus `.chunks`
(the chunk shape). The host moves the data chunk by chunk and writes changed chunks back whole on
`flush`, on `del` and when the script ends. Scripts import it as `from wasm_memmap import zarr`, or
as `import zarr` (the runner's `zarr` module is this one), so a script written for zarr-python's
array API runs here unchanged as far as that API goes; what differs is listed in docs/python.md.

A location is a directory beneath a granted one (`"data/a.zarr"`) or an object-store location
beneath a granted prefix (`"s3://bucket/prefix/a.zarr"`, or `"/lake/a.zarr"` when the prefix was
granted as `/lake`). Credentials are the host's: `storage_options` is refused.
"""

import math
import operator

from . import _host, dtypes
from .memmap import memmap, path_of, shape_list

__all__ = ["open_array", "create_array", "open", "codecs", "errors"]

_OPEN_MODES = {"r": "READ_ONLY", "r+": "READ_WRITE", "c": "COPY_ON_WRITE"}
_MODES = ("r", "r+", "a", "w", "w-", "c")


# ---- zarr.errors: zarr-python's classes, with the same bases (so `except FileNotFoundError` and
# `except ValueError` both catch a missing array, as with zarr-python) ----
class _Errors:
    """`zarr.errors`: the exceptions of zarr-python this module raises."""

    class BaseZarrError(ValueError):
        """Every Zarr error (zarr-python's base class; a `ValueError`)."""

    class NodeNotFoundError(BaseZarrError, FileNotFoundError):
        """Nothing at the location."""

    class ArrayNotFoundError(NodeNotFoundError):
        """No `zarr.json` of an array at the location."""

    class ContainsArrayError(BaseZarrError):
        """An array exists at the location (modes `'w-'`, `create_array(overwrite=False)`)."""

    class UnknownCodecError(BaseZarrError):
        """A codec this host does not implement."""


errors = _Errors
for _name in ("BaseZarrError", "NodeNotFoundError", "ArrayNotFoundError", "ContainsArrayError", "UnknownCodecError"):
    # Tracebacks name them as zarr-python's: `zarr.errors.ArrayNotFoundError: ...`.
    getattr(_Errors, _name).__module__ = "zarr.errors"
    getattr(_Errors, _name).__qualname__ = _name


# ---- zarr.codecs: the bytes-to-bytes codecs the host implements ----
class _Codecs:
    """`zarr.codecs`: `ZstdCodec`, `GzipCodec`, `Crc32cCodec`, as zarr-python spells them."""

    class ZstdCodec:
        """`zarr.codecs.ZstdCodec(level=0, checksum=False)`: Zstandard, levels -7 to 22."""

        def __init__(self, *, level=0, checksum=False):
            if checksum:
                raise NotImplementedError(
                    "ZstdCodec(checksum=True) is not supported: add Crc32cCodec() to the compressors "
                    "to checksum each chunk"
                )
            self.level = operator.index(level)
            self.checksum = False

        def to_dict(self):
            return {"name": "zstd", "configuration": {"level": self.level, "checksum": False}}

        def __repr__(self):
            return f"ZstdCodec(level={self.level}, checksum=False)"

    class GzipCodec:
        """`zarr.codecs.GzipCodec(level=5)`: gzip, levels 0 to 9."""

        def __init__(self, *, level=5):
            self.level = operator.index(level)

        def to_dict(self):
            return {"name": "gzip", "configuration": {"level": self.level}}

        def __repr__(self):
            return f"GzipCodec(level={self.level})"

    class Crc32cCodec:
        """`zarr.codecs.Crc32cCodec()`: a CRC-32C checksum of each chunk, checked when read."""

        def to_dict(self):
            return {"name": "crc32c"}

        def __repr__(self):
            return "Crc32cCodec()"


codecs = _Codecs
for _name in ("ZstdCodec", "GzipCodec", "Crc32cCodec"):
    getattr(_Codecs, _name).__module__ = "zarr.codecs"
    getattr(_Codecs, _name).__qualname__ = _name


def _codec(spec):
    """The WIT codec of one compressor: a codec object (anything with zarr's `to_dict()`), a dict
    `{"name": ..., "configuration": {...}}`, or a name ("zstd", "gzip", "crc32c")."""
    if hasattr(spec, "to_dict"):
        spec = spec.to_dict()
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict) or "name" not in spec:
        raise TypeError(f"a compressor must be a codec, a dict with 'name', or a codec's name, not {spec!r}")
    name = spec["name"]
    config = dict(spec.get("configuration") or {})
    _host.require()
    t = _host.wit_types
    if name == "zstd":
        if config.pop("checksum", False):
            raise NotImplementedError("zstd with checksum=True is not supported: add 'crc32c' to the compressors")
        codec = t.Codec_Zstd(operator.index(config.pop("level", 0)))
    elif name == "gzip":
        codec = t.Codec_Gzip(operator.index(config.pop("level", 5)))
    elif name == "crc32c":
        codec = t.Codec_Crc32c()
    else:
        raise errors.UnknownCodecError(
            f"codec {name!r} is not supported: this host implements 'zstd', 'gzip' and 'crc32c'"
        )
    if config:
        raise TypeError(f"unexpected configuration for codec {name!r}: {sorted(config)}")
    return codec


def _compressors(compressors):
    """The WIT codec list of `compressors=`: 'auto' is zarr-python's default for numeric data
    (Zstandard at level 0), None or () stores raw chunks; one codec or a sequence of them."""
    if isinstance(compressors, str) and compressors == "auto":
        compressors = ["zstd"]
    if compressors is None:
        return []
    if isinstance(compressors, (str, dict)) or hasattr(compressors, "to_dict"):
        compressors = [compressors]
    return [_codec(c) for c in compressors]


def _guess_chunks(shape, itemsize):
    """zarr-python's `chunks='auto'` (`zarr.core.chunk_grids._guess_chunks`, from h5py): halve the
    axes in turn until a chunk is near a target size that grows with the array (128 KiB to 64 MiB)."""
    increment, low, high = 256 * 1024, 128 * 1024, 64 * 1024 * 1024
    if itemsize == 0 or not shape:
        return tuple(shape)
    chunks = [float(max(n, 1)) for n in shape]
    total = math.prod(chunks) * itemsize
    target = increment * (2 ** math.log10(total / (1024.0 * 1024)))
    target = min(max(target, low), high)
    idx = 0
    while True:
        size = math.prod(chunks) * itemsize
        if (size < target or abs(size - target) / target < 0.5) and size < high:
            break
        if math.prod(chunks) == 1:
            break
        chunks[idx % len(chunks)] = math.ceil(chunks[idx % len(chunks)] / 2.0)
        idx += 1
    return tuple(int(n) for n in chunks)


def _chunk_shape(chunks, shape, itemsize):
    """`chunks=` as one length per axis: 'auto'/None guesses as zarr-python does; an int is every
    axis's length; -1 or None in a tuple takes the whole axis."""
    if chunks is None or (isinstance(chunks, str) and chunks == "auto") or chunks is True:
        return list(_guess_chunks(shape, itemsize))
    if not isinstance(chunks, (tuple, list)):
        chunks = [operator.index(chunks)] * len(shape)
    if len(chunks) != len(shape):
        raise ValueError(f"chunks {tuple(chunks)!r} and shape {tuple(shape)!r} have different numbers of dimensions")
    out = []
    for n, length in zip(chunks, shape):
        if n is None or n == -1:
            out.append(max(length, 1))
        else:
            out.append(operator.index(n))
    return out


def _location(store, storage_options, path=""):
    if storage_options:
        raise NotImplementedError(
            "storage_options is not supported: the host reaches object stores with its own credentials"
        )
    location = path_of(store)
    if path:
        location = location.rstrip("/") + "/" + str(path).strip("/")
    return location


def _open(location, mode):
    _host.require()
    try:
        handle = _host.call(_host.wit_mmap.Memmap.open_zarr, location, _host.wit_types.Mode[_OPEN_MODES[mode]])
    except FileNotFoundError as e:
        raise errors.ArrayNotFoundError(f"No array found in store {location!r}: {e}") from None
    return memmap._wrap(handle, location, mode, 0)


def _exists(location):
    try:
        _open(location, "r")
    except errors.ArrayNotFoundError:
        return False
    return True


def _create(location, shape, dtype, chunks, order, compressors, fill_value):
    if fill_value not in (None, 0, 0.0, False):
        raise NotImplementedError(
            f"fill_value={fill_value!r} is not supported: arrays are created with fill value 0"
        )
    if shape is None:
        raise TypeError("create() missing 1 required positional argument: 'shape'")
    dt = dtypes.dtype("float64" if dtype is None else dtype)
    dims = shape_list(shape)
    chunk_shape = _chunk_shape(chunks, dims, dt.itemsize)
    if order in (None, "C"):
        wit_order = None
    elif order == "F":
        wit_order = "F"
    else:
        raise ValueError(f"order must be 'C' or 'F' (got {order!r})")
    codec_list = _compressors(compressors)
    _host.require()
    t = _host.wit_types
    wit_order = t.Order.FORTRAN if wit_order == "F" else t.Order.C
    handle = _host.call(
        _host.wit_mmap.Memmap.create_zarr, location, _host.dtype(dt), dims, chunk_shape, wit_order, codec_list
    )
    made = memmap._wrap(handle, location, "r+", 0)
    if dt.name == made._dtype.name:
        made._dtype = dt
    return made


def open_array(store=None, *, mode="r+", shape=None, dtype=None, chunks=None, order=None,
               compressors="auto", fill_value=None, path="", storage_options=None, zarr_format=None,
               **kwargs):
    """Like `zarr.open_array(store, mode=mode, ...)`: opens the Zarr v3 array at `store`, or
    creates one (modes 'w', 'w-', and 'a' when there is none), and returns it as a `memmap`.

    Modes, as zarr-python's: 'r' read-only; 'r+' read-write, the array must exist; 'a' read-write,
    created from `shape` (and `dtype`, `chunks`, `compressors`) when absent; 'w' created, erasing
    an array already there; 'w-' created, failing if one exists; and numpy's 'c' (copy-on-write:
    changed chunks stay in this process, never stored).
    """
    if zarr_format not in (None, 3):
        raise NotImplementedError(f"zarr_format={zarr_format!r} is not supported: only Zarr v3 arrays are")
    if kwargs:
        raise NotImplementedError(f"open_array() arguments not supported here: {', '.join(sorted(kwargs))}")
    if mode not in _MODES:
        raise ValueError(f"invalid mode {mode!r}: expected one of {', '.join(repr(m) for m in _MODES)}")
    location = _location(store, storage_options, path)
    create = (location, shape, dtype, chunks, order, compressors, fill_value)
    if mode in ("r", "r+", "c"):
        return _open(location, mode)
    if mode == "w":
        return _create(*create)
    if mode == "w-":
        if _exists(location):
            raise errors.ContainsArrayError(f"An array exists in store {location!r} at path ''.")
        return _create(*create)
    # 'a'
    try:
        return _open(location, "r+")
    except errors.ArrayNotFoundError:
        if shape is None:
            raise
        return _create(*create)


def create_array(store, *, shape=None, dtype=None, chunks="auto", compressors="auto", fill_value=None,
                 order=None, overwrite=False, name=None, storage_options=None, zarr_format=3, **kwargs):
    """Like `zarr.create_array(store, shape=..., dtype=..., chunks=..., compressors=...,
    overwrite=...)`: creates a Zarr v3 array of zeros (fill value 0) and returns it opened
    read-write as a `memmap`. Without `overwrite=True` an array already there is
    `ContainsArrayError`, as in zarr-python."""
    if zarr_format not in (None, 3):
        raise NotImplementedError(f"zarr_format={zarr_format!r} is not supported: only Zarr v3 arrays are")
    if kwargs:
        raise NotImplementedError(f"create_array() arguments not supported here: {', '.join(sorted(kwargs))}")
    location = _location(store, storage_options, name or "")
    if not overwrite and _exists(location):
        raise errors.ContainsArrayError(f"An array exists in store {location!r} at path ''.")
    return _create(location, shape, dtype, chunks, order, compressors, fill_value)


def open(store=None, *, mode="r+", path=None, storage_options=None, zarr_format=None, **kwargs):  # noqa: A001
    """Like `zarr.open(store, mode=...)` for an array (groups are not supported): `open_array`."""
    return open_array(store, mode=mode, path=path or "", storage_options=storage_options,
                      zarr_format=zarr_format, **kwargs)
