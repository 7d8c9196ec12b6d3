import unittest

from support import np, outcome, wm

VALUES = [300, -1, 300.7, -1.5, 1e300, float("nan"), float("inf"), 2**63, 2**64 - 1, 2**70, True, 1 + 2j,
          None, "5", 0.5, -0.0, 65504.0, 1e5, 2.0**63]
DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
          "float32", "float64", "complex64", "complex128"]


def store(module, dt, key, value):
    a = module.array([0, 0, 0], dtype=dt)
    a[key] = value
    return a.tolist()


class PythonValues(unittest.TestCase):
    def test_scalars_into_every_dtype(self):
        for dt in DTYPES:
            for v in VALUES:
                with self.subTest(dt=dt, v=v):
                    self.assertEqual(repr(outcome(lambda: store(wm, dt, 0, v))), repr(outcome(lambda: store(np, dt, 0, v))))

    def test_sequences(self):
        for dt in ["uint8", "int64", "float32", "float64", "bool"]:
            for v in [[300, 1, 2], [1.5, 2, 300], [1, 2.5, 3], [1, 2, 2**70], [[1, 2, 3]], [1, 2], (4, 5, 6),
                      [None, 1, 2], [[1, 2], [3]], [[1], [2], [3]]]:
                with self.subTest(dt=dt, v=v):
                    ours = outcome(lambda: store(wm, dt, slice(None), v))
                    theirs = outcome(lambda: store(np, dt, slice(None), v))
                    if theirs[0] == "ValueError" and "sequence" in theirs[1]:
                        self.assertEqual(ours[0], "ValueError")  # numpy's wording varies with the target
                    else:
                        self.assertEqual(repr(ours), repr(theirs))


class ArrayCasts(unittest.TestCase):
    def test_float_arrays_into_every_dtype(self):
        values = [1.5, 300.0, -3.7, 1e20, float("nan"), float("inf"), -1e10, 2.0**63, 2.0**64 + 4096, -0.0, 3e9]
        for dt in DTYPES:
            with self.subTest(dt=dt):
                theirs = outcome(lambda: np.array(values).astype(dt).tolist())
                ours = outcome(lambda: wm.array(values).astype(dt).tolist())
                self.assertEqual(repr(ours), repr(theirs))

    def test_int_arrays_into_every_dtype(self):
        values = [-1, 255, 256, -129, 2**40 + 3, -2**63, 2**63 - 1, 0]
        for dt in DTYPES:
            with self.subTest(dt=dt):
                theirs = outcome(lambda: np.array(values).astype(dt).tolist())
                ours = outcome(lambda: wm.array(values).astype(dt).tolist())
                self.assertEqual(repr(ours), repr(theirs))

    def test_array_assignment_casts(self):
        src = [[1.5, 300, -3.7]]
        for dt in ["uint8", "int8", "float32", "bool"]:
            with self.subTest(dt=dt):
                self.assertEqual(outcome(lambda: store(wm, dt, slice(None), wm.array(src))),
                                 outcome(lambda: store(np, dt, slice(None), np.array(src))))


class ArraysFromPython(unittest.TestCase):
    def test_dtype_inference(self):
        for v in [[1, 2], [1, 2.5], [True, False], [1, True], [1j, 2], 3, 2.5, [], [[1, 2], [3, 4]]]:
            with self.subTest(v=v):
                self.assertEqual(str(wm.array(v).dtype), str(np.array(v).dtype))
                self.assertEqual(wm.array(v).shape, np.array(v).shape)

    def test_reductions(self):
        import random

        rnd = random.Random(3)
        for values in [[rnd.gauss(0, 1) for _ in range(n)] for n in (1, 7, 8, 100, 129, 1000, 5003)] + [
            [1, 2, 3], [True, False, True], [2**62, 2**62], [-5, 7]
        ]:
            for method in ("sum", "mean", "min", "max"):
                with self.subTest(n=len(values), method=method):
                    self.assertEqual(repr(getattr(wm.array(values), method)()), repr(getattr(np.array(values), method)()))
        for method in ("min", "max"):
            self.assertEqual(outcome(lambda: getattr(wm.array([]), method)()), outcome(lambda: getattr(np.array([]), method)()))


if __name__ == "__main__":
    unittest.main()


class NarrowReductions(unittest.TestCase):
    def test_float32_and_float16_sums_and_means(self):
        import random

        rnd = random.Random(5)
        for dt in ("float32", "float16"):
            for n in (3, 8, 100, 300, 2000):
                values = [rnd.uniform(-10, 10) for _ in range(n)]
                for method in ("sum", "mean"):
                    with self.subTest(dt=dt, n=n, method=method):
                        theirs = getattr(np.array(values, dtype=dt), method)()
                        ours = getattr(wm.array(values, dtype=dt), method)()
                        self.assertEqual(repr(ours), repr(theirs))
