# flush() from a map or a view, del of the map while a view lives, and reopening: what was written
# is in the file.
import numpy as np

m = np.memmap('f.dat', dtype='float64', mode='w+', shape=(3, 3))
view = m[1:]
view[:] = 5
m.flush()
print(np.memmap('f.dat', dtype='float64', mode='r', shape=(3, 3)).tolist())
view[0, 0] = 6
view.flush()
print(np.memmap('f.dat', dtype='float64', mode='r').tolist())
del m
# The view still maps the file.
view[1, 2] = 9
view.flush()
del view
print(np.memmap('f.dat', dtype='float64', mode='r', shape=(3, 3)).tolist())

# Reopen with dtype and shape, as the book does.
again = np.memmap('f.dat', dtype='float64', shape=(3, 3))
print(repr(again))
again[0] = -1
del again
print(np.memmap('f.dat', dtype='float64', mode='r').tolist())

# flush on a read-only or copy-on-write map does nothing and raises nothing.
np.memmap('f.dat', dtype='float64', mode='r').flush()
cow = np.memmap('f.dat', dtype='float64', mode='c')
cow[:] = 0
cow.flush()
del cow
print(np.memmap('f.dat', dtype='float64', mode='r').tolist())
