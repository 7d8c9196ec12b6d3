"""The demo's session in python3 + numpy: the oracle the demo's transcript is tested against.

Usage: python3 session.py [SEED [DIR]] (default seed 12345, directory `.`). Runs the session cell by
cell with `rng = np.random.default_rng(SEED)` and the book's print options, in DIR (where it leaves
`mymmap`, 800,000,000 bytes, sparse), and prints it as the demo does: each cell's input line, then for
an expression with a value `Out[n]:` and numpy's repr, cells separated by a blank line. The cell texts
are the session's; every output is numpy's.
"""

import ast
import os
import sys

import numpy as np

CELLS = [
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


def main(seed=12345, directory="."):
    os.chdir(directory)
    np.set_printoptions(precision=4, suppress=True, legacy="2.1")
    names = {"np": np, "rng": np.random.default_rng(seed)}
    blocks = []
    for n, source in CELLS:
        lines = [f"In [{n}]: {source}"]
        if isinstance(ast.parse(source).body[0], ast.Expr):
            value = eval(source, names)
            if value is not None:
                lines += [f"Out[{n}]:", repr(value)]
        else:
            exec(source, names)
        blocks.append("\n".join(lines))
    print("\n\n".join(blocks))


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 12345
    main(seed, sys.argv[2] if len(sys.argv) > 2 else ".")
