import random
import struct
import unittest

from support import np, outcome, wm

PAIRS = [(np.float64, wm.float64), (np.float32, wm.float32), (np.float16, wm.float16),
         (np.complex128, wm.complex128), (np.complex64, wm.complex64)]


class ScalarText(unittest.TestCase):
    def check(self, value):
        for theirs, ours in PAIRS:
            if not isinstance(value, complex) or theirs in (np.complex64, np.complex128):
                a, b = outcome(lambda: theirs(value)), outcome(lambda: ours(value))
                if a[0] != "ok":
                    continue
                self.assertEqual((repr(a[1]), str(a[1])), (repr(b[1]), str(b[1])), (theirs, value))

    def test_special_values(self):
        for v in [0.0, -0.0, 1.0, 0.1, 1e-4, 9.9e-5, 999.0, 1000.0, 65504.0, 1e6, 1e16, 1e20, 123456789.0,
                  float("inf"), float("-inf"), float("nan"), 1 + 2j, -0.5j, complex(1e20, -3)]:
            self.check(v)

    def test_random_bit_patterns(self):
        rnd = random.Random(7)
        for _ in range(3000):
            x = struct.unpack("<f", struct.pack("<I", rnd.getrandbits(32)))[0]
            h = struct.unpack("<e", struct.pack("<H", rnd.getrandbits(16)))[0]
            d = rnd.uniform(-1, 1) * 10 ** rnd.randint(-30, 30)
            for v in (x, h, d, complex(x, d)):
                if v == v:
                    self.check(v)

    def test_integers_and_bools(self):
        for name in ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]:
            for v in [0, 1, -1, 127, 255, 300, 2**31, 2**63 - 1, 2**64 - 1]:
                with self.subTest(name=name, v=v):
                    a = outcome(lambda: getattr(np, name)(v))
                    b = outcome(lambda: getattr(wm, name)(v))
                    if a[0] == "ok":
                        self.assertEqual((repr(a[1]), str(a[1])), (repr(b[1]), str(b[1])))
                    else:
                        self.assertEqual(a, b)
        self.assertEqual((repr(wm.True_), str(wm.False_)), (repr(np.True_), str(np.False_)))
        self.assertEqual(repr(wm.bool_(1)), repr(np.bool_(1)))


if __name__ == "__main__":
    unittest.main()
