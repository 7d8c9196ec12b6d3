"""The Python runner component's entry: runs the script the host hands over.

componentize-py runs this module's top level when it builds the component and snapshots the
result, so everything imported here is in the snapshot and costs nothing at run time; nothing can
be imported at run time that is not (the component holds no standard-library files). The script
itself is read and executed at run time, in `Run.run`.
"""

import builtins
import importlib
import sys
import types

import wit_world
import wit_world.exports
from componentize_py_types import Err
from wit_world.imports import environment, exit as wasi_exit, script

# The pure standard-library modules a script may import (each is in the snapshot). A module that
# this CPython build lacks is skipped rather than failing the build.
_STDLIB = """
    abc argparse array ast atexit base64 binascii bisect builtins calendar cmath codecs collections
    collections.abc colorsys contextlib contextvars copy copyreg csv dataclasses datetime decimal
    difflib enum errno fnmatch fractions functools gc glob graphlib hashlib heapq hmac html io
    itertools json keyword linecache locale math numbers operator os os.path pathlib pickle pprint
    random re reprlib secrets shlex statistics string struct sys textwrap time token tokenize
    traceback types typing unicodedata uuid warnings weakref zlib
""".split()
for _name in _STDLIB:
    try:
        importlib.import_module(_name)
    except ImportError:
        pass

import atexit
import linecache
import traceback

# The numpy-compatible package, under its own name and as `numpy`, and its zarr-python-style
# module, as `wasm_memmap.zarr` and as `zarr`, when this build has them.
for _name in ("wasm_memmap", "numpy", "wasm_memmap.zarr", "zarr"):
    try:
        importlib.import_module(_name)
    except ImportError:
        pass


def _exit_status(code):
    """The process exit status CPython gives `SystemExit(code)`; prints the message it would."""
    if code is None:
        return 0
    if isinstance(code, int):
        # As a POSIX process's status: the low 8 bits (`sys.exit(256)` exits 0, `sys.exit(-1)` 255).
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def _print_exception(exc, path):
    """Prints `exc` as CPython does for an uncaught exception, with the runner's own frames left out."""
    tb = exc.__traceback__
    # The frames before the script's first are this module's (the `exec`).
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next
    try:
        sys.stderr.write("".join(traceback.format_exception(type(exc), exc, tb)))
    except Exception:
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")


def _run_script(path, text):
    """Runs `text` as the `__main__` module from file `path`; returns the exit status."""
    # Tracebacks show the script's lines: `linecache` serves them by file name (no file is read).
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    status = 0
    try:
        code = compile(text, path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as e:
        status = _exit_status(e.code)
    except BaseException as e:
        _print_exception(e, path)
        status = 1
    # What CPython does at shutdown: `atexit` functions, then the script's globals go (dropping the
    # last references to its maps flushes them, as `del` does). No `gc.collect()`: a full collection
    # of the snapshot's heap would cost every run milliseconds, and the host flushes every map the
    # script still holds when the run ends.
    try:
        atexit._run_exitfuncs()
    except SystemExit as e:
        status = _exit_status(e.code) or status
    except BaseException as e:
        _print_exception(e, path)
    try:
        main.__dict__.clear()
    except BaseException:
        pass
    return status


class Run(wit_world.exports.Run):
    def run(self) -> None:
        source = script.get()
        # `sys.argv` was frozen at build time: the host's arguments are `[program, ARGS...]`.
        args = environment.get_arguments()
        sys.argv = [source.path, *args[1:]]
        status = _run_script(source.path, source.text)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        if status == 1:
            raise Err(None)
        if status != 0:
            wasi_exit.exit_with_code(status)
