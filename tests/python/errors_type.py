# TypeError and the IndexError numpy gives for indices of the wrong type, with numpy's messages:
# unknown dtypes, shapes and offsets that are not integers, non-integer indices, conversions of
# arrays with more than one element.
import numpy as np

m = np.memmap('t.dat', dtype='float64', mode='w+', shape=(3, 4))
cases = [
    ('dtype', lambda: np.memmap('t.dat', dtype='xyz', mode='r')),
    ('dtype f3', lambda: np.memmap('t.dat', dtype='f3', mode='r')),
    ('shape float', lambda: np.memmap('t.dat', dtype='f8', mode='r', shape=(2.5,))),
    ('index float', lambda: m[1.5]),
    ('index str', lambda: m['a']),
    ('index float in tuple', lambda: m[0, 1.0]),
    ('slice float', lambda: m[0.5:2]),
    ('float of a row', lambda: float(m[0])),
    ('int of a row', lambda: int(m[:, 1])),
    ('item float', lambda: m.item(1.5)),
]
for name, case in cases:
    try:
        case()
        print(name, 'no error')
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
