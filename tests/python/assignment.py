# a[idx] = value: a scalar, a nested list, an array (another map's view), the random generator's
# output, each broadcast by numpy's rules; the file's bytes hold the result.
import numpy as np

m = np.memmap('assign.dat', dtype='float64', mode='w+', shape=(4, 6))
m[:] = 1.5                       # scalar to all
m[0] = 2                         # int scalar to a row
m[1, 2] = -3.25                  # one element
m[2] = [0, 1, 2, 3, 4, 5]        # a list to a row
m[3, ::2] = [7, 8, 9]            # a list to a strided row
m[1:3, 1:3] = [[-1, -2]]         # a nested list broadcast down
m[:2, 4:] = [[10], [20]]         # a column broadcast across
m[..., -1] = [100, 200, 300, 400]
print(repr(m))

src = np.memmap('src.dat', dtype='float64', mode='w+', shape=(6,))
src[:] = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
m[1] = src                       # a whole array
m[2, ::-1] = src                 # into a reversed view
m[3, 1:4] = src[::2]             # from a strided view
m[:, 0] = src[:4][::-1]
print(repr(m))

rng = np.random.default_rng(7)
m[0] = rng.standard_normal(6)                    # a drawn array
m[1:3] = rng.random((1, 6))                      # broadcast down two rows
m[3] = rng.integers(0, 10, size=6)               # int64 into float64
print(repr(m))

i = np.memmap('ints.dat', dtype='int16', mode='w+', shape=(2, 3))
i[:] = [[1, 2, 3], [4, 5, 6]]
i[0] = 7.9                       # float into int truncates
i[1, 1:] = [-1, True]
print(repr(i))

b = np.memmap('bools.dat', dtype='bool', mode='w+', shape=(5,))
b[:] = [0, 2, -1, 0.0, 0.5]
print(repr(b))

c = np.memmap('complex.dat', dtype='complex128', mode='w+', shape=(3,))
c[:] = [1, 2.5, 3 - 4j]
c[0] = 1j
print(repr(c))

# Float32 stores the nearest float32.
f = np.memmap('f32.dat', dtype='>f4', mode='w+', shape=(3,))
f[:] = [0.1, 1 / 3, 1e20]
print(repr(f), f.tolist())
del m, src, i, b, c, f
