import unittest

from support import np, outcome, wm

SPELLINGS = [
    "float64", "f8", "<f8", ">f8", "=f8", "|f8", "d", "float", "double", "float32", "f4", ">f4", "f",
    "single", "float16", "f2", "e", "half", ">e", "int8", "i1", "b", "byte", "int16", "i2", ">i2", "h",
    "int32", "i4", ">i4", "i", "intc", "int64", "i8", ">i8", "l", "q", "int", "int_", "intp", "long",
    "longlong", "uint8", "u1", "B", "ubyte", "|u1", "uint16", "u2", ">u2", "H", "uint32", "u4", "I",
    "uint64", "u8", ">u8", "L", "Q", "uint", "uintp", "bool", "b1", "?", "bool_", "complex64", "c8",
    ">c8", "F", "csingle", "complex128", "c16", ">c16", "D", "complex", "cdouble",
]
PYTHON_TYPES = [float, int, bool, complex, None]


def describe(d):
    return (repr(d), str(d), d.str, d.name, d.kind, d.char, d.itemsize, d.byteorder, d.isnative)


class DtypeSpellings(unittest.TestCase):
    def test_every_spelling_numpy_accepts(self):
        for spec in SPELLINGS + PYTHON_TYPES:
            with self.subTest(spec=spec):
                self.assertEqual(describe(wm.dtype(spec)), describe(np.dtype(spec)))

    def test_scalar_types_are_dtypes(self):
        for name in ["float64", "float32", "float16", "int8", "uint64", "bool", "complex64"]:
            with self.subTest(name=name):
                ours = wm.dtype(getattr(wm, name if name != "bool" else "bool_"))
                self.assertEqual(describe(ours), describe(np.dtype(name)))

    def test_unknown_spellings_fail_as_numpy(self):
        for spec in ["foo", "float65", "<int", ">float64", "x8", "<>f8"]:
            with self.subTest(spec=spec):
                self.assertEqual(outcome(lambda: wm.dtype(spec)), outcome(lambda: np.dtype(spec)))

    def test_kinds_the_host_lacks_are_not_supported(self):
        for spec in ["U3", "S4", "O", "f16", "datetime64", "V8"]:
            with self.subTest(spec=spec):
                self.assertEqual(outcome(lambda: wm.dtype(spec))[0], "NotImplementedError")

    def test_equality(self):
        self.assertEqual(wm.dtype("f8"), "float64")
        self.assertEqual(wm.dtype("f8"), wm.float64)
        self.assertNotEqual(wm.dtype(">f8"), wm.dtype("<f8"))
        self.assertEqual(wm.dtype(">f8").newbyteorder(), wm.dtype("<f8"))


if __name__ == "__main__":
    unittest.main()
