"""The host's errors as numpy's Python exceptions.

Every host call returns `result<_, error>`; componentize-py raises its `Err` for the error case.
The error's code names the exception numpy raises for the same mistake and its message is numpy's.
"""

import os
import re
import warnings

from .exceptions import AxisError

_ERRNO = re.compile(r"\[Errno (\d+)\] (.*?): '(.*)'\Z", re.S)

# The message prefixes whose exception numpy words differently from what the error code says.
_TOO_BIG = "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size."
_TYPE_ERRORS = ("data type ", "Cannot interpret ")


_BY_CODE = {"NOT_FOUND": FileNotFoundError, "ACCESS_DENIED": PermissionError}
# Linux errno numbers (the host's) of the OSError subclasses numpy's file calls can raise
_BY_ERRNO = {
    1: PermissionError, 2: FileNotFoundError, 13: PermissionError, 17: FileExistsError,
    20: NotADirectoryError, 21: IsADirectoryError, 4: InterruptedError,
}


def exception(code_name, message):
    """The exception for a WIT `error-code` (its Python enum member's name) and message."""
    match = _ERRNO.match(message)
    if match and code_name in ("NOT_FOUND", "ACCESS_DENIED", "INVALID_ARGUMENT", "IO"):
        # The host's errno is the host's (Linux) numbering, not WASI's, so the class is chosen
        # here; cls(errno, text, path) prints "[Errno 2] No such file or directory: 'mymmap'".
        number = int(match.group(1))
        cls = _BY_CODE.get(code_name) or _BY_ERRNO.get(number, OSError)
        return cls(number, match.group(2), match.group(3))
    if code_name == "NOT_FOUND":
        return FileNotFoundError(message)
    if code_name == "ACCESS_DENIED":
        return PermissionError(message)
    if code_name == "INDEX_OUT_OF_BOUNDS":
        if message.startswith("axis ") and "out of bounds for array of dimension" in message:
            return AxisError(message)
        return IndexError(message)
    if message.startswith(_TOO_BIG):
        # the host adds the sizes it computed; numpy's message stops before them
        return ValueError(_TOO_BIG)
    if code_name == "OVERFLOW":
        return OverflowError(message)
    if code_name == "LIMIT_EXCEEDED":
        return MemoryError(message)
    if code_name == "IO":
        return OSError(message)
    if message.startswith(_TYPE_ERRORS):
        return TypeError(message)
    # INVALID_ARGUMENT, READ_ONLY, MISMATCH
    return ValueError(message)


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def warn(message, category=RuntimeWarning):
    """Warns as numpy does from C: attributed to the first frame outside this package (the
    script's line), so Python prints that line under the warning."""
    try:
        warnings.warn(message, category, skip_file_prefixes=(_PACKAGE,))
    except TypeError:  # Python < 3.12 (the unit tests' interpreter)
        warnings.warn(message, category, stacklevel=4)
