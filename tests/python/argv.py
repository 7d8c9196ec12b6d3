# sys.argv: the script's path as given, then the arguments after it; the script reads them.
import sys
import numpy as np

print(sys.argv)
print(len(sys.argv), sys.argv[0].endswith('argv.py'))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
name = sys.argv[2] if len(sys.argv) > 2 else 'out.dat'
m = np.memmap(name, dtype='int32', mode='w+', shape=(n,))
m[:] = list(range(n))
print(repr(m))
