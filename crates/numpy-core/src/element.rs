//! Rust types for numpy's scalars, and their bytes: decoding and encoding one element in a byte
//! order, and swapping the bytes of a buffer.

use std::fmt;

use half::f16;
use num_complex::Complex;

use crate::kind::{ByteOrder, Kind};

/// The largest element, `complex128`, in bytes: a buffer this long holds any one element.
pub const MAX_ITEMSIZE: usize = 16;

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that holds one element of a numpy kind (numpy's scalar types: `np.bool` is `bool`,
/// `np.float16` is [`half::f16`], `np.complex64` is [`Complex<f32>`], ...). Implemented for the
/// 14 types [`with_kind!`](crate::with_kind) binds, and sealed.
pub trait Element: Copy + PartialEq + fmt::Debug + Send + Sync + 'static + sealed::Sealed {
    /// The kind this type holds.
    const KIND: Kind;

    /// The element as plain numbers, as the WIT carries it: itself, except [`half::f16`] as its
    /// bits (`u16`) and complex numbers as `(re, im)`.
    type Plain;

    /// The element as [`Element::Plain`].
    fn to_plain(self) -> Self::Plain;

    /// The element from [`Element::Plain`].
    fn from_plain(plain: Self::Plain) -> Self;

    /// Reads one element from the first [`Kind::itemsize`] bytes of `bytes`, stored in `order`
    /// (numpy's `np.frombuffer(bytes, dtype)[0]`). `None` when `bytes` is shorter. A `bool` is
    /// `true` for any non-zero byte, as numpy reads it.
    fn decode(bytes: &[u8], order: ByteOrder) -> Option<Self>;

    /// Writes the element to the first [`Kind::itemsize`] bytes of `out` in `order` (numpy's
    /// `a.tobytes()`; `true` is stored as 1). `None` (and nothing written) when `out` is shorter.
    fn encode(self, order: ByteOrder, out: &mut [u8]) -> Option<()>;

    /// The value as an `f64`, like numpy's `astype(np.float64)`: `bool` is 0 or 1, 64-bit
    /// integers round to nearest, and a complex number keeps its real part (numpy's cast, which
    /// warns `ComplexWarning`).
    fn to_f64(self) -> f64;

    /// The value as Python's `int(x)` for a `bool` or an integer; `None` for the other kinds.
    fn to_i128(self) -> Option<i128>;

    /// The value as `complex(x)` in `complex128`: a real value with imaginary part 0.
    fn to_complex128(self) -> Complex<f64>;

    /// The element as a [`Scalar`].
    fn into_scalar(self) -> Scalar;

    /// The element of a [`Scalar`] of this kind; `None` for another kind.
    fn from_scalar(scalar: Scalar) -> Option<Self>;
}

/// The first `N` bytes of `bytes`, if it has them.
fn take<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.get(..N).and_then(|b| b.try_into().ok())
}

/// Copies `raw` to the front of `out`, if it fits.
fn put(out: &mut [u8], raw: &[u8]) -> Option<()> {
    out.get_mut(..raw.len())?.copy_from_slice(raw);
    Some(())
}

/// The two [`Element`] methods that move a value in and out of its [`Scalar`] variant: the same
/// for every kind but for the variant's name.
macro_rules! scalar_variant {
    ($variant:ident) => {
        fn into_scalar(self) -> Scalar {
            Scalar::$variant(self)
        }
        fn from_scalar(scalar: Scalar) -> Option<Self> {
            match scalar {
                Scalar::$variant(v) => Some(v),
                _ => None,
            }
        }
    };
}

