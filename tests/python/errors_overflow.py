# OverflowError with numpy's messages: negative offsets and shapes, integers that do not fit the
# element type.
import numpy as np

m = np.memmap('o.dat', dtype='uint8', mode='w+', shape=(4,))
i = np.memmap('o16.dat', dtype='int16', mode='w+', shape=(2,))


def assign(target, index, value):
    target[index] = value


cases = [
    ('negative offset', lambda: np.memmap('o.dat', dtype='uint8', mode='r', offset=-1)),
    ('negative shape', lambda: np.memmap('o.dat', dtype='uint8', mode='r', shape=(-2,))),
    ('shape 2**63', lambda: np.memmap('o.dat', dtype='f8', mode='r', shape=(2**63,))),
    ('uint8 -1', lambda: assign(m, 0, -1)),
    ('uint8 256', lambda: assign(m, 1, 256)),
    ('int16 40000', lambda: assign(i, 0, 40000)),
    ('int16 -2**15-1', lambda: assign(i, slice(None), -2**15 - 1)),
    ('int64 2**63', lambda: assign(np.memmap('o64.dat', dtype='int64', mode='w+', shape=(1,)), 0, 2**63)),
    ('uint64 2**64', lambda: assign(np.memmap('ou64.dat', dtype='uint64', mode='w+', shape=(1,)), 0, 2**64)),
]
for name, case in cases:
    try:
        case()
        print(name, 'no error')
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
print(m.tolist(), i.tolist())
