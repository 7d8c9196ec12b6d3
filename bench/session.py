"""The seed session in python3 + numpy, as the benchmark times it against `wasm-memmap demo`
(see shared/seed/session.md): the same steps and the same printing."""
import numpy as np

np.set_printoptions(precision=4, suppress=True, legacy="2.1")
rng = np.random.default_rng(12345)
mmap = np.memmap("mymmap", dtype="float64", mode="w+", shape=(10000, 10000))
print(repr(mmap))
section = mmap[:5]
section[:] = rng.standard_normal((5, 10000))
mmap.flush()
print(repr(mmap))
del section
del mmap
mmap = np.memmap("mymmap", dtype="float64", shape=(10000, 10000))
print(repr(mmap))
