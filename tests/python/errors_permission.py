# PermissionError with numpy's (the OS's) message: 'ro.dat' and 'ro.npy' are read-only files (mode
# 0444, made by the test before the run), which the writing modes may not open.
import os
import numpy as np

cases = [
    ('r+', lambda: np.memmap('ro.dat', dtype='f8', mode='r+', shape=(2,))),
    ('w+', lambda: np.memmap('ro.dat', dtype='f8', mode='w+', shape=(2,))),
    ('open_memmap r+', lambda: np.lib.format.open_memmap('ro.npy', mode='r+')),
    ('load r+', lambda: np.load('ro.npy', mmap_mode='r+')),
    ('r', lambda: np.memmap('ro.dat', dtype='f8', mode='r').tolist()),
    ('c', lambda: np.memmap('ro.dat', dtype='f8', mode='c').tolist()),
]
for name, case in cases:
    try:
        print(name, case())
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
print(sorted(os.listdir('.')))
