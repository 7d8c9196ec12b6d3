//! A port of numpy's Dragon4 (`numpy/_core/src/multiarray/dragon4.c`): exact decimal digits of a
//! binary float, shortest-unique or cut off at a precision, with numpy's rounding, trimming and padding.
//! It mirrors `np.format_float_positional` / `np.format_float_scientific` (`dragon4_positional` and
//! `dragon4_scientific`), which is what `arrayprint` calls for every float element.

use super::FloatKind;
use super::bigint::BigUint;
use super::float_bits::{Parts, decompose};

/// numpy's `TrimMode`: what happens to trailing zeros and the decimal point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Trim {
    /// `trim='k'`: keep trailing zeros and the point.
    None,
    /// `trim='.'`: drop trailing zeros, keep the point.
    Zeros,
    /// `trim='0'`: drop trailing zeros but keep one after the point.
    LeaveOneZero,
    /// `trim='-'`: drop trailing zeros and the point.
    DptZeros,
}

/// The keyword arguments of `dragon4_positional` / `dragon4_scientific`; `-1` means "not given" as in C.
#[derive(Clone, Copy, Debug)]
pub(super) struct Args {
    pub(super) precision: i32,
    pub(super) min_digits: i32,
    pub(super) unique: bool,
    pub(super) trim: Trim,
    pub(super) sign: bool,
    pub(super) pad_left: i32,
    pub(super) pad_right: i32,
    pub(super) exp_digits: i32,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            precision: -1,
            min_digits: -1,
            unique: true,
            trim: Trim::None,
            sign: false,
            pad_left: -1,
            pad_right: -1,
            exp_digits: -1,
        }
    }
}

fn to_i32(n: usize) -> i32 {
    i32::try_from(n).expect("digit counts fit i32")
}

fn to_u32(n: i32) -> u32 {
    u32::try_from(n).expect("non-negative")
}

/// `ceil(x)` of a float known to hold a small integer, without an `as` cast.
fn ceil_to_i32(x: f64) -> i32 {
    let target = x.ceil();
    let (mut lo, mut hi) = (-100_000i32, 100_000i32);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if f64::from(mid) < target { lo = mid + 1 } else { hi = mid }
    }
    lo
}

