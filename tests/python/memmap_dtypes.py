# np.memmap with every dtype spelling: names, aliases, one-letter codes, type strings with and
# without a byte order, and Python/numpy types. Each file gets the same values in its own type, so
# the files' bytes show the element kind and byte order.
import numpy as np

spellings = [
    'float64', 'f8', '<f8', '>f8', '=f8', 'd', 'double', 'float', float, np.float64,
    'float32', 'f4', '>f4', 'f', 'single', np.float32,
    'float16', 'f2', '<f2', '>f2', 'e', 'half', np.float16,
    'int8', 'i1', 'b', 'byte', np.int8,
    'int16', 'i2', '>i2', 'h', 'short',
    'int32', 'i4', '<i4', '>i4', 'i', 'intc', np.int32,
    'int64', 'i8', '>i8', 'l', 'q', 'long', 'longlong', 'intp', 'int', int, np.int64,
    'uint8', 'u1', '|u1', 'B', 'ubyte', np.uint8,
    'uint16', 'u2', '>u2', 'H', 'ushort',
    'uint32', 'u4', 'I', 'uintc', np.uint32,
    'uint64', 'u8', '>u8', 'L', 'Q', 'ulong', 'uint', 'uintp', np.uint64,
    'bool', '?', 'b1', 'bool_', bool, np.bool_,
    'complex64', 'c8', '>c8', 'F', 'csingle', np.complex64,
    'complex128', 'c16', '<c16', '>c16', 'D', 'cdouble', 'complex', complex, np.complex128,
]

for n, spelling in enumerate(spellings):
    name = f"dtype{n:02d}.dat"
    m = np.memmap(name, dtype=spelling, mode='w+', shape=(4,))
    m[:] = [0, 1, 1, 0] if m.dtype.kind == 'b' else [1, 2, 3, 100]
    m.flush()
    label = spelling if isinstance(spelling, str) else spelling.__name__
    print(label, '->', m.dtype, m.dtype.str, m.dtype.name, m.dtype.itemsize, m.dtype.kind, m.dtype.char)
    print(repr(m))
    del m
    # Reopened read-only with the same spelling: the same values.
    r = np.memmap(name, dtype=spelling, mode='r')
    print(r.shape, r.tolist())
    del r
