import unittest

from support import np, outcome, wm


class GeneratorArguments(unittest.TestCase):
    """The argument checks made in Python, before the host draws anything."""

    def test_size_errors(self):
        from wasm_memmap.random import _shape

        rng = np.random.default_rng(0)
        for size in [-1, (2, -3), 2.5, "a", (2.5,), [1, "a"]]:
            with self.subTest(size=size):
                self.assertEqual(outcome(lambda: _shape(size)), outcome(lambda: rng.standard_normal(size)))

    def test_integer_bounds(self):
        ours = object.__new__(wm.random.Generator)
        rng = np.random.default_rng(0)
        for args in [(-2**63 - 1, 5), (0, 2**63 + 1), (0, 2**64)]:
            with self.subTest(args=args):
                self.assertEqual(outcome(lambda: ours.integers(*args)), outcome(lambda: rng.integers(*args)))

    def test_unsupported_dtypes(self):
        ours = object.__new__(wm.random.Generator)
        for call in [lambda: ours.standard_normal(3, dtype=wm.float32), lambda: ours.random(dtype="f4"),
                     lambda: ours.integers(0, 5, dtype=wm.int32), lambda: ours.normal([0, 1], 1)]:
            self.assertEqual(outcome(call)[0], "NotImplementedError")
        rng = np.random.default_rng(0)
        self.assertEqual(outcome(lambda: ours.standard_normal(dtype=wm.int64)),
                         outcome(lambda: rng.standard_normal(dtype=np.int64)))


if __name__ == "__main__":
    unittest.main()
