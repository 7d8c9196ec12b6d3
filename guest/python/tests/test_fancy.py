"""Integer-array indexing of arrays held in Python (`a[[0, 2]]`, `a[i, j]` with lists, `a.flat`,
`np.take`, `np.put`) against real numpy: the same values, shapes, classes and messages."""

import unittest

from support import np, outcome, wm

KEYS = [
    [0, 2], [[0, 1], [2, 3]], ([0, 2], [1, 2]), ([0, 2], 1), (1, [0, 2]), ([0, 2], slice(None)),
    ([0, 2], Ellipsis), ([[0], [1]], [0, 1, 2]), [], ([], []), [-1, -4], (0, [0, 1, 2, 3]),
    ([[0, 1]], [[2], [1]]), ([0, 1, 1], [2, 0, 2], [0, 1, 3]), [True, 1],
    # errors
    [0, 3], [0, -4], ([0, 1], [0, 3]), ([0, 1], [0, 1, 2]), ([0], [0], [0], [0]), [1.0], [2**70],
    [0, "x"], [0, [1]], ([0, 1], [[0, 1, 2], [1, 2, 0]]), ([0, 1], 5),
]


def pair():
    ref = np.arange(24.0).reshape(3, 2, 4)
    return ref, wm.array(ref.tolist())


def value(result):
    if hasattr(result, "tolist"):
        return (type(result).__name__, tuple(getattr(result, "shape", ())), result.tolist())
    return result


class FancyIndexing(unittest.TestCase):
    def test_getitem_matches_numpy(self):
        ref, ours = pair()
        for key in KEYS:
            with self.subTest(key=key):
                self.assertEqual(outcome(lambda: value(ours[key])), outcome(lambda: value(ref[key])))

    def test_getitem_of_views(self):
        ref, ours = pair()
        for view in [lambda a: a[::-1], lambda a: a.T, lambda a: a[1:, :, ::-2]]:
            for key in [[0, 1], ([0, 1], [1, 0]), ([1], 0)]:
                with self.subTest(key=key):
                    self.assertEqual(value(view(ours)[key]), value(view(ref)[key]))

    def test_setitem_matches_numpy(self):
        cases = [
            ([0, 2], 7.0), ([0, 2], [1, 2, 3, 4]), ([0, 0], [[[1] * 4, [2] * 4], [[3] * 4, [4] * 4]]),
            (([0, 1], [1, 0]), [[5, 6, 7, 8]]), (([0, 1], [1, 0]), [[[5, 6, 7, 8]]]),
            (([0, 1], [1, 0], [3, 3]), [9, 10]), ([], [1, 2, 3, 4]),
            ([0, 1], [1, 2]), ([0, 1], [[1, 2, 3, 4]] * 3), ([], [1, 2]), ([0, 5], 1), ([0, 1], []),
        ]
        for key, val in cases:
            with self.subTest(key=key, value=val):
                ref, ours = pair()

                def assign(a):
                    a[key] = val
                    return a.tolist()

                self.assertEqual(outcome(lambda: assign(ours)), outcome(lambda: assign(ref)))

    def test_masks_and_mixed_slices_are_not_supported(self):
        _, ours = pair()
        for key in [[True, False, True], (slice(None), [0, 1]), ([0, 1], slice(1, None)), ([0, 1], None),
                    (Ellipsis, [0])]:
            with self.subTest(key=key):
                self.assertEqual(outcome(lambda: ours[key])[0], "NotImplementedError")


