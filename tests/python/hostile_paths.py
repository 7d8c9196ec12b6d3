# Hostile: every way out of the granted directory is refused as components are refused (a
# PermissionError naming the path and the grant), through np.memmap and through Python's own
# open(); sys.argv[1] is the absolute path of a file outside the grant.
import sys
import numpy as np

outside = sys.argv[1]
paths = ['../outside.dat', 'sub/../../outside.dat', outside, '/etc/passwd', 'link-out', 'link-abs',
         'dir-out/outside.dat']
for path in paths:
    for mode in ['r', 'r+', 'w+']:
        try:
            np.memmap(path, dtype='uint8', mode=mode, shape=(4,))
            print(mode, 'no error')
        except Exception as e:
            print(mode, f"{type(e).__name__}: {e}")
for path in ['../outside.dat', outside, 'link-out']:
    for how in ['rb', 'r+b', 'wb']:
        try:
            with open(path, how) as f:
                f.write(b'escaped') if how != 'rb' else f.read()
            print(how, 'no error')
        except Exception as e:
            print(how, type(e).__name__)
try:
    np.lib.format.open_memmap('../escape.npy', mode='w+', dtype='f8', shape=(2,))
    print('open_memmap no error')
except Exception as e:
    print(f"{type(e).__name__}: {e}")
# Inside the grant all is well.
m = np.memmap('inside.dat', dtype='uint8', mode='w+', shape=(4,))
m[:] = 7
print('inside', m.tolist())
