//! [`DType`]: an element kind in a byte order, with numpy's spellings and normalisation.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::kind::{ByteOrder, Kind, KindClass};

/// A numpy data type: an element kind in a byte order, like `np.dtype('<f8')`.
///
/// Made with numpy's normalisation: a one-byte kind has no byte order (numpy's `'|'`), and is kept
/// as [`ByteOrder::Little`] so that two equal dtypes compare equal.
///
/// Parse numpy's spellings with [`DType::parse`] or [`str::parse`]: names (`"float64"`, `"int16"`,
/// `"bool"`, `"complex128"`), their aliases (`"double"`, `"half"`, `"int"`, ...), one-letter type
/// codes (`"d"`, `"f"`, `"?"`, `"B"`) and type strings with or without a byte order (`"f8"`,
/// `">f8"`, `"<i4"`, `"|u1"`, `"=c16"`, `"!i8"`).
///
/// # Examples
/// ```
/// use wasm_memmap_numpy_core::{ByteOrder, DType, Kind};
/// let d: DType = ">f8".parse()?;
/// assert_eq!((d.kind(), d.byte_order()), (Kind::Float64, ByteOrder::Big));
/// assert_eq!(d.to_string(), ">f8"); // str(np.dtype('>f8'))
/// assert_eq!(DType::parse("double")?.to_string(), "float64");
/// # Ok::<(), wasm_memmap_numpy_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DType {
    kind: Kind,
    byte_order: ByteOrder,
}

impl DType {
    /// `kind` in `byte_order`, normalised as numpy does: one-byte kinds have no byte order.
    pub const fn new(kind: Kind, byte_order: ByteOrder) -> Self {
        let one_byte = matches!(kind, Kind::Bool | Kind::Int8 | Kind::Uint8);
        Self { kind, byte_order: if one_byte { ByteOrder::Little } else { byte_order } }
    }

    /// `kind` in this machine's byte order, like `np.dtype(np.float64)`.
    pub const fn native(kind: Kind) -> Self {
        Self::new(kind, ByteOrder::NATIVE)
    }

    /// Parses one of numpy's spellings (see the type's docs), like `np.dtype(spec)`.
    ///
    /// # Errors
    /// numpy's `TypeError: data type 'x' not understood` ([`ErrorCode::InvalidArgument`]) for
    /// anything else, including dtypes this crate does not handle (strings, datetimes, ...).
    ///
    /// [`ErrorCode::InvalidArgument`]: crate::ErrorCode::InvalidArgument
    pub fn parse(spec: &str) -> Result<Self, Error> {
        Self::parse_opt(spec).ok_or_else(|| Error::invalid(format!("data type '{spec}' not understood")))
    }

    fn parse_opt(spec: &str) -> Option<Self> {
        if let Some(kind) = Kind::from_name(spec).filter(|_| spec.chars().count() > 1) {
            return Some(Self::native(kind));
        }
        let (order, code) = match spec.chars().next()? {
            '<' => (Some(ByteOrder::Little), &spec[1..]),
            '>' | '!' => (Some(ByteOrder::Big), &spec[1..]),
            '=' | '|' => (None, &spec[1..]),
            _ => (None, spec),
        };
        let mut chars = code.chars();
        let first = chars.next()?;
        let rest = chars.as_str();
        let kind = if rest.is_empty() {
            Kind::from_name(code)?
        } else {
            if !rest.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Kind::from_class(KindClass::from_letter(first)?, rest.parse().ok()?)?
        };
        Some(Self::new(kind, order.unwrap_or(ByteOrder::NATIVE)))
    }

    /// The element kind, `dtype.type`.
    pub const fn kind(&self) -> Kind {
        self.kind
    }

    /// The byte order (little for one-byte kinds).
    pub const fn byte_order(&self) -> ByteOrder {
        self.byte_order
    }

    /// The same kind in `byte_order`, like `dtype.newbyteorder('>')`; one-byte kinds stay as they are.
    #[must_use]
    pub const fn with_byte_order(self, byte_order: ByteOrder) -> Self {
        Self::new(self.kind, byte_order)
    }

    /// Bytes per element, `dtype.itemsize`.
    pub fn itemsize(&self) -> usize {
        self.kind.itemsize()
    }

    /// numpy's name, `dtype.name` (`"float64"`; the byte order is not part of it).
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// numpy's array-protocol type string, `dtype.str` (`"<f8"`, `">i4"`, `"|u1"`).
    pub fn str(&self) -> String {
        let order = if self.itemsize() == 1 { '|' } else { self.byte_order.char() };
        format!("{order}{}{}", self.kind.class().letter(), self.itemsize())
    }

