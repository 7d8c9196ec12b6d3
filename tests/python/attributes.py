# A map's and its views' attributes: shape, dtype, strides, ndim, size, mode, offset, filename.
import os
import numpy as np

m = np.memmap('attrs.dat', dtype='<i2', mode='w+', shape=(3, 4, 5), offset=6)
for label, a in [('m', m), ('m[1]', m[1]), ('m[:, ::2]', m[:, ::2]), ('m.T', m.T), ('m[None, 0]', m[None, 0]),
                 ('m[2, 3]', m[2, 3])]:
    print(label, a.shape, a.dtype, repr(a.dtype), a.strides, a.ndim, a.size, a.mode, a.offset,
          os.path.basename(a.filename), a.filename == m.filename)
print(type(m.shape).__name__, type(m.strides).__name__, type(m.size).__name__, type(m.ndim).__name__)

for dtype in ['>f8', 'u1', 'c8', '?', 'float16']:
    n = np.memmap('attrs2.dat', dtype=dtype, mode='w+', shape=(2,))
    print(n.dtype, repr(n.dtype), n.dtype.str, n.dtype.itemsize, n.strides, n.mode, n.offset)
    del n

r = np.memmap('attrs.dat', dtype='uint8', mode='r', offset=100)
print(r.shape, r.mode, r.offset, r.strides, os.path.basename(r.filename))
