"""`.npy` files: `np.lib.format.open_memmap`, `np.load` and `np.save`, over the host's `open-npy`
and `create-npy` (the host reads and writes numpy's header, byte for byte)."""

from . import _host, dtypes
from .memmap import canonical_mode, memmap, path_of, shape_list, wit_mode
from .ndarray import array, ndarray

_MAX_HEADER_SIZE = 10000


def _check_supported(version, max_header_size):
    if version is not None:
        raise NotImplementedError(
            "open_memmap(version=...) is not supported: the host writes the version numpy picks"
        )
    if max_header_size != _MAX_HEADER_SIZE:
        raise NotImplementedError(
            f"max_header_size={max_header_size!r} is not supported: the host reads headers up to "
            f"numpy's default of {_MAX_HEADER_SIZE} characters"
        )


def _filename(filename):
    if hasattr(filename, "read") or hasattr(filename, "write"):
        raise ValueError(
            "Filename must be a string or a path-like object.  Memmap cannot use existing file handles."
        )
    return path_of(filename)


def open_memmap(filename, mode="r+", dtype=None, shape=None, fortran_order=False, version=None, *,
                max_header_size=_MAX_HEADER_SIZE):
    """Like `np.lib.format.open_memmap`: maps a `.npy` file, creating it for mode 'w+'."""
    path = _filename(filename)
    _check_supported(version, max_header_size)
    if isinstance(mode, str) and "w" in mode and mode != "w+":
        raise ValueError(f"invalid mode: '{mode}b'" if mode != "w" else
                         f"mode must be one of {['r', 'c', 'r+', 'w+', 'readonly', 'copyonwrite', 'readwrite', 'write']!r} (got 'w')")
    if mode == "w+":
        dt = dtypes.dtype(dtype)
        if shape is None:
            raise TypeError("object of type 'NoneType' has no len()")
        dims = shape_list(shape)
        _host.require()
        order = _host.wit_types.Order.FORTRAN if fortran_order else _host.wit_types.Order.C
        handle = _host.call(_host.wit_mmap.Memmap.create_npy, path, _host.dtype(dt), dims, order)
        return memmap._wrap(handle, path, "r+", handle.offset())
    mode = canonical_mode(mode)
    _host.require()
    handle = _host.call(_host.wit_mmap.Memmap.open_npy, path, wit_mode(mode))
    return memmap._wrap(handle, path, mode, handle.offset())


def load(file, mmap_mode=None, allow_pickle=False, fix_imports=True, encoding="ASCII", *,
         max_header_size=_MAX_HEADER_SIZE):
    """Like `np.load` for `.npy` files: a memmap with `mmap_mode`, else the array read into Python."""
    if allow_pickle:
        raise NotImplementedError("np.load(allow_pickle=True) is not supported: only .npy files load")
    if mmap_mode is not None:
        return open_memmap(file, mode=mmap_mode, max_header_size=max_header_size)
    mapped = open_memmap(file, mode="r", max_header_size=max_header_size)
    data = mapped.copy()
    del mapped
    return data


def save(file, arr, allow_pickle=True, fix_imports=True):
    """Like `np.save`: writes `arr` (an array, a memmap, numbers) to a `.npy` file, adding the
    `.npy` suffix as numpy does."""
    path = path_of(file)
    if not path.endswith(".npy"):
        path += ".npy"
    if not isinstance(arr, (ndarray, memmap)):
        arr = array(arr)
    out = open_memmap(path, mode="w+", dtype=arr.dtype, shape=arr.shape)
    if arr.size:
        out[...] = arr
    out.flush()
    del out
