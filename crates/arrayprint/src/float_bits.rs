//! IEEE binary16/32/64 bit layouts, computed from the f64 the caller hands us.
//!
//! Float16 and float32 elements arrive as exactly converted f64 values. numpy decides digits and
//! exponent-mode thresholds on the original type, so the original bits are rebuilt here; doing it by
//! hand keeps `as` casts out (the workspace warns on them) and gives float16, which Rust lacks.

use super::FloatKind;

/// Mantissa and exponent field widths of a format.
fn layout(kind: FloatKind) -> (u32, u32) {
    match kind {
        FloatKind::F16 => (10, 5),
        FloatKind::F32 => (23, 8),
        FloatKind::F64 => (52, 11),
    }
}

fn small_i32(v: u32) -> i32 {
    i32::try_from(v).expect("bit counts are small")
}

/// The bits of `x` rounded (to nearest, ties to even, overflowing to infinity) into `kind`'s format.
pub(super) fn encode(x: f64, kind: FloatKind) -> u64 {
    let (mb, eb) = layout(kind);
    if kind == FloatKind::F64 {
        return x.to_bits();
    }
    let sign = u64::from(x.is_sign_negative()) << (mb + eb);
    let exp_all = (1u64 << eb) - 1;
    if x.is_nan() {
        return sign | (exp_all << mb) | (1u64 << (mb - 1));
    }
    if x.is_infinite() {
        return sign | (exp_all << mb);
    }
    let bits = x.abs().to_bits();
    let e64 = bits >> 52;
    let m64 = bits & ((1u64 << 52) - 1);
    if e64 == 0 && m64 == 0 {
        return sign;
    }
    let e64 = i32::try_from(e64).expect("11-bit exponent");
    // x = s * 2^q exactly
    let (s, q) = if e64 == 0 { (m64, -1074) } else { (m64 | (1u64 << 52), e64 - 1075) };
    let bias = (1i32 << (eb - 1)) - 1;
    let mbi = small_i32(mb);
    let top = 63 - small_i32(s.leading_zeros()) + q;
    let emin = 1 - bias;
    // exponent of the last mantissa bit that the target format keeps
    let mut qt = if top < emin { emin - mbi } else { top - mbi };
    let mut n = if q >= qt {
        s << u32::try_from(q - qt).expect("non-negative shift")
    } else {
        let shift = u32::try_from(qt - q).expect("positive shift");
        if shift > 60 {
            0
        } else {
            let kept = s >> shift;
            let rest = s & ((1u64 << shift) - 1);
            let half = 1u64 << (shift - 1);
            if rest > half || (rest == half && kept & 1 == 1) { kept + 1 } else { kept }
        }
    };
    if n == 1u64 << (mb + 1) {
        n >>= 1;
        qt += 1;
    }
    if n >= 1u64 << mb {
        let e = u64::try_from(qt + mbi + bias).expect("normal exponent is positive");
        if e >= exp_all {
            return sign | (exp_all << mb);
        }
        sign | (e << mb) | (n - (1u64 << mb))
    } else {
        sign | n
    }
}

/// `x` rounded to the nearest value of `kind`, as an f64 (numpy's arithmetic in float16/float32).
pub(super) fn round_to(x: f64, kind: FloatKind) -> f64 {
    if kind == FloatKind::F64 {
        return x;
    }
    let (mb, eb) = layout(kind);
    let bits = encode(x, kind);
    let negative = bits >> (mb + eb) != 0;
    let exp_all = (1u64 << eb) - 1;
    let e = (bits >> mb) & exp_all;
    let m = bits & ((1u64 << mb) - 1);
    let magnitude = if e == exp_all {
        if m == 0 { f64::INFINITY } else { f64::NAN }
    } else {
        let bias = (1i32 << (eb - 1)) - 1;
        let (sig, exp) = if e == 0 {
            (m, 1 - bias - small_i32(mb))
        } else {
            (m | (1u64 << mb), i32::try_from(e).expect("small exponent") - bias - small_i32(mb))
        };
        f64::from(u32::try_from(sig).expect("float32 significand fits 32 bits")) * 2f64.powi(exp)
    };
    if negative { -magnitude } else { magnitude }
}

/// A float taken apart the way numpy's Dragon4 entry points do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Parts {
    /// Not a number (its sign is never printed).
    Nan,
    /// An infinity; the sign is carried separately.
    Inf,
    /// `mantissa * 2^exponent`; `mantissa_bit` is the index of its highest set bit, `unequal_margins`
    /// tells that the next value down is closer than the next value up (a power of two).
    Finite { mantissa: u64, exponent: i32, mantissa_bit: u32, unequal_margins: bool },
}

/// The sign bit and the parts of `x` in `kind`'s format.
pub(super) fn decompose(x: f64, kind: FloatKind) -> (bool, Parts) {
    let (mb, eb) = layout(kind);
    let bits = encode(x, kind);
    let negative = bits >> (mb + eb) != 0;
    let exp_all = (1u64 << eb) - 1;
    let e = (bits >> mb) & exp_all;
    let m = bits & ((1u64 << mb) - 1);
    let bias = (1i32 << (eb - 1)) - 1;
    let parts = if e == exp_all {
        if m == 0 { Parts::Inf } else { Parts::Nan }
    } else if e != 0 {
        Parts::Finite {
            mantissa: m | (1u64 << mb),
            exponent: i32::try_from(e).expect("small exponent") - bias - small_i32(mb),
            mantissa_bit: mb,
            unequal_margins: e != 1 && m == 0,
        }
    } else {
        Parts::Finite {
            mantissa: m,
            exponent: 1 - bias - small_i32(mb),
            // numpy's LogBase2 of 0 is 0
            mantissa_bit: 63u32.saturating_sub(m.leading_zeros()),
            unequal_margins: false,
        }
    };
    (negative, parts)
}