macro_rules! numbers {
    (@int int $v:expr) => { Some(i128::from($v)) };
    (@int float $v:expr) => { None };
    ($($t:ty => $variant:ident, $n:literal, $class:ident;)*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const KIND: Kind = Kind::$variant;
            type Plain = $t;
            fn to_plain(self) -> $t {
                self
            }
            fn from_plain(plain: $t) -> Self {
                plain
            }
            #[inline(always)]
            fn decode(bytes: &[u8], order: ByteOrder) -> Option<Self> {
                let raw = take::<$n>(bytes)?;
                Some(match order {
                    ByteOrder::Little => <$t>::from_le_bytes(raw),
                    ByteOrder::Big => <$t>::from_be_bytes(raw),
                })
            }
            fn encode(self, order: ByteOrder, out: &mut [u8]) -> Option<()> {
                match order {
                    ByteOrder::Little => put(out, &self.to_le_bytes()),
                    ByteOrder::Big => put(out, &self.to_be_bytes()),
                }
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                // Rounds to nearest like numpy's `astype(np.float64)` (exact below 64 bits); there
                // is no `From` for the 64-bit integers.
                #[allow(clippy::as_conversions, clippy::cast_precision_loss, clippy::cast_lossless)]
                let v = self as f64;
                v
            }
            fn to_i128(self) -> Option<i128> {
                numbers!(@int $class self)
            }
            fn to_complex128(self) -> Complex<f64> {
                Complex::new(self.to_f64(), 0.0)
            }
            scalar_variant!($variant);
        }
    )*};
}

numbers! {
    i8 => Int8, 1, int;
    i16 => Int16, 2, int;
    i32 => Int32, 4, int;
    i64 => Int64, 8, int;
    u8 => Uint8, 1, int;
    u16 => Uint16, 2, int;
    u32 => Uint32, 4, int;
    u64 => Uint64, 8, int;
    f32 => Float32, 4, float;
    f64 => Float64, 8, float;
}

impl sealed::Sealed for bool {}
impl Element for bool {
    const KIND: Kind = Kind::Bool;
    type Plain = bool;
    fn to_plain(self) -> bool {
        self
    }
    fn from_plain(plain: bool) -> Self {
        plain
    }
    #[inline(always)]
    fn decode(bytes: &[u8], _: ByteOrder) -> Option<Self> {
        bytes.first().map(|&b| b != 0)
    }
    fn encode(self, _: ByteOrder, out: &mut [u8]) -> Option<()> {
        put(out, &[u8::from(self)])
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        if self { 1.0 } else { 0.0 }
    }
    fn to_i128(self) -> Option<i128> {
        Some(i128::from(self))
    }
    fn to_complex128(self) -> Complex<f64> {
        Complex::new(self.to_f64(), 0.0)
    }
    scalar_variant!(Bool);
}

impl sealed::Sealed for f16 {}
impl Element for f16 {
    const KIND: Kind = Kind::Float16;
    type Plain = u16;
    fn to_plain(self) -> u16 {
        self.to_bits()
    }
    fn from_plain(plain: u16) -> Self {
        f16::from_bits(plain)
    }
    #[inline(always)]
    fn decode(bytes: &[u8], order: ByteOrder) -> Option<Self> {
        u16::decode(bytes, order).map(f16::from_bits)
    }
    fn encode(self, order: ByteOrder, out: &mut [u8]) -> Option<()> {
        self.to_bits().encode(order, out)
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        // Exact: every binary16 value is a binary64 value.
        f16::to_f64(self)
    }
    fn to_i128(self) -> Option<i128> {
        None
    }
    fn to_complex128(self) -> Complex<f64> {
        Complex::new(self.to_f64(), 0.0)
    }
    scalar_variant!(Float16);
}

macro_rules! complex {
    ($($part:ty => $variant:ident, $n:literal;)*) => {$(
        impl sealed::Sealed for Complex<$part> {}
        impl Element for Complex<$part> {
            const KIND: Kind = Kind::$variant;
            type Plain = ($part, $part);
            fn to_plain(self) -> ($part, $part) {
                (self.re, self.im)
            }
            fn from_plain((re, im): ($part, $part)) -> Self {
                Complex::new(re, im)
            }
            #[inline(always)]
            fn decode(bytes: &[u8], order: ByteOrder) -> Option<Self> {
                // Each part in the byte order; the real part first in every order.
                let re = <$part>::decode(bytes, order)?;
                let im = <$part>::decode(bytes.get($n..)?, order)?;
                Some(Complex::new(re, im))
            }
            fn encode(self, order: ByteOrder, out: &mut [u8]) -> Option<()> {
                if out.len() < 2 * $n {
                    return None;
                }
                self.re.encode(order, out)?;
                self.im.encode(order, out.get_mut($n..)?)
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self.re.to_f64()
            }
            fn to_i128(self) -> Option<i128> {
                None
            }
            fn to_complex128(self) -> Complex<f64> {
                Complex::new(self.re.to_f64(), self.im.to_f64())
            }
            scalar_variant!($variant);
        }
    )*};
}

