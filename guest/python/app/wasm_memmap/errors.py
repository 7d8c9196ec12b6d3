"""The host's errors as numpy's Python exceptions.

Every host call returns `result<_, error>`; componentize-py raises its `Err` for the error case.
The error's code names the exception numpy raises for the same mistake and its message is numpy's.
"""

import re

_ERRNO = re.compile(r"\[Errno (\d+)\] (.*?): '(.*)'\Z", re.S)

# The message prefixes whose exception numpy words differently from what the error code says.
_VALUE_ERRORS = ("array is too big",)
_TYPE_ERRORS = ("data type ", "Cannot interpret ")


def exception(code_name, message):
    """The exception for a WIT `error-code` (its Python enum member's name) and message."""
    match = _ERRNO.match(message)
    if match and code_name in ("NOT_FOUND", "ACCESS_DENIED", "INVALID_ARGUMENT", "IO"):
        # OSError(errno, text, path) picks FileNotFoundError, PermissionError, IsADirectoryError...
        # by errno, and prints "[Errno 2] No such file or directory: 'mymmap'" as Python does.
        return OSError(int(match.group(1)), match.group(2), match.group(3))
    if code_name == "NOT_FOUND":
        return FileNotFoundError(message)
    if code_name == "ACCESS_DENIED":
        return PermissionError(message)
    if code_name == "INDEX_OUT_OF_BOUNDS":
        return IndexError(message)
    if code_name == "OVERFLOW":
        if message.startswith(_VALUE_ERRORS):
            return ValueError(message)
        return OverflowError(message)
    if code_name == "LIMIT_EXCEEDED":
        return MemoryError(message)
    if code_name == "IO":
        return OSError(message)
    if message.startswith(_TYPE_ERRORS):
        return TypeError(message)
    # INVALID_ARGUMENT, READ_ONLY, MISMATCH
    return ValueError(message)
