//! numpy's array printing (`repr(a)` and `str(a)`, `numpy/_core/arrayprint.py` of numpy 2.4) in
//! pure Rust and character for character.
//!
//! Printing never needs the whole array: a [`Selection`] says which elements numpy shows (all of
//! them, or the corners of a summarised array) and walks them element by element or block by block,
//! the caller reads just those, and [`repr`] / [`str()`] lay them out. A 10000x10000 memory-mapped array prints from 36 values.
//!
//! What is covered: bool, int8..uint64, float16/32/64 and complex64/128 dtypes in either byte order,
//! 0-d to n-d shapes including empty ones, and the print options `precision`, `threshold`,
//! `edgeitems`, `linewidth`, `suppress`, `floatmode`, `sign` and `legacy` (`False` or `'2.1'`).
//! Not covered: `formatter`, `nanstr`/`infstr` (numpy's defaults `nan`/`inf` are used), `legacy='1.13'`
//! and the other dtypes (longdouble, datetime, strings, structured, object).

mod bigint;
mod dragon4;
mod dtype;
mod float_bits;
mod float_format;
mod format_array;
mod formatters;
mod scalar_str;
mod selection;
#[cfg(test)]
mod tests;

pub use dtype::{DtypeInfo, DtypeKind};
use format_array::Layout;
use formatters::Formatter;
pub use selection::{Indices, Selection, kept_offsets, kept_ranges};
use selection::{kept_shape, size, summarised};

/// numpy's print options (`np.set_printoptions`), with numpy's defaults in [`Default`]. Each field
/// is numpy's argument of the same name; `legacy='2.1'` is [`Legacy::V2_1`]. (A plugin sets them
/// with the SDK's `set_printoptions`.)
///
/// # Examples
/// `np.set_printoptions(legacy='2.1')` leaves out the `shape=` numpy 2.2 added to summarised arrays:
/// ```
/// use wasm_memmap_arrayprint::{repr, DtypeInfo, Legacy, PrintOptions, Scalar, Selection};
/// let print = |options: &PrintOptions| {
///     // np.arange(2000): only the six elements shown are given.
///     let kept: Vec<Scalar> =
///         Selection::new(&[2000], options).indices().map(|i| Scalar::Int(i128::try_from(i[0]).unwrap())).collect();
///     repr("array", &[2000], &kept, &DtypeInfo::INT64, options)
/// };
/// assert_eq!(print(&PrintOptions::default()), "array([   0,    1,    2, ..., 1997, 1998, 1999], shape=(2000,))");
/// let legacy = PrintOptions { legacy: Legacy::V2_1, ..PrintOptions::default() };
/// assert_eq!(print(&legacy), "array([   0,    1,    2, ..., 1997, 1998, 1999])");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    /// Digits after the point (`np.set_printoptions(precision=8)`); ignored by [`FloatMode::Unique`].
    pub precision: usize,
    /// Arrays with more elements than this are summarised (`threshold=1000`).
    pub threshold: usize,
    /// Items shown at each end of a summarised axis (`edgeitems=3`).
    pub edgeitems: usize,
    /// Characters per line before wrapping (`linewidth=75`).
    pub linewidth: usize,
    /// Never use scientific notation for small values (`suppress=False`).
    pub suppress: bool,
    /// How `precision` is applied to floats (`floatmode='maxprec'`).
    pub floatmode: FloatMode,
    /// Sign of positive numbers (`sign='-'`).
    pub sign: Sign,
    /// Reproduce an older numpy (`legacy=False`).
    pub legacy: Legacy,
}

impl Default for PrintOptions {
    fn default() -> Self {
        Self {
            precision: 8,
            threshold: 1000,
            edgeitems: 3,
            linewidth: 75,
            suppress: false,
            floatmode: FloatMode::MaxPrec,
            sign: Sign::Minus,
            legacy: Legacy::None,
        }
    }
}

/// `np.set_printoptions(floatmode=...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatMode {
    /// `'fixed'`: always exactly `precision` fractional digits.
    Fixed,
    /// `'unique'`: the shortest digits that identify each value; `precision` is ignored.
    Unique,
    /// `'maxprec'`: at most `precision` digits, fewer when a value needs fewer (per element).
    MaxPrec,
    /// `'maxprec_equal'`: like `MaxPrec`, then every element gets as many digits as the longest.
    MaxPrecEqual,
}

