# Integer-array indexing of memmaps (numpy's advanced indexing, which copies): rows of a 2-D map
# a[[i, j, k]], one integer array per leading axis a[idx0, idx1] (broadcast together, with integers
# among them), a.flat[idx] / a.flat[i] / a.flat[slice], np.take (flattened and along an axis, modes
# wrap and clip), np.put (a short v repeated), assignment a[[i, j]] = v broadcasting, on views with
# negative steps, every dtype, both byte orders and modes r+, c and r; the files must end the same.
import numpy as np

m = np.memmap('grid.dat', dtype='float64', mode='w+', shape=(6, 5))
m[:] = [[10 * i + j for j in range(5)] for i in range(6)]


def show(label, v):
    print(label, type(v).__name__, getattr(v, 'shape', None), getattr(v, 'dtype', None))
    print(repr(v))


show('m[[0, 2, 5]]', m[[0, 2, 5]])
show('m[[-1, 0, -6]]', m[[-1, 0, -6]])
show('m[[[0, 1], [2, 3]]]', m[[[0, 1], [2, 3]]])
show('m[[0, 2], [1, 4]]', m[[0, 2], [1, 4]])
show('m[[0, 2], 3]', m[[0, 2], 3])
show('m[4, [0, 2, 4]]', m[4, [0, 2, 4]])
show('m[[[0], [5]], [0, 1, 4]]', m[[[0], [5]], [0, 1, 4]])
show('m[[1, 3], :]', m[[1, 3], :])
show('m[[1, 3], ...]', m[[1, 3], ...])
show('m[[]]', m[[]])
show('m[[], []]', m[[], []])
show('m[np.array([3, 1])]', m[np.array([3, 1])])
show('m[(2, 2, 0),]', m[(2, 2, 0),])
idx = np.array([[5, 0], [1, 1]], dtype=np.int32)
show('m[idx]', m[idx])
show('m[idx, idx2]', m[idx, np.array([[4, 0], [1, 1]])])
show('m[::-2][[0, 1]]', m[::-2][[0, 1]])
show('m.T[[4, 0]]', m.T[[4, 0]])
show('m[1:, ::-1][[0, 4], [0, 4]]', m[1:, ::-1][[0, 4], [0, 4]])
show('m[[0, 1]][[1]]', m[[0, 1]][[1]])

print('--- flat')
show('m.flat[[0, 29, -1]]', m.flat[[0, 29, -1]])
show('m.flat[[[1, 2], [3, 4]]]', m.flat[[[1, 2], [3, 4]]])
show('m.flat[7]', m.flat[7])
show('m.flat[-2]', m.flat[-2])
show('m.flat[3:20:4]', m.flat[3:20:4])
show('m.flat[::-7]', m.flat[::-7])
show('m.T.flat[[1, 2]]', m.T.flat[[1, 2]])
show('m[::-1].flat[0]', m[::-1].flat[0])
print(len(m.flat), [float(x) for x in m[:2, :2].flat])

print('--- take')
show('np.take(m, [0, 29, 7])', np.take(m, [0, 29, 7]))
show('np.take(m, [[1], [2]])', np.take(m, [[1], [2]]))
show('np.take(m, 12)', np.take(m, 12))
show('np.take(m, [1, 40, -40], mode=wrap)', np.take(m, [1, 40, -40], mode='wrap'))
show('np.take(m, [1, 40, -40], mode=clip)', np.take(m, [1, 40, -40], mode='clip'))
show('np.take(m, [3, 0], axis=0)', np.take(m, [3, 0], axis=0))
show('np.take(m, [3, 0], axis=1)', np.take(m, [3, 0], axis=1))
show('np.take(m, [[4]], axis=-1)', np.take(m, [[4]], axis=-1))
show('m.take([5, 6])', m.take([5, 6]))
show('m[::-1].take([0, 1])', m[::-1].take([0, 1]))

print('--- assignment')
m[[0, 2]] = 7.5
m[[1, 3]] = [1, 2, 3, 4, 5]
m[[4, 4]] = [[-1] * 5, [-2] * 5]             # a position twice: the last value wins
m[[5, 5, 0], [0, 1, 4]] = [[100, 101, 102]]
m[[[1], [3]], [0, 1]] = [[[9]]]
m[::-1][[0]] = 55
m.T[[4], [1]] = -9
m.flat[[2, 7, 12, 17]] = [0.25, 0.5]          # repeated
m.flat[29] = 1e300
m.flat[3:30:13] = 3
np.put(m, [0, 6, 12, 18, 24], [41, 42, 43])  # repeated
np.put(m, [-1], 2.5)
np.put(m, [31, -32], [8, 9], mode='wrap')
np.put(m, [100, -100], [6, 7], mode='clip')
m[::-1, ::2].put([0, 1], -0.5)
show('m', m)
m.flush()

print('--- dtypes and byte orders')
for dt in ['<i2', '>i4', 'u1', '>u8', '<f4', '>f8', 'e', '>c8', 'c16', '?']:
    a = np.memmap('dt_' + dt.replace('<', 'l').replace('>', 'b').replace('?', 'bool') + '.dat',
                  dtype=dt, mode='w+', shape=(3, 4))
    a[:] = [[(i * 4 + j) % 3 for j in range(4)] for i in range(3)]
    a[[2, 0], [3, 1]] = [1, 0]
    a.flat[[5, 6]] = 1
    np.put(a, [11], 1)
    a.flat[0] = 1
    show(dt + ' a[[1, 2]]', a[[1, 2]])
    show(dt + ' a.flat[[0, 5, 11]]', a.flat[[0, 5, 11]])
    show(dt + ' np.take(a, [3, 2])', np.take(a, [3, 2]))
    print(dt, repr(a.flat[4]))
    a.flush()
    del a

print('--- modes c and r')
c = np.memmap('grid.dat', dtype='float64', mode='c', shape=(6, 5))
c[[0, 1]] = -1.0
c.flat[[2]] = -2.0
np.put(c, [3], -3.0)
show('c[[0, 1]]', c[[0, 1]])
del c
r = np.memmap('grid.dat', dtype='float64', mode='r', shape=(6, 5))
show('r[[0, 1], [0, 1]]', r[[0, 1], [0, 1]])
show('r.flat[[0, 1, 2, 3]]', r.flat[[0, 1, 2, 3]])
print(repr(np.take(r, 3)))

print('--- arrays held in Python')
x = m[[0, 1, 2]]
show('x[[2, 0]]', x[[2, 0]])
x[[0, 0], [1, 2]] = [-7, -8]
show('x', x)
show('x.flat[[0, 14]]', x.flat[[0, 14]])
rng = np.random.default_rng(5)
picks = rng.integers(0, 30, size=8)
show('m.flat[picks]', m.flat[picks])
show('m[rows, cols]', m[rng.integers(0, 6, size=8), rng.integers(0, 5, size=8)])
