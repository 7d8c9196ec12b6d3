# np.random.default_rng with seeds 0, 12345, 2**40+7 and [1, 2, 3]: standard_normal, normal, random
# and integers with size None, an int and a tuple, and out= writing draws straight into a map.
import numpy as np

np.set_printoptions(precision=17)
for seed in [0, 12345, 2**40 + 7, [1, 2, 3]]:
    rng = np.random.default_rng(seed)
    print('seed', seed)
    x = rng.standard_normal()
    print(type(x).__name__, repr(x))
    print(repr(rng.standard_normal(5)))
    print(rng.standard_normal((2, 3)).tolist())
    print(repr(rng.normal()), repr(rng.normal(10, 0.5)))
    print(rng.normal(-3, 2, size=4).tolist(), rng.normal(loc=1.5, scale=3.0, size=(2, 2)).tolist())
    print(repr(rng.random()), rng.random(3).tolist(), rng.random((2, 2)).tolist())
    print(int(rng.integers(10)), int(rng.integers(-5, 5)), rng.integers(0, 100, size=6).tolist())
    print(rng.integers(2**40, size=3).tolist(), rng.integers(-2**62, 2**62, size=(2, 2)).tolist())

# out= fills a selection of a map in place (C-contiguous float64 views).
rng = np.random.default_rng(12345)
m = np.memmap('draws.dat', dtype='float64', mode='w+', shape=(4, 5))
r = rng.standard_normal(out=m[0])
print(r is None, type(r).__name__)
rng.standard_normal(out=m[1:3])
rng.random(out=m[3])
m.flush()
print(m.tolist())
print(rng.standard_normal(3).tolist())

# One generator, many sizes: the stream continues across calls as numpy's does.
rng = np.random.default_rng(0)
a = rng.standard_normal(100_000)
print(float(a[0]), float(a[-1]), a.shape)
print(rng.random(), rng.integers(1000))