complex! {
    f32 => Complex64, 4;
    f64 => Complex128, 8;
}

/// One element of any kind: a numpy scalar (`np.float64(1.5)`, `np.int8(-3)`, ...).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// `np.bool`.
    Bool(bool),
    /// `np.int8`.
    Int8(i8),
    /// `np.int16`.
    Int16(i16),
    /// `np.int32`.
    Int32(i32),
    /// `np.int64`.
    Int64(i64),
    /// `np.uint8`.
    Uint8(u8),
    /// `np.uint16`.
    Uint16(u16),
    /// `np.uint32`.
    Uint32(u32),
    /// `np.uint64`.
    Uint64(u64),
    /// `np.float16`.
    Float16(f16),
    /// `np.float32`.
    Float32(f32),
    /// `np.float64`.
    Float64(f64),
    /// `np.complex64`.
    Complex64(Complex<f32>),
    /// `np.complex128`.
    Complex128(Complex<f64>),
}

impl Scalar {
    /// The scalar's kind, `type(x)`.
    pub fn kind(&self) -> Kind {
        macro_rules! kinds {
            ($scalar:expr ; $($variant:ident: $t:ty),*) => {
                match $scalar { $(Scalar::$variant(_) => Kind::$variant,)* }
            };
        }
        crate::for_each_kind!(kinds => { self })
    }

    /// Reads one element of `kind` stored in `order` from the front of `bytes`, like
    /// `np.frombuffer(bytes, dtype)[0]`. `None` when `bytes` is shorter than the kind's itemsize.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_numpy_core::{ByteOrder, Kind, Scalar};
    /// let v = Scalar::decode(Kind::Int32, &[0, 0, 1, 0], ByteOrder::Big);
    /// assert_eq!(v, Some(Scalar::Int32(256)));
    /// ```
    pub fn decode(kind: Kind, bytes: &[u8], order: ByteOrder) -> Option<Scalar> {
        crate::with_kind!(kind, T => T::decode(bytes, order).map(Element::into_scalar))
    }

    /// Writes the scalar's [`Kind::itemsize`] bytes in `order` to the front of `out`, like
    /// `x.tobytes()`; returns how many. `None` (nothing written) when `out` is shorter.
    pub fn encode(&self, order: ByteOrder, out: &mut [u8]) -> Option<usize> {
        macro_rules! encode {
            ($scalar:expr ; $($variant:ident: $t:ty),*) => {
                match *$scalar { $(Scalar::$variant(v) => v.encode(order, out),)* }
            };
        }
        crate::for_each_kind!(encode => { self })?;
        Some(self.kind().itemsize())
    }

    /// The value as an `f64`, like `float(x)` (see [`Element::to_f64`]).
    pub fn to_f64(&self) -> f64 {
        macro_rules! to_f64 {
            ($scalar:expr ; $($variant:ident: $t:ty),*) => {
                match *$scalar { $(Scalar::$variant(v) => v.to_f64(),)* }
            };
        }
        crate::for_each_kind!(to_f64 => { self })
    }

    /// The value as Python's `int(x)` for a `bool` or an integer; `None` for the other kinds.
    pub fn to_i128(&self) -> Option<i128> {
        macro_rules! to_i128 {
            ($scalar:expr ; $($variant:ident: $t:ty),*) => {
                match *$scalar { $(Scalar::$variant(v) => v.to_i128(),)* }
            };
        }
        crate::for_each_kind!(to_i128 => { self })
    }

    /// The value as `complex(x)` in `complex128` (see [`Element::to_complex128`]).
    pub fn to_complex128(&self) -> Complex<f64> {
        macro_rules! to_complex128 {
            ($scalar:expr ; $($variant:ident: $t:ty),*) => {
                match *$scalar { $(Scalar::$variant(v) => v.to_complex128(),)* }
            };
        }
        crate::for_each_kind!(to_complex128 => { self })
    }
}

