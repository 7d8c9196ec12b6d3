# np.memmap's modes and their aliases: w+ creates (and wipes), r+ writes through, r reads, c keeps
# its changes in memory; the file's bytes after each step show which changes reached it.
import numpy as np

m = np.memmap('modes.dat', dtype='float64', mode='w+', shape=(2, 3))
print(m.mode, repr(m))
m[:] = [[1, 2, 3], [4, 5, 6]]
m.flush()
del m

for mode in ['r', 'readonly', 'r+', 'readwrite', 'c', 'copyonwrite']:
    a = np.memmap('modes.dat', dtype='float64', mode=mode, shape=(2, 3))
    print(mode, a.mode, a.shape, a.tolist())
    if mode in ('r+', 'readwrite'):
        a[0, 0] += 10
    if mode in ('c', 'copyonwrite'):
        # Changed in this mapping only: the file keeps its values.
        a[1] = -1
        print('  copy-on-write sees', a.tolist())
        a.flush()
    del a

print(np.memmap('modes.dat', dtype='float64', mode='r', shape=(2, 3)).tolist())

# The default mode is r+.
d = np.memmap('modes.dat', dtype='float64', shape=(6,))
print(d.mode)
d[5] = 60
del d

# w+ and its alias 'write' truncate: the old values are gone.
w = np.memmap('modes.dat', dtype='float64', mode='write', shape=(3,))
print(w.mode, w.tolist())
w[:] = 7
del w
print(np.memmap('modes.dat', dtype='float64', mode='r').tolist())
