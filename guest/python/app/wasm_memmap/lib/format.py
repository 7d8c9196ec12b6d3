"""`np.lib.format`: `open_memmap` over the host's `.npy` support."""

from ..npy import open_memmap  # noqa: F401

__all__ = ["open_memmap"]
