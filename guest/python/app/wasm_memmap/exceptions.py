"""`np.exceptions`: numpy's own exception types (the others numpy raises are Python's)."""


class AxisError(ValueError, IndexError):
    """An axis argument out of range, like numpy's `np.exceptions.AxisError` (both a `ValueError`
    and an `IndexError`)."""


AxisError.__module__ = "numpy.exceptions"


class _ArrayMemoryError(MemoryError):
    """numpy's MemoryError for an array it cannot allocate: "Unable to allocate 8.00 TiB for an
    array with shape (1099511627776,) and data type float64"."""

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = dtype
        total = itemsize = dtype.itemsize
        for n in self.shape:
            total *= n
        self._total_size = total if self.shape else itemsize
        super().__init__(str(self))

    @staticmethod
    def _size_to_string(num_bytes):
        # numpy's _ArrayMemoryError._size_to_string
        units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        unit_i = max(num_bytes.bit_length() - 1, 1) // 10
        n_units = num_bytes / (1 << (unit_i * 10))
        if round(n_units) == 1024:
            unit_i += 1
            n_units /= 1024
        if unit_i >= len(units):
            new_unit_i = len(units) - 1
            n_units *= 1 << ((unit_i - new_unit_i) * 10)
            unit_i = new_unit_i
        unit_name = units[unit_i]
        if unit_i == 0:
            return f"{n_units:.0f} {unit_name}"
        if round(n_units) < 1000:
            return f"{n_units:#.3g} {unit_name}"
        return f"{n_units:#.0f} {unit_name}"

    def __str__(self):
        size_str = self._size_to_string(self._total_size)
        return f"Unable to allocate {size_str} for an array with shape {self.shape} and data type {self.dtype}"


_ArrayMemoryError.__module__ = "numpy._core._exceptions"
_ArrayMemoryError.__name__ = "MemoryError"  # numpy's _display_as_base
