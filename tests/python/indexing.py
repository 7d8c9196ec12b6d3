# Basic indexing: integers (negative too), slices with steps (negative too), `...`, `None`, views
# of views and `.T`; each view's shape, strides and values, and writes through views reaching the file.
import numpy as np

m = np.memmap('grid.dat', dtype='int32', mode='w+', shape=(4, 5, 6))
m[:] = [[[100 * i + 10 * j + k for k in range(6)] for j in range(5)] for i in range(4)]

def show(label, v):
    print(label, v.shape, v.strides, v.ndim, v.size)
    print(repr(v))

show('m[1]', m[1])
show('m[-1]', m[-1])
show('m[1, 2]', m[1, 2])
show('m[1:3]', m[1:3])
show('m[::2, 1::2, ::3]', m[::2, 1::2, ::3])
show('m[::-1, 0, 0]', m[::-1, 0, 0])
show('m[3:0:-2, -1, 4::-2]', m[3:0:-2, -1, 4::-2])
show('m[..., 0]', m[..., 0])
show('m[0, ...]', m[0, ...])
show('m[1, ..., 2:4]', m[1, ..., 2:4])
show('m[None]', m[None])
show('m[0, None, :, None, 1]', m[0, None, :, None, 1])
show('m[:, 5:]', m[:, 5:])
show('m[10:20]', m[10:20])
show('m[-100:2, 1, 1]', m[-100:2, 1, 1])

# Views of views.
v = m[1:, ::2]
w = v[::-1, 1:]
x = w[..., ::-2]
show('v', v)
show('w', w)
show('x', x)
show('x[0, 0]', x[0, 0])

# .T reverses the axes; a view of a transpose.
show('m.T', m[0].T)
show('m.T[1:3]', m[0].T[1:3])
show('m[:2, :2, :2].T', m[:2, :2, :2].T)

# Scalars: one integer per axis.
print(m[1, 2, 3], m[-1, -1, -1], x[0, 0, 0])

# Writes through a view of a view reach the file.
x[0] = -1
m[0].T[0] = -2
m.flush()
print(repr(m[0]))
print(repr(m[3]))
