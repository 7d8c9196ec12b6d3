"""`np.lib`: only `np.lib.format` (the `.npy` format) is provided."""

from . import format  # noqa: F401