/// Reverses the bytes of every number of `kind` in `bytes` (each [`Kind::swap_unit`] bytes: both
/// parts of a complex number separately), like numpy's `a.byteswap(inplace=True)`. A trailing
/// piece shorter than a unit is left as it is.
pub fn swap_bytes(kind: Kind, bytes: &mut [u8]) {
    if kind.swap_unit() > 1 {
        bytes.chunks_exact_mut(kind.swap_unit()).for_each(<[u8]>::reverse);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> [Scalar; 14] {
        [
            Scalar::Bool(true),
            Scalar::Int8(-3),
            Scalar::Int16(-300),
            Scalar::Int32(-70000),
            Scalar::Int64(i64::MIN),
            Scalar::Uint8(250),
            Scalar::Uint16(65000),
            Scalar::Uint32(4_000_000_000),
            Scalar::Uint64(u64::MAX),
            Scalar::Float16(f16::from_bits(0x3c00)),
            Scalar::Float32(-1.5),
            Scalar::Float64(f64::MIN_POSITIVE),
            Scalar::Complex64(Complex::new(1.5, -2.5)),
            Scalar::Complex128(Complex::new(-0.0, 1e300)),
        ]
    }

    #[test]
    fn every_kind_encodes_to_its_itemsize_and_decodes_back() {
        for value in every_kind() {
            for order in [ByteOrder::Little, ByteOrder::Big] {
                let mut buf = [0u8; MAX_ITEMSIZE];
                let kind = value.kind();
                let len = value.encode(order, &mut buf).expect("fits");
                assert_eq!(len, kind.itemsize(), "{kind:?}");
                assert_eq!(Scalar::decode(kind, &buf[..len], order), Some(value));
                assert_eq!(Scalar::decode(kind, &buf[..len - 1], order), None, "{kind:?} short");
                assert_eq!(value.encode(order, &mut buf[..len - 1]), None, "{kind:?} short");
            }
        }
    }

    #[test]
    fn the_two_byte_orders_are_each_others_swap() {
        // numpy: a.astype('>T').tobytes() == a.astype('<T').byteswap().tobytes()
        for value in every_kind() {
            let kind = value.kind();
            let (mut little, mut big) = ([0u8; MAX_ITEMSIZE], [0u8; MAX_ITEMSIZE]);
            let n = value.encode(ByteOrder::Little, &mut little).expect("fits");
            value.encode(ByteOrder::Big, &mut big).expect("fits");
            swap_bytes(kind, &mut little[..n]);
            assert_eq!(little[..n], big[..n], "{kind:?}");
        }
        // numpy: np.array([1+2j], '<c8').tobytes() has the real part first.
        let mut buf = [0u8; 8];
        Scalar::Complex64(Complex::new(1.0, 2.0)).encode(ByteOrder::Big, &mut buf).expect("fits");
        assert_eq!(buf, [0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]);
    }

    #[test]
    fn bools_read_any_non_zero_byte_as_true_and_write_one() {
        assert_eq!(bool::decode(&[7], ByteOrder::Little), Some(true));
        let mut out = [9u8];
        true.encode(ByteOrder::Big, &mut out).expect("fits");
        assert_eq!(out, [1]);
    }

    #[test]
    fn values_convert_to_f64_as_numpy_casts_them() {
        assert_eq!(f16::from_bits(0x7bff).to_f64(), 65504.0);
        assert_eq!(f16::from_bits(0x0001).to_f64(), 2f64.powi(-24));
        assert!(f16::from_bits(0x7e00).to_f64().is_nan());
        // np.float64(np.uint64(2**64 - 1)) == 2.0**64
        assert_eq!(u64::MAX.to_f64(), 18_446_744_073_709_551_616.0);
        assert_eq!(Complex::new(1.5f32, 9.0).to_f64(), 1.5);
        // int(x) and complex(x) as Python gives them.
        assert_eq!(Scalar::Uint64(u64::MAX).to_i128(), Some(18_446_744_073_709_551_615));
        assert_eq!(Scalar::Int8(-3).to_i128(), Some(-3));
        assert_eq!(Scalar::Bool(true).to_i128(), Some(1));
        assert_eq!(Scalar::Float32(1.0).to_i128(), None);
        assert_eq!(Scalar::Complex64(Complex::new(0.5, -1.5)).to_complex128(), Complex::new(0.5, -1.5));
        assert_eq!(Scalar::Float16(f16::ONE).to_complex128(), Complex::new(1.0, 0.0));
    }
}
