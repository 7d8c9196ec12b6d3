# np.set_printoptions(linewidth=): where repr and str wrap rows, nested and not.
import numpy as np

m = np.memmap('w.dat', dtype='float64', mode='w+', shape=(3, 20))
m[:] = [[(i + 1) * (j - 7.25) for j in range(20)] for i in range(3)]
for linewidth in [75, 40, 20, 10, 120, 200]:
    np.set_printoptions(linewidth=linewidth)
    print('linewidth', np.get_printoptions()['linewidth'])
    print(repr(m))
    print(m)
    print(repr(m[1, :9]))
    print(m[2, ::4])
np.set_printoptions(linewidth=75)
