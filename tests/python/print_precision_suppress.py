# np.set_printoptions(precision=, suppress=) with repr, str and print of float maps; get_printoptions
# reads back what was set.
import numpy as np

m = np.memmap('p.dat', dtype='float64', mode='w+', shape=(3, 4))
m[:] = [[1 / 3, -2 / 3, 1e-5, 12345.678], [0.1, 0.25, -1e-9, 2.0], [3.14159265358979, 1e3, 5e-4, -0.0]]
small = m[1, :2]
for precision in [8, 4, 2, 0, 12]:
    for suppress in [False, True]:
        np.set_printoptions(precision=precision, suppress=suppress)
        opts = np.get_printoptions()
        print('precision', opts['precision'], 'suppress', opts['suppress'])
        print(repr(m))
        print(str(m))
        print(m[0])
        print(small, repr(small))
np.set_printoptions(precision=8, suppress=False)
print(np.get_printoptions()['precision'], np.get_printoptions()['suppress'])
