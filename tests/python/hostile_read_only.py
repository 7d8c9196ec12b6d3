# Hostile: a read-only grant ('/data') maps with 'r' and 'c' only; the writing modes are refused with
# the PermissionError components get, and the file keeps its bytes.
import numpy as np

for mode in ['r+', 'w+']:
    try:
        np.memmap('/data/frozen.dat', dtype='float64', mode=mode, shape=(2,))
        print(mode, 'no error')
    except Exception as e:
        print(mode, f"{type(e).__name__}: {e}")
r = np.memmap('/data/frozen.dat', dtype='float64', mode='r')
print('r', r.tolist())
c = np.memmap('/data/frozen.dat', dtype='float64', mode='c')
c[:] = -1
c.flush()
print('c', c.tolist())
try:
    r[0] = 5
except Exception as e:
    print(f"{type(e).__name__}: {e}")
try:
    with open('/data/frozen.dat', 'r+b') as f:
        f.write(b'x')
    print('open no error')
except Exception as e:
    print('open', type(e).__name__)
