# MemoryError with numpy's message: draws whose result could never be allocated are refused before
# anything is drawn, and the generator's stream is unchanged afterwards.
import numpy as np

rng = np.random.default_rng(0)
cases = [
    ('standard_normal', lambda: rng.standard_normal(2**40)),
    ('random', lambda: rng.random((2**20, 2**21))),
    ('integers', lambda: rng.integers(0, 10, size=2**45)),
    ('normal', lambda: rng.normal(0, 1, size=(3, 2**42))),
]
for name, case in cases:
    try:
        case()
        print(name, 'no error')
    except Exception as e:
        print(name, f"{type(e).__name__}: {e}")
print(rng.standard_normal(2).tolist())
