import unittest

from support import np, outcome, wm

KEYS = [
    0, -1, 1, (1, 2), (slice(None, None, -1),), (Ellipsis, 1), (None, 0, slice(1, None, 2)),
    (1, slice(None, None, -2), slice(3, 0, -1)), (slice(5, 10),), (0, 0, 0), (Ellipsis,),
    (slice(None), None, 1, Ellipsis), (slice(-100, 100, 3),), (Ellipsis, None), (0, Ellipsis, 0),
    (slice(None, None, -1), slice(None, None, -1), slice(None, None, -1)), (-2, -3, -4),
    (slice(1, 1),), (slice(None), slice(2, 0)),
]
BAD_KEYS = [(0, 0, 0, 0), 5, (0, 5), (0, 0, -5), 1.0, (Ellipsis, Ellipsis), "a", slice(0, 2, 0),
            slice(0, 1.5), 2**70]


class BasicIndexing(unittest.TestCase):
    def setUp(self):
        self.ref = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
        self.ours = wm.array(self.ref.tolist())

    def test_views_match_numpy(self):
        for key in KEYS:
            with self.subTest(key=key):
                a, b = self.ref[key], self.ours[key]
                self.assertEqual(np.shape(a), getattr(b, "shape", ()))
                self.assertEqual(np.asarray(a).tolist(), b.tolist())
                self.assertEqual(repr(a) if np.ndim(a) == 0 else None, repr(b) if np.ndim(a) == 0 else None)

    def test_views_of_views_and_transpose(self):
        a, b = self.ref[::-1, 1:][:, ::2], self.ours[::-1, 1:][:, ::2]
        self.assertEqual(a.tolist(), b.tolist())
        self.assertEqual(self.ref.T.tolist(), self.ours.T.tolist())
        self.assertEqual(self.ref.transpose(1, 0, 2).tolist(), self.ours.transpose(1, 0, 2).tolist())
        self.assertEqual(np.transpose(self.ref, (2, 0, 1)).tolist(), wm.transpose(self.ours, (2, 0, 1)).tolist())

    def test_errors_match_numpy(self):
        for key in BAD_KEYS:
            with self.subTest(key=key):
                self.assertEqual(outcome(lambda: self.ours[key]), outcome(lambda: self.ref[key]))
        for axes in [(0, 1), (0, 1, 3), (0, 0, 1)]:
            with self.subTest(axes=axes):
                self.assertEqual(outcome(lambda: self.ours.transpose(axes)), outcome(lambda: self.ref.transpose(axes)))

    def test_masks_and_mixed_advanced_indexing_are_not_supported(self):
        for key in [[True, False], True, (slice(None), [1, 2])]:
            with self.subTest(key=key):
                self.assertEqual(outcome(lambda: self.ours[key])[0], "NotImplementedError")

    def test_setitem_broadcasts_as_numpy(self):
        cases = [((slice(None), 1), 7.5), ((Ellipsis, slice(None, None, -1)), [1, 2, 3, 4]),
                 ((0,), [[1], [2], [3]]), ((None, 1, slice(0, 2)), 2**40),
                 ((slice(None), slice(None), 0), [[1, 2, 3]]), ((0,), [1, 2])]
        for key, value in cases:
            with self.subTest(key=key, value=value):
                r, o = self.ref.copy(), wm.array(self.ref.tolist())

                def put(arr):
                    arr[key] = value
                    return arr.tolist()

                self.assertEqual(outcome(lambda: put(o)), outcome(lambda: put(r)))

    def test_item_len_iter_and_conversions(self):
        m, r = wm.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]])
        for args in [(3,), (1, 0), ((0, 1),), (9,), (), (0, 0, 0)]:
            with self.subTest(args=args):
                self.assertEqual(outcome(lambda: m.item(*args)), outcome(lambda: r.item(*args)))
        self.assertEqual(len(m), len(r))
        self.assertEqual([x.tolist() for x in m], [x.tolist() for x in r])
        zero_d = (wm.array(2.5), np.array(2.5))
        for fn in (len, iter, bool):
            self.assertEqual(outcome(lambda: fn(zero_d[0])), outcome(lambda: fn(zero_d[1])))
        for fn in (float, int, bool):
            self.assertEqual(outcome(lambda: fn(m)), outcome(lambda: fn(r)))
        self.assertEqual(float(wm.array(2.5)), 2.5)

    def test_arithmetic_is_refused_by_name(self):
        m = wm.array([1.0, 2.0])
        for op, symbol in [(lambda: m + 1, "+"), (lambda: 2 * m, "*"), (lambda: m < 1, "<"), (lambda: -m, "unary -")]:
            kind, message = outcome(op)
            self.assertEqual(kind, "NotImplementedError")
            self.assertIn(symbol, message)


if __name__ == "__main__":
    unittest.main()
