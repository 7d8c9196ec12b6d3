import unittest

from support import np, outcome, wm

DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False, nanstr="nan",
                infstr="inf", formatter=None, sign="-", floatmode="maxprec", legacy=False)


class PrintOptions(unittest.TestCase):
    def setUp(self):
        np.set_printoptions(**DEFAULTS)
        wm.set_printoptions(**DEFAULTS)

    tearDown = setUp

    def test_defaults(self):
        self.assertEqual(wm.get_printoptions(), np.get_printoptions())

    def test_valid_settings(self):
        for kw in [dict(precision=4, suppress=True, legacy="2.1"), dict(threshold=5, edgeitems=1),
                   dict(linewidth=120, sign="+"), dict(floatmode="fixed"), dict(sign=" ", floatmode="unique"),
                   dict(precision=True), dict(threshold=float("inf")), dict(suppress=2), dict(legacy=False)]:
            with self.subTest(kw=kw):
                np.set_printoptions(**kw)
                wm.set_printoptions(**kw)
                self.assertEqual(wm.get_printoptions(), np.get_printoptions())

    def test_positional_arguments(self):
        np.set_printoptions(3, 10, 2, 60)
        wm.set_printoptions(3, 10, 2, 60)
        self.assertEqual(wm.get_printoptions(), np.get_printoptions())

    def test_numpy_validation_errors(self):
        for kw in [dict(precision=1.5), dict(precision="a"), dict(floatmode="x"), dict(sign="x"),
                   dict(threshold=float("nan")), dict(threshold="a"), dict(foo=1)]:
            with self.subTest(kw=kw):
                self.assertEqual(outcome(lambda: wm.set_printoptions(**kw)), outcome(lambda: np.set_printoptions(**kw)))

    def test_unsupported_options(self):
        for kw in [dict(nanstr="NaN"), dict(infstr="Inf"), dict(formatter={"float": str}), dict(legacy="1.13"),
                   dict(legacy="1.25"), dict(override_repr=repr)]:
            with self.subTest(kw=kw):
                self.assertEqual(outcome(lambda: wm.set_printoptions(**kw))[0], "NotImplementedError")
        self.assertEqual(wm.get_printoptions(), np.get_printoptions())

    def test_context_manager_restores(self):
        with np.printoptions(precision=2, threshold=3) as theirs, wm.printoptions(precision=2, threshold=3) as ours:
            self.assertEqual(ours, theirs)
            self.assertEqual(wm.get_printoptions(), np.get_printoptions())
        self.assertEqual(wm.get_printoptions(), np.get_printoptions())


class SeedWords(unittest.TestCase):
    def test_seeds_split_as_seedsequence(self):
        from numpy.random.bit_generator import _coerce_to_uint32_array as coerce

        from wasm_memmap.random import seed_words

        for seed in [0, 12345, 2**40 + 7, 2**64 + 3, [1, 2, 3], [0, 2**33], (5,), np.int64(7), [],
                     [[1, 2]], True]:
            with self.subTest(seed=seed):
                self.assertEqual(seed_words(seed), coerce(seed).tolist())

    def test_bad_seeds_fail_as_default_rng(self):
        from wasm_memmap.random import seed_words

        for seed in [-1, 1.5, [1, -2], [1.5]]:
            with self.subTest(seed=seed):
                self.assertEqual(outcome(lambda: seed_words(seed)), outcome(lambda: np.random.default_rng(seed)))


if __name__ == "__main__":
    unittest.main()


class DtypeSuffix(unittest.TestCase):
    """The host formats the kind in native order; the module puts back numpy's `dtype=` suffix."""

    def test_suffix_as_numpy_writes_it(self):
        from wasm_memmap import printing

        for threshold in (5, 1000):
            for legacy in (False, "2.1"):
                np.set_printoptions(threshold=threshold, legacy=legacy)
                wm.set_printoptions(threshold=threshold, legacy=legacy)
                for dt in ["q", ">f8", ">i4", "l", "f8", ">c16", "u1", ">u2", "?", "f4", ">f4"]:
                    for shape in [(3,), (0,), (2, 0), (30,), (3, 10), (2000,), ()]:
                        with self.subTest(dt=dt, shape=shape, threshold=threshold, legacy=legacy):
                            arr = np.zeros(shape, dt)
                            native = arr.astype(arr.dtype.newbyteorder("=")).astype(arr.dtype.name)
                            ours = printing._fix_dtype(repr(native), "array", wm.dtype(dt), arr.size)
                            self.assertEqual(ours, repr(arr))
        np.set_printoptions(**DEFAULTS)
        wm.set_printoptions(**DEFAULTS)
