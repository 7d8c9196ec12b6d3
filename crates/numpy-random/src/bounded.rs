//! numpy's bounded integers for `int64` (`random_bounded_uint64_fill` in
//! `numpy/random/src/distributions/distributions.c`, Lemire's method as `Generator.integers` uses it).
//!
//! A range that fits in 32 bits draws 32-bit halves of the 64-bit outputs (numpy's buffered
//! `next_uint32`), so the stream after such a call depends on how many halves it used; this module
//! consumes exactly what numpy consumes.

use super::Pcg64;

/// Fills `out` with `off + k`, `k` uniform in `0..=rng` (wrapping), like numpy's
/// `random_bounded_uint64_fill(state, off, rng, cnt, use_masked=False, out)`.
/// The values are stored as `int64`, their bits unchanged (numpy's `int64` result of the same
/// `uint64` draws).
pub(super) fn fill(bits: &mut Pcg64, off: u64, rng: u64, out: &mut [i64]) {
    if rng == 0 {
        out.fill(as_i64(off));
    } else if let Ok(rng32) = u32::try_from(rng) {
        if rng32 == u32::MAX {
            // Lemire's 32-bit method cannot take this range; every 32-bit draw is a value.
            for v in out {
                *v = as_i64(off.wrapping_add(u64::from(bits.next_uint32())));
            }
        } else {
            for v in out {
                *v = as_i64(off.wrapping_add(u64::from(lemire32(bits, rng32))));
            }
        }
    } else if rng == u64::MAX {
        for v in out {
            *v = as_i64(off.wrapping_add(bits.next_raw()));
        }
    } else {
        for v in out {
            *v = as_i64(off.wrapping_add(lemire64(bits, rng)));
        }
    }
}

/// The `int64` with the bits of `v`, as C's cast.
fn as_i64(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

/// `buffered_bounded_lemire_uint32`: uniform in `0..=rng`, `rng < u32::MAX`.
fn lemire32(bits: &mut Pcg64, rng: u32) -> u32 {
    let rng_excl = rng + 1;
    let mut m = u64::from(bits.next_uint32()) * u64::from(rng_excl);
    let mut leftover = low32(m);
    if leftover < rng_excl {
        let threshold = (u32::MAX - rng) % rng_excl;
        while leftover < threshold {
            m = u64::from(bits.next_uint32()) * u64::from(rng_excl);
            leftover = low32(m);
        }
    }
    high32(m)
}

/// `bounded_lemire_uint64`: uniform in `0..=rng`, `rng < u64::MAX`.
fn lemire64(bits: &mut Pcg64, rng: u64) -> u64 {
    let rng_excl = rng + 1;
    let mut m = u128::from(bits.next_raw()) * u128::from(rng_excl);
    let mut leftover = low64(m);
    if leftover < rng_excl {
        let threshold = (u64::MAX - rng) % rng_excl;
        while leftover < threshold {
            m = u128::from(bits.next_raw()) * u128::from(rng_excl);
            leftover = low64(m);
        }
    }
    high64(m)
}

fn low32(m: u64) -> u32 {
    u32::try_from(m & u64::from(u32::MAX)).unwrap_or(0)
}

fn high32(m: u64) -> u32 {
    u32::try_from(m >> 32).unwrap_or(0)
}

fn low64(m: u128) -> u64 {
    u64::try_from(m & u128::from(u64::MAX)).unwrap_or(0)
}

fn high64(m: u128) -> u64 {
    u64::try_from(m >> 64).unwrap_or(0)
}
