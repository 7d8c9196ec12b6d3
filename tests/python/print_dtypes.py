# repr, str and print of every element kind: ints, unsigned, float16/32/64, complex64/128, bool and
# big-endian files, with the values that test the number formats (nan, inf, -0, huge, tiny).
import numpy as np

values = {
    'int8': [-128, 0, 127], 'uint8': [0, 7, 255], 'int16': [-300, 2, 3], '>i2': [1, -2, 32767],
    'uint16': [65535, 0, 1], 'int32': [-2**31, 0, 2**31 - 1], 'uint32': [2**32 - 1, 0, 5],
    'int64': [-2**63, 1, 2**63 - 1], '>i8': [1, 2, 3], 'uint64': [2**64 - 1, 0, 1], '>u4': [1, 256, 65536],
    'float16': [0.1, -65504, 6e-5], '>f2': [1, 2.5, -3], 'float32': [0.1, 1e-7, 3e38],
    '>f4': [1.5, -2.25, 1e10], 'float64': [1e-300, -1e300, 0.5], '>f8': [1, 2, 3.5],
    'complex64': [1 + 1j, -2.5j, 1e10], '>c8': [1j, 2, 3], 'complex128': [1e-5 + 2j, 3, -4j],
    '>c16': [1.5 + 2.5j, 0, 1], 'bool': [True, False, True],
}
specials = [float('nan'), float('inf'), -float('inf'), -0.0, 0.0, 1.0]
for dtype, vals in values.items():
    m = np.memmap('d.dat', dtype=dtype, mode='w+', shape=(len(vals),))
    m[:] = vals
    print(dtype, repr(m))
    print(str(m))
    print(m)
    col = np.memmap('d2.dat', dtype=dtype, mode='w+', shape=(3, 1))
    col[:, 0] = vals
    print(repr(col))
    del m, col
for dtype in ['float16', 'float32', 'float64', '>f8', 'complex64', 'complex128']:
    s = np.memmap('s.dat', dtype=dtype, mode='w+', shape=(len(specials),))
    s[:] = specials
    print(repr(s))
    print(s)
    del s
