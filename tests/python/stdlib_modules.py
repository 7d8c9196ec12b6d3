# The standard library's pure modules a script may import, used beside a memmap: math, json, struct,
# re, itertools, functools, collections, dataclasses, time, os.path, sys.
import collections
import dataclasses
import functools
import itertools
import json
import math
import os.path
import re
import struct
import sys
import time

import numpy as np


@dataclasses.dataclass
class Stats:
    name: str
    total: float


m = np.memmap('std.dat', dtype='<f8', mode='w+', shape=(3, 4))
m[:] = [[math.sqrt(i * 4 + j) for j in range(4)] for i in range(3)]
m.flush()
with open('std.dat', 'rb') as f:
    raw = f.read()
print(struct.unpack('<12d', raw)[:5])
print(json.dumps({'shape': list(m.shape), 'sum': float(m.sum()), 'rows': m[:2, :2].tolist()}, sort_keys=True))
print(re.findall(r'\d+\.\d{2}', str(m[0])))
print(list(itertools.islice(itertools.accumulate(m[1].tolist()), 3)))
print(functools.reduce(lambda a, b: a * b, m.shape))
print(collections.Counter(int(x) for row in m.tolist() for x in row))
print(Stats('m', round(float(m.mean()), 6)))
start = time.monotonic()
print(time.monotonic() >= start, os.path.join('a', 'b.dat'), os.path.splitext('x.npy'), sys.byteorder)
with open('report.json', 'w') as f:
    json.dump({'max': float(m.max()), 'min': float(m.min())}, f)
