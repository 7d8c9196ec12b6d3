//! `str()` of a numpy scalar (`scalartypes.c.src`), which is what `str()` of a 0-d array prints:
//! shortest round-trip digits, no precision option, scientific outside [1e-4, max_positional).

use super::dragon4::{self, Args, Trim};
use super::{FloatKind, Scalar};

/// Where scalar `str` switches to scientific notation for large values.
fn max_positional(kind: FloatKind, legacy: u32) -> f64 {
    if legacy <= 202 {
        return 1e16;
    }
    match kind {
        FloatKind::F16 => 1e3,
        FloatKind::F32 => 1e6,
        FloatKind::F64 => 1e16,
    }
}

/// `@name@type_@kind@_either`: positional or scientific by magnitude, unique digits.
fn either(x: f64, kind: FloatKind, trim_pos: Trim, trim_sci: Trim, sign: bool, legacy: u32) -> String {
    let abs = x.abs();
    // 1e-4 as an f64 lies just above the real 1e-4 and no float16/32/64 value lies in between, so
    // this matches numpy's long double comparison.
    let positional = x.is_nan() || x == 0.0 || (abs < max_positional(kind, legacy) && abs >= 1e-4);
    if positional {
        dragon4::positional(x, kind, &Args { trim: trim_pos, sign, ..Args::default() }, true)
    } else {
        dragon4::scientific(x, kind, &Args { trim: trim_sci, sign, ..Args::default() })
    }
}

/// `str(scalar)` for a numpy scalar of the given float type (ignored for bool and int).
pub(super) fn scalar_str(x: &Scalar, kind: FloatKind, legacy: u32) -> String {
    match *x {
        Scalar::Bool(b) => if b { "True" } else { "False" }.to_string(),
        Scalar::Int(v) => v.to_string(),
        Scalar::Float(..) => either(x.as_float(kind), kind, Trim::LeaveOneZero, Trim::DptZeros, false, legacy),
        Scalar::Complex(..) => {
            let (re, im) = x.as_complex(kind);
            let trim = Trim::DptZeros;
            if re == 0.0 && !re.is_sign_negative() {
                return format!("{}j", either(im, kind, trim, trim, false, legacy));
            }
            let r = if re.is_finite() {
                either(re, kind, trim, trim, false, legacy)
            } else if re.is_nan() {
                "nan".to_string()
            } else if re > 0.0 {
                "inf".to_string()
            } else {
                "-inf".to_string()
            };
            let i = if im.is_finite() {
                either(im, kind, trim, trim, true, legacy)
            } else if im.is_nan() {
                "+nan".to_string()
            } else if im > 0.0 {
                "+inf".to_string()
            } else {
                "-inf".to_string()
            };
            format!("({r}{i}j)")
        }
    }
}
