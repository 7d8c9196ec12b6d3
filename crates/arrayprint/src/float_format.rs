//! numpy's `FloatingFormat` (arrayprint.py): one formatter for all printed elements of a float array,
//! choosing positional or scientific notation and the paddings that align the column.

use super::dragon4::{self, Args, Trim};
use super::float_bits::round_to;
use super::{FloatKind, FloatMode, Sign};

/// `np.finfo(dtype).precision`: decimal digits the type resolves.
fn finfo_precision(kind: FloatKind) -> i32 {
    match kind {
        FloatKind::F16 => 3,
        FloatKind::F32 => 6,
        FloatKind::F64 => 15,
    }
}

fn len_i32(s: &str) -> i32 {
    i32::try_from(s.chars().count()).expect("short strings")
}

/// The state numpy's `FloatingFormat.fillFormat` leaves behind.
#[derive(Clone, Debug)]
pub(super) struct FloatingFormat {
    kind: FloatKind,
    sign: Sign,
    exp_format: bool,
    precision: i32,
    min_digits: i32,
    unique: bool,
    trim: Trim,
    pad_left: i32,
    pad_right: i32,
    exp_size: i32,
}

impl FloatingFormat {
    /// `FloatingFormat(data, precision, floatmode, suppress_small, sign, legacy=legacy)`.
    pub(super) fn new(
        data: &[f64],
        kind: FloatKind,
        precision: usize,
        floatmode: FloatMode,
        suppress: bool,
        sign: Sign,
        legacy: u32,
    ) -> Self {
        let precision =
            if floatmode == FloatMode::Unique { -1 } else { i32::try_from(precision).expect("precision fits i32") };
        let mut f = Self {
            kind,
            sign,
            exp_format: false,
            precision,
            min_digits: -1,
            unique: true,
            trim: Trim::Zeros,
            pad_left: 0,
            pad_right: 0,
            exp_size: -1,
        };
        f.fill(data, floatmode, suppress, legacy);
        f
    }

    fn fill(&mut self, data: &[f64], floatmode: FloatMode, suppress: bool, legacy: u32) {
        let kind = self.kind;
        let finite: Vec<f64> = data.iter().copied().filter(|x| x.is_finite()).collect();
        let abs_non_zero: Vec<f64> = finite.iter().filter(|&&x| x != 0.0).map(|x| x.abs()).collect();
        if !abs_non_zero.is_empty() {
            let max = abs_non_zero.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = abs_non_zero.iter().copied().fold(f64::INFINITY, f64::min);
            let cutoff = if legacy <= 202 { 1e8 } else { 10f64.powi(finfo_precision(kind).min(8)) };
            // NEP 50: the Python floats are cast to the array's type before comparing, and the
            // ratio is computed in that type.
            let cutoff = round_to(cutoff, kind);
            let small = round_to(1e-4, kind);
            let ratio = round_to(max / min, kind);
            if max >= cutoff || (!suppress && (min < small || ratio > round_to(1000.0, kind))) {
                self.exp_format = true;
            }
        }
        let plus = self.sign == Sign::Plus;
        if finite.is_empty() {
            self.pad_left = 0;
            self.pad_right = 0;
            self.trim = Trim::Zeros;
            self.exp_size = -1;
            self.unique = true;
            self.min_digits = -1;
        } else if self.exp_format {
            let (trim, unique) = if floatmode == FloatMode::Fixed { (Trim::None, false) } else { (Trim::Zeros, true) };
            let args = Args { precision: self.precision, unique, trim, sign: plus, ..Args::default() };
            let (mut int_len, mut frac_len, mut exp_len) = (0, 0, 0);
            for &x in &finite {
                let s = dragon4::scientific(x, kind, &args);
                let (mantissa, exp) = s.split_once('e').expect("scientific output has an exponent");
                let (int_part, frac_part) = mantissa.split_once('.').expect("untrimmed point");
                int_len = int_len.max(len_i32(int_part));
                frac_len = frac_len.max(len_i32(frac_part));
                exp_len = exp_len.max(len_i32(exp));
            }
            self.exp_size = exp_len - 1;
            self.trim = Trim::None;
            self.precision = frac_len;
            self.min_digits = frac_len;
            self.unique = unique;
            self.pad_left = int_len;
            self.pad_right = self.exp_size + 2 + self.precision;
        } else {
            let (trim, unique) = if floatmode == FloatMode::Fixed { (Trim::None, false) } else { (Trim::Zeros, true) };
            let args = Args { precision: self.precision, unique, trim, sign: plus, ..Args::default() };
            let (mut int_len, mut frac_len) = (0, 0);
            for &x in &finite {
                let s = dragon4::positional(x, kind, &args, true);
                let (int_part, frac_part) = s.split_once('.').expect("untrimmed point");
                int_len = int_len.max(len_i32(int_part));
                frac_len = frac_len.max(len_i32(frac_part));
            }
            self.pad_left = int_len;
            self.pad_right = frac_len;
            self.exp_size = -1;
            self.unique = unique;
            if matches!(floatmode, FloatMode::Fixed | FloatMode::MaxPrecEqual) {
                self.precision = frac_len;
                self.min_digits = frac_len;
                self.trim = Trim::None;
            } else {
                self.trim = Trim::Zeros;
                self.min_digits = 0;
            }
        }
        if self.sign == Sign::Space && !finite.iter().any(|x| x.is_sign_negative()) {
            self.pad_left += 1;
        }
        if finite.len() != data.len() {
            let neginf = self.sign != Sign::Minus || data.contains(&f64::NEG_INFINITY);
            let offset = self.pad_right + 1;
            self.pad_left = self.pad_left.max(3 - offset).max(3 + i32::from(neginf) - offset);
        }
    }

    /// `FloatingFormat.__call__(x)`.
    pub(super) fn format(&self, x: f64) -> String {
        if !x.is_finite() {
            let plus = if self.sign == Sign::Plus { "+" } else { "" };
            let ret = if x.is_nan() {
                format!("{plus}nan")
            } else if x < 0.0 {
                "-inf".to_string()
            } else {
                format!("{plus}inf")
            };
            let width = usize::try_from(self.pad_left + self.pad_right + 1).unwrap_or(0);
            return format!("{ret:>width$}");
        }
        let args = Args {
            precision: self.precision,
            min_digits: self.min_digits,
            unique: self.unique,
            trim: self.trim,
            sign: self.sign == Sign::Plus,
            pad_left: self.pad_left,
            pad_right: self.pad_right,
            exp_digits: self.exp_size,
        };
        if self.exp_format {
            dragon4::scientific(x, self.kind, &args)
        } else {
            dragon4::positional(x, self.kind, &args, true)
        }
    }
}
