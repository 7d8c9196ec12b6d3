# Summarised printing: threshold and edgeitems, on 1-D, 2-D and 3-D maps and their views.
import numpy as np

m = np.memmap('t.dat', dtype='int64', mode='w+', shape=(12, 13))
m[:] = [[100 * i + j for j in range(13)] for i in range(12)]
cube = np.memmap('cube.dat', dtype='float32', mode='w+', shape=(7, 8, 9))
cube[:] = 0.5
for threshold, edgeitems in [(1000, 3), (100, 3), (100, 1), (10, 2), (10, 5), (0, 1), (156, 2), (155, 2)]:
    np.set_printoptions(threshold=threshold, edgeitems=edgeitems)
    o = np.get_printoptions()
    print('threshold', o['threshold'], 'edgeitems', o['edgeitems'])
    print(repr(m))
    print(m)
    print(repr(m[3]))
    print(m[::-1, ::3])
    print(repr(cube[:, 1:]))
np.set_printoptions(threshold=1000, edgeitems=3)
