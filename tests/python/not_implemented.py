# The sandbox's refusals (docs/python.md, "Left out"): array arithmetic, print options the host's
# printer lacks, boolean masks and integer arrays mixed with slices raise NotImplementedError
# naming what was refused. numpy itself succeeds on each, so this script runs in the sandbox only.
import numpy as np

a = np.memmap('a.dat', dtype='float64', mode='w+', shape=(2, 3))
cases = [
    ('a + 1', lambda: a + 1),
    ('1 + a', lambda: 1 + a),
    ('-a', lambda: -a),
    ('a < 0', lambda: a < 0),
    ('a * a', lambda: a * a),
    ('a[0] - a[1]', lambda: a[0] - a[1]),
    ('np.sin(a)', lambda: np.sin(a)),
    ("set_printoptions(nanstr='x')", lambda: np.set_printoptions(nanstr='x')),
    ("set_printoptions(infstr='x')", lambda: np.set_printoptions(infstr='x')),
    ('a[:, [0, 1]]', lambda: a[:, [0, 1]]),
    ('a[[0, 1], 1:]', lambda: a[[0, 1], 1:]),
    ('a[np.array([True, False])]', lambda: a[np.array([True, False])]),
]
for name, case in cases:
    try:
        case()
        print(name, 'no error')
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
