"""`import zarr` inside a wasm-memmap script: `wasm_memmap.zarr` under zarr-python's name.

`zarr.open_array`, `zarr.create_array` and `zarr.open` return the package's `memmap` over a Zarr v3
array the host reads and writes; `zarr.codecs` and `zarr.errors` hold the codecs and exceptions of
zarr-python this module takes and raises (`from zarr.codecs import ZstdCodec` works).
"""

import sys as _sys

from wasm_memmap import zarr as _wz
from wasm_memmap.zarr import codecs, create_array, errors, open, open_array  # noqa: A004, F401

__all__ = ["open_array", "create_array", "open", "codecs", "errors"]

# So that `import zarr.codecs` and `from zarr.errors import ArrayNotFoundError` find them.
_sys.modules["zarr.codecs"] = _wz.codecs
_sys.modules["zarr.errors"] = _wz.errors


def __getattr__(name):
    raise AttributeError(
        f"module 'zarr' has no attribute {name!r} (wasm-memmap's zarr module has open_array, "
        "create_array, open, codecs and errors; see docs/python.md)"
    )
