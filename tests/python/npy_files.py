# .npy files: np.lib.format.open_memmap creates them (numpy's header byte for byte, C and Fortran
# order) and opens them; np.load(mmap_mode=...) maps them in each mode.
import numpy as np
from numpy.lib.format import open_memmap

a = open_memmap('c.npy', mode='w+', dtype='float64', shape=(3, 4))
a[:] = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
print(repr(a), a.offset)
del a

f = np.lib.format.open_memmap('f.npy', mode='w+', dtype='<i4', shape=(2, 3), fortran_order=True)
f[:] = [[1, 2, 3], [4, 5, 6]]
print(f.strides, f.offset)
del f

b = np.lib.format.open_memmap('b.npy', mode='w+', dtype='>u2', shape=(5,))
b[:] = [1, 2, 258, 4, 65535]
del b

for name in ['c.npy', 'f.npy', 'b.npy']:
    r = np.lib.format.open_memmap(name)
    print(name, r.mode, r.dtype, r.shape, r.strides, r.offset, r.tolist())
    del r

for mode in ['r', 'r+', 'c']:
    m = np.load('c.npy', mmap_mode=mode)
    print(mode, type(m).__name__, m.mode, m.shape, m[1].tolist())
    if mode != 'r':
        m[1, 1] = -1
        m.flush()
    del m
print(np.load('c.npy', mmap_mode='r').tolist())

# open_memmap's default mode is r+: it writes through.
w = open_memmap('f.npy')
w[0, 2] = 30
del w
print(np.load('f.npy', mmap_mode='r').tolist())
