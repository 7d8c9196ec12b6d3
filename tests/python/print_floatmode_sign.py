# np.set_printoptions(floatmode=, sign=) on floats and complex values, with precision.
import numpy as np

m = np.memmap('fm.dat', dtype='float64', mode='w+', shape=(6,))
m[:] = [0.5, -1.25, 3.0, 0.1, 100.0, -0.0]
z = np.memmap('fz.dat', dtype='complex128', mode='w+', shape=(3,))
z[:] = [1.5 - 2j, -0.25j, 3]
for floatmode in ['maxprec', 'fixed', 'unique', 'maxprec_equal']:
    for precision in [3, 8]:
        np.set_printoptions(floatmode=floatmode, precision=precision)
        o = np.get_printoptions()
        print(o['floatmode'], o['precision'])
        print(repr(m))
        print(m[:3])
        print(repr(z))
np.set_printoptions(floatmode='maxprec', precision=8)
for sign in ['-', '+', ' ']:
    np.set_printoptions(sign=sign)
    print('sign', repr(np.get_printoptions()['sign']))
    print(repr(m))
    print(m)
    print(repr(z), z)
    print(m[::2])
np.set_printoptions(sign='-')
