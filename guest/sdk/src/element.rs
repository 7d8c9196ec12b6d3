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
        }
    )*};
}

plain!(
    bool => Bool, i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64,
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
                    ElementsResult::$case(parts) => {
                        Some(parts.chunks_exact(2).map(|p| <$t>::new(p[0], p[1])).collect())
                    }
                    _ => None,
                }
            }
        }
    };
}

complex!(Complex32, Complex64);
complex!(Complex64, Complex128);
