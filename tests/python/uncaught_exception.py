# An exception the script does not catch: the traceback names this file and line on stderr and the
# run exits with status 1, after what was printed before it.
import numpy as np

m = np.memmap('u.dat', dtype='float64', mode='w+', shape=(3,))
m[:] = [1, 2, 3]
m.flush()
print('before', m.tolist())


def read_past_the_end(a):
    return a[5]


read_past_the_end(m)
print('never printed')
