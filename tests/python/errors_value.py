# ValueError with numpy's messages: bad modes, orders and shapes, files too short or empty, sizes
# that are not a whole number of elements, writes through mode 'r', assignments that do not
# broadcast, and reductions of empty selections.
import numpy as np

m = np.memmap('v.dat', dtype='float64', mode='w+', shape=(3, 4))
open('empty.dat', 'wb').close()
with open('odd.dat', 'wb') as f:
    f.write(b'\0' * 10)


def assign(target, index, value):
    target[index] = value


cases = [
    ('mode', lambda: np.memmap('v.dat', mode='rw')),
    ('mode-x', lambda: np.memmap('v.dat', mode='x')),
    ('w+ no shape', lambda: np.memmap('new.dat', dtype='f8', mode='w+')),
    ('order', lambda: np.memmap('v.dat', dtype='f8', mode='r', shape=(2,), order='X')),
    ('too short', lambda: np.memmap('v.dat', dtype='f8', mode='r', shape=(20,))),
    ('too short c', lambda: np.memmap('v.dat', dtype='f8', mode='c', shape=(2, 20))),
    ('offset past end', lambda: np.memmap('v.dat', dtype='f8', mode='r', offset=200)),
    ('empty', lambda: np.memmap('empty.dat', dtype='f8', mode='r')),
    ('not a multiple', lambda: np.memmap('odd.dat', dtype='f8', mode='r')),
    ('not a multiple at offset', lambda: np.memmap('v.dat', dtype='f8', mode='r', offset=4)),
    ('read-only', lambda: assign(np.memmap('v.dat', dtype='f8', mode='r'), 0, 1.0)),
    ('read-only view', lambda: assign(np.memmap('v.dat', dtype='f8', mode='r')[1:], slice(None), 1.0)),
    ('broadcast', lambda: assign(m, slice(None), [1, 2, 3])),
    ('broadcast 2d', lambda: assign(m, slice(None), [[1, 2, 3, 4], [5, 6, 7, 8]])),
    ('sequence to element', lambda: assign(m, (0, 0), [1, 2])),
    ('too big', lambda: np.memmap('v.dat', dtype='f8', mode='r+', shape=(2**62,))),
    ('too big 3-D', lambda: np.memmap('v.dat', dtype='f8', mode='r', shape=(2**31, 2**31, 4))),
    ('empty min', lambda: m[3:].min()),
    ('empty max', lambda: m[:, 5:].max()),
    ('item of many', lambda: m.item()),
]
for name, case in cases:
    try:
        case()
        print(name, 'no error')
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
print(np.memmap('v.dat', dtype='f8', mode='r').tolist())
