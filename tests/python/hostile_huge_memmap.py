# Hostile: maps and draws far larger than the host allows are refused by the host's limits, with the
# messages components get, and the script goes on.
import numpy as np

for name, shape, dtype in [('huge.dat', (2**40,), 'f8'), ('wide.dat', (2**20, 2**20, 16), 'u1'),
                           ('big.dat', (1 << 20) + 1, 'u1')]:
    try:
        m = np.memmap(name, dtype=dtype, mode='w+', shape=shape)
        print(name, 'mapped', m.shape)
        del m
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
small = np.memmap('small.dat', dtype='u1', mode='w+', shape=(1 << 20,))
small[:] = 1
print('small', small[-3:].tolist())
