//! Rust types that map one-to-one onto numpy's scalar types, and their WIT element lists.

use half::f16;
use num_complex::{Complex32, Complex64};

use crate::bindings::wasm_memmap::array::types::{ElementsParam, ElementsResult};

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that holds one element of a numpy kind: `bool`, `i8`..`i64`, `u8`..`u64`,
/// [`half::f16`], `f32`, `f64`, and [`num_complex::Complex32`] / [`Complex64`] for numpy's
/// `complex64` / `complex128`. Reads and writes check that it matches the array's kind.
///
/// It extends `wasm-memmap-numpy-core`'s [`Element`](wasm_memmap_numpy_core::Element) (the kind,
/// byte codecs, numpy's casts), so [`Element::KIND`](wasm_memmap_numpy_core::Element::KIND) and
/// `with_kind!` work on it, with the lists the WIT carries.
pub trait Element: wasm_memmap_numpy_core::Element + sealed::Sealed {
    /// Borrows a slice as WIT element data (no copy for numeric types).
    #[doc(hidden)]
    fn as_param(values: &[Self]) -> ElementsParam<'_>;

    /// Takes element data of this kind; `None` for another kind.
    #[doc(hidden)]
    fn from_result(data: ElementsResult) -> Option<Vec<Self>>;

    /// The values' bytes in this plugin's byte order, as `read-bytes` / `write-bytes` carry them
    /// (`a.tobytes()`): a borrow, never a copy (a `bool` is its byte, 0 or 1).
    #[doc(hidden)]
    fn native_bytes(values: &[Self]) -> &[u8];

    /// The values of native-order element bytes, as the host sends them, the buffer kept when no
    /// conversion is needed (1-byte kinds) and copied once otherwise. `None` when the length is
    /// not a whole number of elements.
    #[doc(hidden)]
    fn from_native_vec(bytes: Vec<u8>) -> Option<Vec<Self>>;

    /// The values of native-order element bytes, borrowed when `bytes` is aligned for `Self`
    /// (the usual case: the allocator's blocks are 8-aligned at least); `None` otherwise.
    #[doc(hidden)]
    fn view_native(bytes: &[u8]) -> Option<&[Self]>;

    /// As [`Element::view_native`], to write.
    #[doc(hidden)]
    fn view_native_mut(bytes: &mut [u8]) -> Option<&mut [Self]>;

    /// Copies native-order element bytes into `out` (one copy); `None`, with nothing written,
    /// when the lengths differ.
    #[doc(hidden)]
    fn copy_from_native(out: &mut [Self], bytes: &[u8]) -> Option<()>;
}

/// [`Element`]'s byte methods for the kinds every bit pattern of which is a value (all but
/// `bool`), in this plugin's (little-endian) byte order.
macro_rules! pod_bytes {
    () => {
        fn native_bytes(values: &[Self]) -> &[u8] {
            bytemuck::cast_slice(values)
        }
        fn from_native_vec(bytes: Vec<u8>) -> Option<Vec<Self>> {
            if size_of::<Self>() == 1 {
                // Same size and alignment: the host's buffer is kept as it is.
                return bytemuck::allocation::try_cast_vec(bytes).ok();
            }
            match bytemuck::try_cast_slice::<u8, Self>(&bytes) {
                // One memcpy into a vector that is not zeroed first.
                Ok(values) => Some(values.to_vec()),
                Err(bytemuck::PodCastError::TargetAlignmentGreaterAndInputNotAligned) => {
                    let size = size_of::<Self>();
                    let mut values = vec![<Self as bytemuck::Zeroable>::zeroed(); bytes.len() / size];
                    Self::copy_from_native(&mut values, &bytes).map(|()| values)
                }
                Err(_) => None,
            }
        }
        fn view_native(bytes: &[u8]) -> Option<&[Self]> {
            bytemuck::try_cast_slice(bytes).ok()
        }
        fn view_native_mut(bytes: &mut [u8]) -> Option<&mut [Self]> {
            bytemuck::try_cast_slice_mut(bytes).ok()
        }
        fn copy_from_native(out: &mut [Self], bytes: &[u8]) -> Option<()> {
            let out: &mut [u8] = bytemuck::cast_slice_mut(out);
            (out.len() == bytes.len()).then(|| out.copy_from_slice(bytes))
        }
    };
}

macro_rules! plain {
    ($($t:ty => $case:ident),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            fn as_param(values: &[Self]) -> ElementsParam<'_> {
                ElementsParam::$case(values)
            }
            fn from_result(data: ElementsResult) -> Option<Vec<Self>> {
                match data {
                    ElementsResult::$case(v) => Some(v),
                    _ => None,
                }
            }
            pod_bytes!();
        }
    )*};
}

impl sealed::Sealed for bool {}
impl Element for bool {
    fn as_param(values: &[Self]) -> ElementsParam<'_> {
        ElementsParam::Bool(values)
    }
    fn from_result(data: ElementsResult) -> Option<Vec<Self>> {
        match data {
            ElementsResult::Bool(v) => Some(v),
            _ => None,
        }
    }
    fn native_bytes(values: &[Self]) -> &[u8] {
        bytemuck::cast_slice(values)
    }
    /// numpy reads any non-zero byte as `True` (the host sends 0 or 1 already).
    fn from_native_vec(bytes: Vec<u8>) -> Option<Vec<Self>> {
        Some(bytes.into_iter().map(|b| b != 0).collect())
    }
    fn view_native(bytes: &[u8]) -> Option<&[Self]> {
        bytemuck::checked::try_cast_slice(bytes).ok()
    }
    fn view_native_mut(bytes: &mut [u8]) -> Option<&mut [Self]> {
        bytemuck::checked::try_cast_slice_mut(bytes).ok()
    }
    fn copy_from_native(out: &mut [Self], bytes: &[u8]) -> Option<()> {
        (out.len() == bytes.len()).then(|| out.iter_mut().zip(bytes).for_each(|(o, &b)| *o = b != 0))
    }
}

plain!(
    i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64,
    u8 => Uint8, u16 => Uint16, u32 => Uint32, u64 => Uint64, f32 => Float32, f64 => Float64,
);

impl sealed::Sealed for f16 {}
impl Element for f16 {
    fn as_param(values: &[Self]) -> ElementsParam<'_> {
        ElementsParam::Float16(bytemuck::cast_slice(values))
    }
    fn from_result(data: ElementsResult) -> Option<Vec<Self>> {
        match data {
            ElementsResult::Float16(bits) => Some(bytemuck::allocation::cast_vec(bits)),
            _ => None,
        }
    }
    pod_bytes!();
}

macro_rules! complex {
    ($t:ty, $case:ident) => {
        impl sealed::Sealed for $t {}
        impl Element for $t {
            fn as_param(values: &[Self]) -> ElementsParam<'_> {
                // `Complex<T>` is `#[repr(C)] { re, im }`: the interleaved layout the WIT asks for.
                ElementsParam::$case(bytemuck::cast_slice(values))
            }
            fn from_result(data: ElementsResult) -> Option<Vec<Self>> {
                match data {
                    // Same alignment and a whole number of pairs: the list becomes the vector.
                    ElementsResult::$case(parts) => bytemuck::allocation::try_cast_vec(parts).ok(),
                    _ => None,
                }
            }
            pod_bytes!();
        }
    };
}

complex!(Complex32, Complex64);
complex!(Complex64, Complex128);
