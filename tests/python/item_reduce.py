# Reading values into Python: item(...), float(...), int(...), tolist(), and the reductions sum,
# min, max and mean.
import numpy as np

m = np.memmap('values.dat', dtype='float64', mode='w+', shape=(3, 4))
m[:] = [[1.5, -2, 3, 0.25], [10, 20, 30, 40], [-7.5, 8, 1e-3, 2**0.5]]
print(m.item(0, 1), m.item(5), m.item(-1), m.item(2, -1), type(m.item(0)).__name__)
print(m[1].item(3), m[1:2, 2:3].item())
print(float(m[0, 0]), float(m[2, 3]), float(m[1:2, 1:2][0, 0]), int(m[1, 3]))
print(m.tolist())
print(m[1].tolist(), m[1, 1:].tolist(), m[::-1, ::2].tolist(), m.T.tolist())
print(m[0, 0].tolist() if hasattr(m[0, 0], 'tolist') else m[0, 0])
print(m.sum(), m.min(), m.max(), m.mean())
print(m[1].sum(), m[1].min(), m[1].max(), m[1].mean())
print(m[:, ::2].sum(), m[::-1].max(), m.T[1:].min(), m[0:2, 1].mean())
print(float(m.sum()), float(m.mean()))

i = np.memmap('ints.dat', dtype='int32', mode='w+', shape=(2, 3))
i[:] = [[5, -6, 7], [8, 9, -10]]
print(i.item(1, 2), type(i.item(1, 2)).__name__, i.tolist(), int(i[0, 1]))
print(i.min(), i.max())

b = np.memmap('bools.dat', dtype='bool', mode='w+', shape=(3,))
b[:] = [True, False, True]
print(b.item(0), type(b.item(0)).__name__, b.tolist())

c = np.memmap('c.dat', dtype='complex128', mode='w+', shape=(2,))
c[:] = [1 + 2j, -3j]
print(c.item(0), c.tolist())