class Flat(unittest.TestCase):
    def test_flat_getitem(self):
        ref, ours = pair()
        for key in [5, -1, 24, -25, [0, 23], [[1, 2], [3, 4]], [24], slice(2, 9, 3), slice(None, None, -5),
                    Ellipsis, (3,), (1, 2), None, "x", [True] * 24, 2**70, [2**70], []]:
            with self.subTest(key=key):
                self.assertEqual(outcome(lambda: value(ours.flat[key])), outcome(lambda: value(ref.flat[key])))
        self.assertEqual(len(ours.flat), len(ref.flat))
        self.assertEqual(list(ours.T.flat), list(ref.T.flat))

    def test_flat_setitem(self):
        for key, val in [(3, 9.5), ([0, 1, 2, 3, 4], [5, 6]), ([0, 1], [1, 2, 3]), (slice(2, 5), 7),
                         ([3], []), ([], [1]), ([24], 1), (30, 1), (3, [1, 2]), (3, "x")]:
            with self.subTest(key=key, value=val):
                ref, ours = pair()

                def assign(a):
                    a.T.flat[key] = val
                    return a.tolist()

                self.assertEqual(outcome(lambda: assign(ours)), outcome(lambda: assign(ref)))
        ref, ours = np.zeros(3, dtype=np.int32), wm.array([0, 0, 0], dtype="int32")
        for a in (ref, ours):
            a.flat[[1]] = 7.9
        self.assertEqual(ours.tolist(), ref.tolist())
        self.assertEqual(outcome(lambda: ours.flat.__setitem__(0, 2**40)),
                         outcome(lambda: ref.flat.__setitem__(0, 2**40)))


class TakePut(unittest.TestCase):
    def test_take_matches_numpy(self):
        ref, ours = pair()
        cases = [
            ([0, 23], {}), ([[1, 2]], {}), (5, {}), ([24], {}), ([-25], {}), (24, {}), ([], {}),
            ([1.5], {}), ([1, 30, -30], {"mode": "wrap"}), ([1, 30, -30], {"mode": "clip"}),
            ([1], {"mode": "x"}), ([2, 0], {"axis": 0}), ([1, 0, 1], {"axis": 1}), ([[3], [0]], {"axis": -1}),
            ([3], {"axis": 0}), ([4], {"axis": 2}), ([0], {"axis": 3}), (1, {"axis": 1}),
        ]
        for idx, kw in cases:
            with self.subTest(idx=idx, kw=kw):
                self.assertEqual(outcome(lambda: value(wm.take(ours, idx, **kw))),
                                 outcome(lambda: value(np.take(ref, idx, **kw))))
                self.assertEqual(outcome(lambda: value(ours.take(idx, **kw))), outcome(lambda: value(ref.take(idx, **kw))))

    def test_put_matches_numpy(self):
        cases = [
            ([0, 2, 4, 5, 6], [7, 8], {}), ([23], 1.5, {}), ([1, 2], [[1, 2], [3, 4]], {}), ([1], [], {}),
            ([], [1], {}), ([24], 1, {}), ([-25], 1, {}), ([3, 50], [1], {}), ([30], [1], {"mode": "clip"}),
            ([-30], [2], {"mode": "wrap"}), ([1.5], 9, {}), ([1], 1, {"mode": "y"}),
        ]
        for idx, val, kw in cases:
            with self.subTest(idx=idx, value=val, kw=kw):
                ref, ours = pair()

                def put(put_fn, a):
                    put_fn(a, idx, val, **kw)
                    return a.tolist()

                self.assertEqual(outcome(lambda: put(wm.put, ours)), outcome(lambda: put(np.put, ref)))
        self.assertEqual(outcome(lambda: wm.put([1, 2], [0], 1)), outcome(lambda: np.put([1, 2], [0], 1)))
        # numpy writes the positions before a bad one, then raises; so do np.put and a.flat here
        for put_ours, put_ref in [(lambda a: wm.put(a, [1, 2, 99, 3], [7, 8]), lambda a: np.put(a, [1, 2, 99, 3], [7, 8])),
                                  (lambda a: a.flat.__setitem__([4, -99, 5], 6), lambda a: a.flat.__setitem__([4, -99, 5], 6))]:
            ref, ours = pair()
            self.assertEqual(outcome(lambda: put_ours(ours)), outcome(lambda: put_ref(ref)))
            self.assertEqual(ours.tolist(), ref.tolist())
        ref, ours = np.zeros(4, dtype=np.int32), wm.array([0] * 4, dtype="int32")
        self.assertEqual(outcome(lambda: wm.put(ours, [1], [1, 2**40])), outcome(lambda: np.put(ref, [1], [1, 2**40])))


if __name__ == "__main__":
    unittest.main()
