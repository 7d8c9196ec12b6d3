"""The memory-mapped file session of the "Advanced NumPy" appendix, as a script.

It runs unchanged under CPython with numpy and in the sandbox, and prints the same and leaves the
same 800,000,000-byte file `mymmap` in the current directory under both:

    python3 examples/session.py
    wasm-memmap run examples/session.py --dir .

With `--echo` (`python3 examples/session.py --echo`, `wasm-memmap run examples/session.py --dir .
-- --echo`) it prints the session as IPython shows it: each step as `In [217]: ...`, and the value of
each bare expression as `Out[218]:` and its repr.

The book's numbers came from an `rng` used earlier in the book; this script seeds its own
(`np.random.default_rng(12345)`, or `--seed N`), so the values differ from the book's but are the
same on every run and in both interpreters. `--echo` prints exactly what `wasm-memmap demo` (with
the same `--seed`) prints: the tests hold the two equal.
"""

import sys

import numpy as np

# The book prints with 4 decimals and no scientific notation. `legacy='2.1'` keeps numpy's older form
# of a summarised repr, the one the book shows: numpy 2.2 and later append `shape=(10000, 10000)`.
np.set_printoptions(precision=4, suppress=True, legacy='2.1')

# The session, numbered as in the book (In [217] .. In [225]). A step that is an expression shows its
# value, as IPython's `Out[n]:` does.
SESSION = [
    (217, "mmap = np.memmap('mymmap', dtype='float64', mode='w+', shape=(10000, 10000))"),
    (218, "mmap"),
    (219, "section = mmap[:5]"),
    (220, "section[:] = rng.standard_normal((5, 10000))"),
    (221, "mmap.flush()"),
    (222, "mmap"),
    (223, "del mmap"),
    (224, "mmap = np.memmap('mymmap', dtype='float64', shape=(10000, 10000))"),
    (225, "mmap"),
]


def main():
    args = sys.argv[1:]
    echo = '--echo' in args
    seed = int(args[args.index('--seed') + 1]) if '--seed' in args else 12345
    names = {'np': np, 'rng': np.random.default_rng(seed)}
    # What is printed, as blocks separated by a blank line (IPython's spacing).
    blocks = []
    for number, source in SESSION:
        try:
            code = compile(source, '<session>', 'eval')
        except SyntaxError:
            # A statement (an assignment, `del`): it shows no value.
            exec(compile(source, '<session>', 'exec'), names)
            value = None
        else:
            value = eval(code, names)
        # IPython shows no Out for None (a call such as `mmap.flush()`).
        shown = None if value is None else repr(value)
        if echo:
            block = f"In [{number}]: {source}"
            if shown is not None:
                block += f"\nOut[{number}]:\n{shown}"
            blocks.append(block)
        elif shown is not None:
            blocks.append(shown)
    print("\n\n".join(blocks))


main()
