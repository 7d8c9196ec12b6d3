"""`np.exceptions`: numpy's own exception types (the others numpy raises are Python's)."""


class AxisError(ValueError, IndexError):
    """An axis argument out of range, like numpy's `np.exceptions.AxisError` (both a `ValueError`
    and an `IndexError`)."""


AxisError.__module__ = "numpy.exceptions"
