# Integer-array indexing's errors, with numpy's exception types and messages: out-of-range indices
# (first bad one per axis, axis by axis), shape mismatches of index arrays and of assigned values,
# too many indices, non-integer indices, a.flat's own messages, np.take / np.put's modes, axes and
# read-only refusals; nothing is written when an index is bad (the files must end the same).
import numpy as np

m = np.memmap('e.dat', dtype='float64', mode='w+', shape=(3, 4))
m[:] = [[4 * i + j for j in range(4)] for i in range(3)]
b = np.memmap('b.dat', dtype='int16', mode='w+', shape=(10,))
r = np.memmap('e.dat', dtype='float64', mode='r', shape=(3, 4))


def assign(a, key, value):
    a[key] = value


def flat_assign(a, key, value):
    a.flat[key] = value


cases = [
    ('m[[0, 3]]', lambda: m[[0, 3]]),
    ('m[[0, -4]]', lambda: m[[0, -4]]),
    ('m[[0, 1], [0, 4]]', lambda: m[[0, 1], [0, 4]]),
    ('m[[5, 0], [9, 0]]', lambda: m[[5, 0], [9, 0]]),
    ('m[[0, 1], [9, -9]]', lambda: m[[0, 1], [9, -9]]),
    ('m[[0, 1], 4]', lambda: m[[0, 1], 4]),
    ('m[3, [0, 1]]', lambda: m[3, [0, 1]]),
    ('m[[0, 1], [0, 1, 2]]', lambda: m[[0, 1], [0, 1, 2]]),
    ('m[[0, 1, 2], [[0, 1], [1, 2]]]', lambda: m[[0, 1, 2], [[0, 1], [1, 2]]]),
    ('m[[0], [0], [0]]', lambda: m[[0], [0], [0]]),
    ('m[[1.0]]', lambda: m[[1.0]]),
    ('m[[0, "x"]]', lambda: m[[0, 'x']]),
    ('m[[2**70]]', lambda: m[[2**70]]),
    ('m[[2**63]]', lambda: m[[2**63]]),
    ('m[np.array([1.0, 2.0])]', lambda: m[np.array([1.0, 2.0])]),
    ('m[[0, [1]]]', lambda: m[[0, [1]]]),
    ('m[[]][[0]]', lambda: m[[]][[0]]),
    ('m.flat[12]', lambda: m.flat[12]),
    ('m.flat[-13]', lambda: m.flat[-13]),
    ('m.flat[[0, 12]]', lambda: m.flat[[0, 12]]),
    ('m.flat[2**70]', lambda: m.flat[2**70]),
    ('m.flat[[2**70]]', lambda: m.flat[[2**70]]),
    ('m.flat[1, 2]', lambda: m.flat[1, 2]),
    ('m.flat[None]', lambda: m.flat[None]),
    ('m.flat["x"]', lambda: m.flat['x']),
    ('m.flat[[True] * 12]', lambda: m.flat[[True] * 12]),
    ('np.take(m, [12])', lambda: np.take(m, [12])),
    ('np.take(m, [-13])', lambda: np.take(m, [-13])),
    ('np.take(m, 12)', lambda: np.take(m, 12)),
    ('np.take(m, [3], axis=0)', lambda: np.take(m, [3], axis=0)),
    ('np.take(m, [0, 4], axis=1)', lambda: np.take(m, [0, 4], axis=1)),
    ('np.take(m, [0], axis=2)', lambda: np.take(m, [0], axis=2)),
    ('np.take(m, [0], axis=-3)', lambda: np.take(m, [0], axis=-3)),
    ('np.take(m, [0], mode="x")', lambda: np.take(m, [0], mode='x')),
    ('np.take(m[:0], [0], mode="wrap")', lambda: np.take(m[:0], [0], mode='wrap')),
    ('np.take(m[:0], [0])', lambda: np.take(m[:0], [0])),
    ('np.take(m[:0], 0, mode="clip")', lambda: np.take(m[:0], 0, mode='clip')),
    ('np.take(m[:0], [], mode="clip")', lambda: np.take(m[:0], [], mode='clip')),
    ('np.take(m[:0], [0], axis=0)', lambda: np.take(m[:0], [0], axis=0)),
    ('np.take(m[:, :0], [1], axis=1, mode="wrap")', lambda: np.take(m[:, :0], [1], axis=1, mode='wrap')),
    ('m[:0].take([0], mode="wrap")', lambda: m[:0].take([0], mode='wrap')),
    ('np.put(b[:0], [0], 1)', lambda: np.put(b[:0], [0], 1)),
    ('np.put(b[:0], [0], 1, mode="clip")', lambda: np.put(b[:0], [0], 1, mode='clip')),
    ('np.put(b[:0], 0, 1, mode="wrap")', lambda: np.put(b[:0], 0, 1, mode='wrap')),
    ('np.put(b[:0], [0], 40000)', lambda: np.put(b[:0], [0], 40000)),
    ('np.put(b[:0], [0], [])', lambda: np.put(b[:0], [0], [])),
    ('np.put(b[:0], [], 1)', lambda: np.put(b[:0], [], 1)),
    ('b[:0].put([0], 1)', lambda: b[:0].put([0], 1)),
    ('np.put(b, [10], 1)', lambda: np.put(b, [10], 1)),
    ('np.put(b, [2, -11], [5, 6])', lambda: np.put(b, [2, -11], [5, 6])),
    ('np.put(b, [1], 40000)', lambda: np.put(b, [1], 40000)),
    ('np.put(b, [1], [1, 40000])', lambda: np.put(b, [1], [1, 40000])),
    ('np.put(b, [1], 1, mode="y")', lambda: np.put(b, [1], 1, mode='y')),
    ('np.put([1, 2], [0], 1)', lambda: np.put([1, 2], [0], 1)),
    ('np.put(r, [0], 1)', lambda: np.put(r, [0], 1)),
    ('np.put(r, [99], 1)', lambda: np.put(r, [99], 1)),
    ('m[[0, 3]] = 1', lambda: assign(m, [0, 3], 1)),
    ('m[[0, 1], [1, 9]] = 1', lambda: assign(m, ([0, 1], [1, 9]), 1)),
    ('m[[0, 1]] = [1, 2]', lambda: assign(m, [0, 1], [1, 2])),
    ('m[[0, 1]] = [[1, 2, 3, 4]] * 3', lambda: assign(m, [0, 1], [[1, 2, 3, 4]] * 3)),
    ('m[[0, 1], [0, 1]] = [1, 2, 3]', lambda: assign(m, ([0, 1], [0, 1]), [1, 2, 3])),
    ('m[[0, 1]] = []', lambda: assign(m, [0, 1], [])),
    ('m[[]] = [1, 2]', lambda: assign(m, [], [1, 2])),
    ('b[[0, 1]] = 40000', lambda: assign(b, [0, 1], 40000)),
    ('b[[0, 1]] = [1.5, 2**70]', lambda: assign(b, [0, 1], [1.5, 2**70])),
    ('r[[0]] = 1', lambda: assign(r, [0], 1)),
    ('r[[99]] = 1', lambda: assign(r, [99], 1)),
    ('m.flat[12] = 1', lambda: flat_assign(m, 12, 1)),
    ('m.flat[[0, 12]] = 1', lambda: flat_assign(m, [0, 12], 1)),
    ('b.flat[0] = 40000', lambda: flat_assign(b, 0, 40000)),
    ('b.flat[0] = [1, 2]', lambda: flat_assign(b, 0, [1, 2])),
    ('b.flat[[0]] = 40000', lambda: flat_assign(b, [0], 40000)),
    ('r.flat[0] = 1', lambda: flat_assign(r, 0, 1)),
    ('r.flat[[99]] = 1', lambda: flat_assign(r, [99], 1)),
]


def outcome(case):
    try:
        case()
    except Exception as e:
        return f"{type(e).__name__}: {e}"
    return 'no error'


for name, case in cases:
    print(name, outcome(case))
m.flush()
b.flush()
print(repr(m))
print(repr(b))
