# np.memmap's offset, shape=None (the whole file, 1-D), an integer shape, and order='F'.
import numpy as np

m = np.memmap('data.bin', dtype='uint8', mode='w+', shape=(64,))
m[:] = list(range(64))
del m

# shape=None maps from the offset to the end of the file, 1-D.
print(np.memmap('data.bin', dtype='uint8', mode='r').shape)
print(np.memmap('data.bin', dtype='uint16', mode='r').shape)
a = np.memmap('data.bin', dtype='uint8', mode='r', offset=60)
print(a.shape, a.offset, a.tolist())
b = np.memmap('data.bin', dtype='>u4', mode='r', offset=8)
print(b.shape, b.offset, b.tolist())

# An unaligned offset, an integer shape.
c = np.memmap('data.bin', dtype='<u2', mode='r', offset=3, shape=4)
print(c.shape, c.offset, c.tolist())

# A 2-D window at an offset; r+ writes through at the right place.
d = np.memmap('data.bin', dtype='uint8', mode='r+', offset=16, shape=(2, 4))
d[1, :] = 255
print(repr(d), d.offset)
d.flush()
del d

# order='F': column-major. The same values land in the file in another order.
f = np.memmap('fortran.bin', dtype='int16', mode='w+', shape=(2, 3), order='F')
print(f.strides)
f[:] = [[1, 2, 3], [4, 5, 6]]
f.flush()
del f
print(np.memmap('fortran.bin', dtype='int16', mode='r').tolist())
g = np.memmap('fortran.bin', dtype='int16', mode='r', shape=(2, 3), order='F')
print(g.tolist(), g.strides)
print(repr(g.T), g.T.strides)

# r+ on a file shorter than the shape grows it (numpy writes one zero byte at the end).
h = np.memmap('grow.bin', dtype='float64', mode='w+', shape=(2,))
del h
h = np.memmap('grow.bin', dtype='float64', mode='r+', shape=(5,))
print(h.shape, h.tolist())
del h
print(len(np.memmap('grow.bin', dtype='uint8', mode='r')))