/// The core digit generator (`Dragon4()` in dragon4.c). Returns the digits and the decimal exponent
/// of the first one. `fraction_cutoff` selects `CutoffMode_FractionLength` over `TotalLength`;
/// `cutoff_max`/`cutoff_min` are the maximum/minimum digit counts (-1: none).
#[allow(clippy::too_many_arguments)]
fn dragon4(
    mantissa: u64,
    exponent: i32,
    mantissa_bit: u32,
    unequal_margins: bool,
    unique: bool,
    fraction_cutoff: bool,
    cutoff_max: i32,
    cutoff_min: i32,
) -> (Vec<u8>, i32) {
    if mantissa == 0 {
        return (vec![b'0'], 0);
    }
    let is_even = mantissa.is_multiple_of(2);
    let mut value = BigUint::from_u64(mantissa);
    let mut scale;
    let mut margin_low;
    // Scale everything by 2 (4 with unequal margins) so the half-ulp margins are integers.
    if exponent > 0 {
        value.shl(to_u32(exponent) + if unequal_margins { 2 } else { 1 });
        scale = BigUint::from_u64(if unequal_margins { 4 } else { 2 });
        margin_low = BigUint::pow2(to_u32(exponent));
    } else {
        value.shl(if unequal_margins { 2 } else { 1 });
        scale = BigUint::pow2(to_u32(-exponent) + if unequal_margins { 2 } else { 1 });
        margin_low = BigUint::from_u64(1);
    }
    let high_margin = |low: &BigUint| {
        if unequal_margins { low.doubled() } else { low.clone() }
    };

    // The same estimate as numpy (it can undershoot by one, which is corrected below); matching it
    // matters because the fractional-cutoff clamp right after depends on it.
    let mut digit_exponent = ceil_to_i32(f64::from(small(mantissa_bit) + exponent) * std::f64::consts::LOG10_2 - 0.69);
    if cutoff_max >= 0 && fraction_cutoff && digit_exponent <= -cutoff_max {
        digit_exponent = -cutoff_max + 1;
    }
    if digit_exponent > 0 {
        scale.mul_pow10(to_u32(digit_exponent));
    } else if digit_exponent < 0 {
        value.mul_pow10(to_u32(-digit_exponent));
        margin_low.mul_pow10(to_u32(-digit_exponent));
    }
    if value >= scale {
        digit_exponent += 1;
    } else {
        value.mul_small(10);
        margin_low.mul_small(10);
    }
    let mut margin_high = high_margin(&margin_low);

    // The output buffer of numpy is 16384 characters; only absurd precisions reach it.
    let mut cutoff_max_exponent = digit_exponent - 16_000;
    if cutoff_max >= 0 {
        let desired = if fraction_cutoff { -cutoff_max } else { digit_exponent - cutoff_max };
        cutoff_max_exponent = cutoff_max_exponent.max(desired);
    }
    let mut cutoff_min_exponent = digit_exponent;
    if cutoff_min >= 0 {
        let desired = if fraction_cutoff { -cutoff_min } else { digit_exponent - cutoff_min };
        cutoff_min_exponent = cutoff_min_exponent.min(desired);
    }
    let mut out_exponent = digit_exponent - 1;

    let mut digits = Vec::new();
    let (mut low, mut high) = (false, false);
    let mut digit;
    if unique {
        loop {
            digit_exponent -= 1;
            digit = value.div_rem_digit(&scale);
            let value_high = value.add(&margin_high);
            let cmp_low = value.cmp(&margin_low);
            low = if is_even { cmp_low.is_le() } else { cmp_low.is_lt() };
            let cmp_high = value_high.cmp(&scale);
            high = if is_even { cmp_high.is_ge() } else { cmp_high.is_gt() };
            if ((low || high) && digit_exponent <= cutoff_min_exponent) || digit_exponent == cutoff_max_exponent {
                break;
            }
            digits.push(digit_char(digit));
            value.mul_small(10);
            margin_low.mul_small(10);
            margin_high = high_margin(&margin_low);
        }
    } else {
        loop {
            digit_exponent -= 1;
            digit = value.div_rem_digit(&scale);
            if value.is_zero() || digit_exponent == cutoff_max_exponent {
                break;
            }
            digits.push(digit_char(digit));
            value.mul_small(10);
        }
    }

    let mut round_down = low;
    if low == high {
        // round to the closer digit, ties to the even digit (IEEE unbiased rounding)
        let cmp = value.doubled().cmp(&scale);
        round_down = cmp.is_lt() || (cmp.is_eq() && digit % 2 == 0);
    }
    if round_down {
        digits.push(digit_char(digit));
    } else if digit == 9 {
        loop {
            match digits.pop() {
                None => {
                    digits.push(b'1');
                    out_exponent += 1;
                    break;
                }
                Some(b'9') => {}
                Some(d) => {
                    digits.push(d + 1);
                    break;
                }
            }
        }
    } else {
        digits.push(digit_char(digit + 1));
    }
    (digits, out_exponent)
}

fn small(v: u32) -> i32 {
    i32::try_from(v).expect("bit index fits i32")
}

fn ascii(digits: &[u8]) -> &str {
    std::str::from_utf8(digits).expect("ASCII digits")
}

fn digit_char(d: u32) -> u8 {
    b'0' + u8::try_from(d).expect("a decimal digit")
}

/// The sign character numpy writes: '-' for a set sign bit, '+' when asked for, else nothing.
fn sign_char(negative: bool, sign: bool) -> Option<char> {
    if negative {
        Some('-')
    } else if sign {
        Some('+')
    } else {
        None
    }
}

/// `PrintInfNan`: the sign only for infinities.
fn inf_nan(parts: Parts, sign: Option<char>) -> String {
    match parts {
        Parts::Inf => sign.map(String::from).unwrap_or_default() + "inf",
        _ => "nan".to_string(),
    }
}

