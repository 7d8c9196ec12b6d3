"""Writes crates/numpy-random/src/exp_table.rs: the 2^(k/128) table of the `exp` in `src/exp.rs`.

For k in 0..128, with 2^(k/128) computed to 60 digits: H = the nearest double to it, T = the nearest
double to (2^(k/128) - H) / H; the table holds the bits of T, then the bits of H less k << 45 (so that
adding the exponent bits k << 45 of the reduced argument gives H scaled). These are the values of the
table in glibc's (and musl's) `exp_data.c` (checked against glibc 2.36's libm.so.6: all 256 equal).

Usage: python3 crates/numpy-random/data/exp_table.py > crates/numpy-random/src/exp_table.rs
"""

import struct
from decimal import Decimal, getcontext

getcontext().prec = 60


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


ln2 = Decimal(2).ln()
words = []
for k in range(128):
    v = (ln2 * k / 128).exp()
    h = float(v)
    t = float((v - Decimal(h)) / Decimal(h))
    words += [bits(t), (bits(h) - (k << 45)) % 2**64]

print("//! The 2^(k/128) table of `exp.rs`, written by `crates/numpy-random/data/exp_table.py` (see there).")
print()
print("/// Pairs for k in 0..128: the bits of the relative tail T, then the bits of H less `k << 45`,")
print("/// where 2^(k/128) = H * (1 + T).")
print("#[rustfmt::skip]")
print("pub(super) const TABLE: [u64; 256] = [")
for i in range(0, 256, 4):
    print("    " + " ".join(f"{w:#018x}," for w in words[i : i + 4]))
print("];")