/// `np.set_printoptions(sign=...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sign {
    /// `'-'`: only negative values carry a sign.
    Minus,
    /// `'+'`: positive values carry `+`.
    Plus,
    /// `' '`: positive values get a space where the sign would be.
    Space,
}

/// `np.set_printoptions(legacy=...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Legacy {
    /// `legacy=False`: current numpy.
    None,
    /// `legacy='2.1'`: no `shape=` suffix on summarised arrays, and the 1e8 scientific cutoff for
    /// every float type.
    V2_1,
}

impl Legacy {
    /// The integer numpy stores for the mode (`sys.maxsize` for `False`).
    fn level(self) -> u32 {
        match self {
            Self::None => u32::MAX,
            Self::V2_1 => 201,
        }
    }
}

/// The float type of a value, which decides its shortest digits and numpy's exponent thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatKind {
    /// `np.float16` (and nothing else: numpy has no complex32).
    F16,
    /// `np.float32`, and each part of `np.complex64`.
    F32,
    /// `np.float64`, and each part of `np.complex128`.
    F64,
}

/// The bits of the float64 `x` cast to `kind` as numpy casts it (`np.float64(x).astype(np.float16)
/// .view(np.uint16)`): rounded once to the nearest value, ties to even, overflowing to infinity, a
/// NaN quiet with its sign; for [`FloatKind::F64`], `x`'s own bits. (A cast through float32 would
/// round twice, and differ from numpy's float16 now and then.)
///
/// # Examples
/// ```
/// use wasm_memmap_arrayprint::{FloatKind, cast_bits};
/// assert_eq!(cast_bits(1.0, FloatKind::F16), 0x3c00);
/// assert_eq!(cast_bits(0.1, FloatKind::F32), u64::from(0.1f32.to_bits()));
/// assert_eq!(cast_bits(1e6, FloatKind::F16), 0x7c00); // inf, as numpy's cast
/// ```
pub fn cast_bits(x: f64, kind: FloatKind) -> u64 {
    float_bits::encode(x, kind)
}

/// An element value numpy can print, as read from the array.
///
/// Floats of type float16/float32 are given as their exact f64 value together with their
/// [`FloatKind`]; an f64 that the type cannot hold is rounded to it (nearest, ties to even).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// An element of a `bool` array.
    Bool(bool),
    /// An element of any integer array, `int8` through `uint64`.
    Int(i128),
    /// An element of a float array.
    Float(f64, FloatKind),
    /// An element of a complex array: real part, imaginary part, type of each part.
    Complex(f64, f64, FloatKind),
}

impl Scalar {
    fn mismatch(&self, want: &str) -> ! {
        panic!("print: element {self:?} is not of the array's dtype (expected {want})")
    }

    fn as_bool(&self) -> bool {
        match *self {
            Self::Bool(b) => b,
            _ => self.mismatch("Scalar::Bool"),
        }
    }

    fn as_int(&self) -> i128 {
        match *self {
            Self::Int(v) => v,
            _ => self.mismatch("Scalar::Int"),
        }
    }

    fn as_float(&self, kind: FloatKind) -> f64 {
        match *self {
            Self::Float(v, k) if k == kind => float_bits::round_to(v, kind),
            _ => self.mismatch(&format!("Scalar::Float(_, {kind:?})")),
        }
    }

    fn as_complex(&self, kind: FloatKind) -> (f64, f64) {
        match *self {
            Self::Complex(re, im, k) if k == kind => (float_bits::round_to(re, kind), float_bits::round_to(im, kind)),
            _ => self.mismatch(&format!("Scalar::Complex(_, _, {kind:?})")),
        }
    }
}

/// Checks `kept` against `shape` and builds the element formatter numpy would.
fn formatter(shape: &[usize], kept: &[Scalar], dtype: &DtypeInfo, options: &PrintOptions) -> Formatter {
    let expected = kept_shape(&kept_ranges(shape, options)).iter().fold(1usize, |acc, &n| acc.saturating_mul(n));
    assert_eq!(
        kept.len(),
        expected,
        "print: shape {shape:?} with threshold {} and edgeitems {} keeps {expected} elements, but {} were given",
        options.threshold,
        options.edgeitems,
        kept.len()
    );
    Formatter::new(dtype.kind(), dtype.float_kind(), kept, shape.is_empty(), options)
}