/// `dragon4_positional(x, ..., fractional=fractional)` for a value of type `kind`.
pub(super) fn positional(x: f64, kind: FloatKind, args: &Args, fractional: bool) -> String {
    let (negative, parts) = decompose(x, kind);
    let sign = sign_char(negative, args.sign);
    let Parts::Finite { mantissa, exponent, mantissa_bit, unequal_margins } = parts else {
        return inf_nan(parts, sign);
    };
    let mut out = String::new();
    let has_sign = i32::from(sign.is_some());
    if let Some(c) = sign {
        out.push(c);
    }
    let (digits, print_exponent) = dragon4(
        mantissa,
        exponent,
        mantissa_bit,
        unequal_margins,
        args.unique,
        fractional,
        args.precision,
        args.min_digits,
    );
    let num_digits = to_i32(digits.len());
    let num_whole_digits;
    let mut num_fraction_digits = 0;
    if print_exponent >= 0 {
        num_whole_digits = print_exponent + 1;
        if num_digits <= num_whole_digits {
            out += ascii(&digits);
            out.extend(std::iter::repeat_n('0', to_usize(num_whole_digits - num_digits)));
        } else {
            let split = to_usize(num_whole_digits);
            out += ascii(&digits[..split]);
            out.push('.');
            out += ascii(&digits[split..]);
            num_fraction_digits = num_digits - num_whole_digits;
        }
    } else {
        let zeros = -(print_exponent + 1);
        out += "0.";
        out.extend(std::iter::repeat_n('0', to_usize(zeros)));
        out += ascii(&digits);
        num_fraction_digits = num_digits + zeros;
        num_whole_digits = 1;
    }
    if args.trim != Trim::DptZeros && num_fraction_digits == 0 {
        out.push('.');
    }
    let add_digits = if args.unique { args.min_digits } else { args.precision };
    let desired_fraction_digits = if fractional { add_digits.max(0) } else { add_digits - num_whole_digits };
    if args.trim == Trim::LeaveOneZero {
        if num_fraction_digits == 0 {
            out.push('0');
            num_fraction_digits += 1;
        }
    } else if args.trim == Trim::None && desired_fraction_digits > num_fraction_digits {
        out.extend(std::iter::repeat_n('0', to_usize(desired_fraction_digits - num_fraction_digits)));
        num_fraction_digits = desired_fraction_digits;
    }
    if args.trim != Trim::None && num_fraction_digits > 0 {
        while out.ends_with('0') {
            out.pop();
            num_fraction_digits -= 1;
        }
        if out.ends_with('.') {
            match args.trim {
                Trim::LeaveOneZero => {
                    out.push('0');
                    num_fraction_digits += 1;
                }
                Trim::DptZeros => {
                    out.pop();
                }
                _ => {}
            }
        }
    }
    if args.pad_right >= num_fraction_digits {
        if args.trim == Trim::DptZeros && num_fraction_digits == 0 {
            out.push(' ');
        }
        out.extend(std::iter::repeat_n(' ', to_usize(args.pad_right - num_fraction_digits)));
    }
    if args.pad_left > num_whole_digits + has_sign {
        let shift = to_usize(args.pad_left - (num_whole_digits + has_sign));
        out.insert_str(0, &" ".repeat(shift));
    }
    out
}

fn to_usize(n: i32) -> usize {
    usize::try_from(n).expect("non-negative count")
}

/// `dragon4_scientific(x, ...)` for a value of type `kind`.
pub(super) fn scientific(x: f64, kind: FloatKind, args: &Args) -> String {
    let (negative, parts) = decompose(x, kind);
    let sign = sign_char(negative, args.sign);
    let Parts::Finite { mantissa, exponent, mantissa_bit, unequal_margins } = parts else {
        return inf_nan(parts, sign);
    };
    let mut out = String::new();
    let left_chars = 1 + i32::from(sign.is_some());
    if args.pad_left > left_chars {
        out.extend(std::iter::repeat_n(' ', to_usize(args.pad_left - left_chars)));
    }
    if let Some(c) = sign {
        out.push(c);
    }
    let (digits, mut print_exponent) = dragon4(
        mantissa,
        exponent,
        mantissa_bit,
        unequal_margins,
        args.unique,
        false,
        if args.precision < 0 { -1 } else { args.precision + 1 },
        if args.min_digits < 0 { -1 } else { args.min_digits + 1 },
    );
    out.push(char::from(digits[0]));
    let mut num_fraction_digits = to_i32(digits.len()) - 1;
    if num_fraction_digits > 0 {
        out.push('.');
        out += ascii(&digits[1..]);
    }
    if args.trim != Trim::DptZeros && num_fraction_digits == 0 {
        out.push('.');
    }
    let add_digits = (if args.unique { args.min_digits } else { args.precision }).max(0);
    if args.trim == Trim::LeaveOneZero {
        if num_fraction_digits == 0 {
            out.push('0');
            num_fraction_digits += 1;
        }
    } else if args.trim == Trim::None && add_digits > num_fraction_digits {
        out.extend(std::iter::repeat_n('0', to_usize(add_digits - num_fraction_digits)));
        num_fraction_digits = add_digits;
    }
    if args.trim != Trim::None && num_fraction_digits > 0 {
        while out.ends_with('0') {
            out.pop();
        }
        if args.trim == Trim::LeaveOneZero && out.ends_with('.') {
            out.push('0');
        }
    }
    let exp_digits = if args.exp_digits < 0 { 2 } else { args.exp_digits.min(5) };
    out.push('e');
    out.push(if print_exponent >= 0 { '+' } else { '-' });
    print_exponent = print_exponent.abs();
    let text = print_exponent.to_string();
    out.extend(std::iter::repeat_n('0', to_usize(exp_digits).saturating_sub(text.len())));
    out += &text;
    out
}
