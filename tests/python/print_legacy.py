# np.set_printoptions(legacy='2.1'): a summarised repr without the `shape=` numpy 2.2 added, and
# legacy=False restoring it; the book's form of the document's session.
import numpy as np

m = np.memmap('l.dat', dtype='float64', mode='w+', shape=(100, 100))
m[:5] = 0.5
i = np.memmap('li.dat', dtype='int8', mode='w+', shape=(2000,))
for legacy in [False, '2.1', False]:
    np.set_printoptions(legacy=legacy)
    print('legacy', np.get_printoptions()['legacy'])
    print(repr(m))
    print(repr(i))
    print(repr(m[:2, :3]))
    print(str(m))
np.set_printoptions(precision=4, suppress=True, legacy='2.1')
print(repr(m))