    /// Whether values are stored in this machine's byte order, `dtype.isnative` (always for
    /// one-byte kinds).
    pub fn is_native(&self) -> bool {
        self.itemsize() == 1 || self.byte_order == ByteOrder::NATIVE
    }

    /// Whether values must have their bytes reversed between the file and this machine (numpy's
    /// `not dtype.isnative`).
    pub fn needs_swap(&self) -> bool {
        !self.is_native()
    }

    /// numpy's `dtype_is_implied` (`arrayprint.py`): whether `repr` may leave out `dtype=` because
    /// the values already say it: native `float64`, `int64`, `complex128` and `bool` (numpy's
    /// default int is `int64` on the 64-bit platforms this crate follows).
    pub fn is_implied(&self) -> bool {
        self.is_native() && matches!(self.kind, Kind::Bool | Kind::Int64 | Kind::Float64 | Kind::Complex128)
    }

    /// numpy's `dtype_short_repr` (`arrayprint.py`): the name, or the quoted type string in a
    /// non-native byte order (`'>f8'`).
    pub fn short_repr(&self) -> String {
        if self.is_native() { self.name().to_string() } else { format!("'{}'", self.str()) }
    }
}

impl FromStr for DType {
    type Err = Error;
    /// [`DType::parse`].
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// [`DType::parse`], for APIs that take `impl TryInto<DType>` (a dtype, a kind or a spelling).
impl TryFrom<&str> for DType {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// `np.dtype(kind)`: the kind in native byte order.
impl From<Kind> for DType {
    fn from(kind: Kind) -> Self {
        Self::native(kind)
    }
}

/// Like `str(np.dtype(...))`: the name in native order (`float64`), the type string otherwise
/// (`>f8`).
impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_native() { f.write_str(self.name()) } else { f.write_str(&self.str()) }
    }
}

/// Like `repr(np.dtype(...))`: `dtype('float64')`, `dtype('>f8')`.
impl fmt::Debug for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dtype('{self}')")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_name_the_same_type() {
        // numpy: np.dtype(s).str for each spelling.
        for (spec, want) in [
            ("float64", "<f8"),
            ("f8", "<f8"),
            ("<f8", "<f8"),
            ("d", "<f8"),
            (">f8", ">f8"),
            ("double", "<f8"),
            ("int16", "<i2"),
            (">i4", ">i4"),
            ("|u1", "|u1"),
            (">u1", "|u1"),
            ("bool", "|b1"),
            ("?", "|b1"),
            ("b1", "|b1"),
            ("c16", "<c16"),
            ("F", "<c8"),
            ("float16", "<f2"),
            ("e", "<f2"),
            ("=f4", "<f4"),
            ("!i8", ">i8"),
            ("B", "|u1"),
            ("b", "|i1"),
            ("L", "<u8"),
            ("q", "<i8"),
            ("half", "<f2"),
            ("int", "<i8"),
            ("uint", "<u8"),
            ("complex", "<c16"),
            (">d", ">f8"),
            ("<?", "|b1"),
        ] {
            assert_eq!(DType::parse(spec).map(|d| d.str()), Ok(want.to_string()), "{spec}");
        }
    }

    #[test]
    fn unknown_spellings_are_refused_with_numpys_message() {
        for spec in ["", "f3", "float65", "<", "x8", "<float64", "b2", "c4", "f8x", "é"] {
            let e = DType::parse(spec).unwrap_err();
            assert_eq!(e.message(), format!("data type '{spec}' not understood"));
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn prints_as_numpy_does() {
        // numpy: str(np.dtype(s)), repr(np.dtype(s)), and arrayprint's dtype_short_repr.
        let big = DType::parse(">f8").unwrap();
        assert_eq!(
            (big.to_string(), format!("{big:?}"), big.short_repr()),
            (">f8".into(), "dtype('>f8')".into(), "'>f8'".into())
        );
        let native = DType::parse("f4").unwrap();
        assert_eq!((native.to_string(), format!("{native:?}")), ("float32".into(), "dtype('float32')".into()));
        assert_eq!(DType::parse(">u1").unwrap().to_string(), "uint8");
        assert!(DType::native(Kind::Int64).is_implied());
        assert!(!DType::native(Kind::Int32).is_implied());
        assert!(!big.is_implied());
    }
}
