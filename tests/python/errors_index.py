# IndexError with numpy's messages: out-of-range integers on any axis, too many indices, item().
import numpy as np

m = np.memmap('e.dat', dtype='float64', mode='w+', shape=(3, 4))
cases = [
    lambda: m[3],
    lambda: m[-4],
    lambda: m[0, 4],
    lambda: m[1, -5],
    lambda: m[0, 0, 0],
    lambda: m[..., ...],
    lambda: m[1][7],
    lambda: m.T[4],
    lambda: m[None, 5],
    lambda: m.item(12),
    lambda: m.item(3, 0),
    lambda: m.item(0, -5),
    lambda: m[:, 1][3],
]
for n, case in enumerate(cases):
    try:
        case()
        print(n, 'no error')
    except Exception as e:
        print(n, f"{type(e).__name__}: {e}")


def assign(index, value):
    m[index] = value


for index in [5, (0, 9), (1, 2, 3), (-10,)]:
    try:
        assign(index, 1.0)
        print(index, 'no error')
    except Exception as e:
        print(index, f"{type(e).__name__}: {e}")
