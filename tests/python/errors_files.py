# FileNotFoundError with numpy's (the OS's) messages: missing files in each mode that does not
# create, and a missing folder. (PermissionError, a file the script may not write: errors_permission.py.)
import os
import numpy as np

cases = [
    ('r', lambda: np.memmap('missing.dat', dtype='f8', mode='r')),
    ('r+', lambda: np.memmap('missing.dat', dtype='f8', mode='r+', shape=(2,))),
    ('c', lambda: np.memmap('missing.dat', dtype='f8', mode='c')),
    ('w+ in a missing folder', lambda: np.memmap('nofolder/x.dat', dtype='f8', mode='w+', shape=(2,))),
    ('open_memmap', lambda: np.lib.format.open_memmap('missing.npy')),
    ('load', lambda: np.load('missing.npy', mmap_mode='r')),
]
for name, case in cases:
    try:
        case()
        print(name, 'no error')
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
print(sorted(os.listdir('.')))