/// numpy's `array2string(a, separator=separator, prefix=prefix, suffix=suffix)` with the current
/// print options.
fn array2string(
    shape: &[usize],
    kept: &[Scalar],
    dtype: &DtypeInfo,
    options: &PrintOptions,
    separator: &str,
    prefix: &str,
    suffix: &str,
) -> String {
    let format = formatter(shape, kept, dtype, options);
    if shape.contains(&0) {
        return "[]".to_string();
    }
    let float_kind = dtype.float_kind();
    let words: Vec<String> = kept.iter().map(|x| format.format(x, float_kind)).collect();
    let kept_shape = kept_shape(&kept_ranges(shape, options));
    let layout = Layout {
        shape,
        kept_shape: &kept_shape,
        words: &words,
        separator,
        edge_items: options.edgeitems,
        summarise: summarised(shape, options),
    };
    let line_width = i64::try_from(options.linewidth).unwrap_or(i64::MAX) - char_len(suffix);
    let next_line_prefix = " ".repeat(1 + prefix.chars().count());
    layout.format(line_width, &next_line_prefix)
}

fn char_len(s: &str) -> i64 {
    i64::try_from(s.chars().count()).expect("short strings")
}

/// Python's `repr` of a shape tuple: `()`, `(5,)`, `(2, 3)`.
/// `repr(a)` (numpy's `array_repr`): `class_name(` + the elements + `shape=`/`dtype=` suffixes + `)`.
/// `class_name` is `type(a).__name__` for subclasses such as `"memmap"`, else `"array"`.
///
/// `kept` holds, in C order, only the elements a [`Selection`] of `shape` under `options` keeps
/// (read them with [`Selection::indices`] or [`Selection::gather`]).
///
/// # Panics
/// When `kept` does not have exactly as many elements as the [`Selection`] keeps for `shape`, or when
/// an element does not match `dtype` (e.g. a [`Scalar::Int`] in a float array, or a float of another
/// [`FloatKind`]). Both are programming errors of the caller, so they are not reported as values.
pub fn repr(class_name: &str, shape: &[usize], kept: &[Scalar], dtype: &DtypeInfo, options: &PrintOptions) -> String {
    let prefix = format!("{class_name}(");
    let lst = array2string(shape, kept, dtype, options, ", ", &prefix, ")");
    let size = size(shape);
    let mut extras = Vec::new();
    if (size == 0 && shape != [0]) || (options.legacy.level() > 210 && summarised(shape, options)) {
        extras.push(format!("shape={}", wasm_memmap_numpy_core::shape_str(shape)));
    }
    if !dtype.is_implied() || size == 0 {
        extras.push(format!("dtype={}", dtype.short_repr()));
    }
    if extras.is_empty() {
        return format!("{prefix}{lst})");
    }
    let arr_str = format!("{prefix}{lst},");
    let extra_str = format!("{})", extras.join(", "));
    // numpy moves the suffixes to their own line when they would overflow the last one
    let last_line_len = char_len(arr_str.rsplit('\n').next().unwrap_or_default());
    let max_line_width = i64::try_from(options.linewidth).unwrap_or(i64::MAX);
    let spacer = if last_line_len + char_len(&extra_str) + 1 > max_line_width {
        format!("\n{}", " ".repeat(prefix.chars().count()))
    } else {
        " ".to_string()
    };
    format!("{arr_str}{spacer}{extra_str}")
}

/// `str(a)` (numpy's `array_str`, i.e. `np.array2string(a)` with separator `' '` and no prefix).
/// A 0-d array prints as its scalar does (`str(a[()])`), ignoring the precision options.
///
/// # Panics
/// As [`repr`].
pub fn str(shape: &[usize], kept: &[Scalar], dtype: &DtypeInfo, options: &PrintOptions) -> String {
    if shape.is_empty() {
        // validates `kept` like the n-d path
        formatter(shape, kept, dtype, options);
        return scalar_str::scalar_str(&kept[0], dtype.float_kind(), options.legacy.level());
    }
    array2string(shape, kept, dtype, options, " ", "", "")
}
