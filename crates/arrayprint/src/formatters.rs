//! The per-dtype element formatters of arrayprint.py (`_get_format_function`): `BoolFormat`,
//! `IntegerFormat`, `FloatingFormat` and `ComplexFloatingFormat`. Each is built from the printed
//! (kept) elements only, as numpy builds it from `_leading_trailing(a)`.

use super::float_format::FloatingFormat;
use super::{DtypeKind, FloatKind, PrintOptions, Scalar, Sign};

/// A formatter for the elements of one array.
#[derive(Clone, Debug)]
pub(super) enum Formatter {
    /// `BoolFormat`: `' True'` pads to the width of `'False'` except in 0-d arrays.
    Bool { true_str: &'static str },
    /// `IntegerFormat`: Python's `'{:<sign><width>d}'`.
    Int { sign: Sign, width: usize },
    /// `FloatingFormat`.
    Float(FloatingFormat),
    /// `ComplexFloatingFormat`: the imaginary part always carries its sign.
    Complex { real: FloatingFormat, imag: FloatingFormat },
}

fn int_width(v: i128, with_sign: bool) -> usize {
    v.to_string().len() + usize::from(with_sign)
}

impl Formatter {
    /// The formatter numpy picks for `data` of this kind; `zero_d` is `data.shape == ()`.
    ///
    /// # Panics
    /// When an element is not of the dtype's kind (see [`super::repr`]).
    pub(super) fn new(
        kind: DtypeKind,
        float_kind: FloatKind,
        data: &[Scalar],
        zero_d: bool,
        options: &PrintOptions,
    ) -> Self {
        let legacy = options.legacy.level();
        match kind {
            DtypeKind::Bool => Self::Bool { true_str: if zero_d { "True" } else { " True" } },
            DtypeKind::Int | DtypeKind::UInt => {
                let ints: Vec<i128> = data.iter().map(|s| s.as_int()).collect();
                let mut sign = options.sign;
                let width = match (ints.iter().max(), ints.iter().min()) {
                    (Some(&max), Some(&min)) => {
                        if sign == Sign::Space && min < 0 {
                            sign = Sign::Minus;
                        }
                        int_width(max, max >= 0 && sign != Sign::Minus).max(int_width(min, false))
                    }
                    _ => 0,
                };
                Self::Int { sign, width }
            }
            DtypeKind::Float => {
                let values: Vec<f64> = data.iter().map(|s| s.as_float(float_kind)).collect();
                Self::Float(FloatingFormat::new(
                    &values,
                    float_kind,
                    options.precision,
                    options.floatmode,
                    options.suppress,
                    options.sign,
                    legacy,
                ))
            }
            DtypeKind::Complex => {
                let (re, im): (Vec<f64>, Vec<f64>) = data.iter().map(|s| s.as_complex(float_kind)).unzip();
                let part = |values: &[f64], sign| {
                    FloatingFormat::new(
                        values,
                        float_kind,
                        options.precision,
                        options.floatmode,
                        options.suppress,
                        sign,
                        legacy,
                    )
                };
                Self::Complex { real: part(&re, options.sign), imag: part(&im, Sign::Plus) }
            }
        }
    }

    /// The text of one element (`format_function(x)`).
    pub(super) fn format(&self, x: &Scalar, float_kind: FloatKind) -> String {
        match self {
            Self::Bool { true_str } => {
                if x.as_bool() {
                    (*true_str).to_string()
                } else {
                    "False".to_string()
                }
            }
            Self::Int { sign, width } => {
                let v = x.as_int();
                let sign_str = match sign {
                    _ if v < 0 => "-",
                    Sign::Plus => "+",
                    Sign::Space => " ",
                    Sign::Minus => "",
                };
                let text = format!("{sign_str}{}", v.unsigned_abs());
                format!("{text:>width$}")
            }
            Self::Float(f) => f.format(x.as_float(float_kind)),
            Self::Complex { real, imag } => {
                let (re, im) = x.as_complex(float_kind);
                let r = real.format(re);
                let i = imag.format(im);
                // the 'j' goes before the padding that aligns the imaginary parts
                let end = i.trim_end().len();
                format!("{r}{}j{}", &i[..end], &i[end..])
            }
        }
    }
}
