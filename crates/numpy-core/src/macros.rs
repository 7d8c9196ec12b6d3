//! Macros that expand code once per element kind, and the conversions to a crate's bindgen types.

/// Calls the macro `callback` with `args`, then `;`, then every kind as `Variant: RustType`, in the
/// order of [`Kind::ALL`](crate::Kind::ALL): the one list from which per-kind code is expanded.
///
/// The Rust types are the [`Element`](crate::Element) types: `bool`, `i8`..`i64`, `u8`..`u64`,
/// [`half::f16`], `f32`, `f64`, [`num_complex::Complex<f32>`] and `Complex<f64>`.
///
/// # Examples
/// A `match` over every variant of a crate's own enum, written once:
/// ```
/// use wasm_memmap_numpy_core::{for_each_kind, Kind};
/// macro_rules! names {
///     ($kind:expr ; $($variant:ident: $t:ty),*) => {
///         match $kind { $(Kind::$variant => stringify!($t),)* }
///     };
/// }
/// assert_eq!(for_each_kind!(names => { Kind::Int16 }), "i16");
/// ```
#[macro_export]
macro_rules! for_each_kind {
    ($($callback:ident)::+ => { $($args:tt)* }) => {
        $($callback)::+! { $($args)* ;
            Bool: bool,
            Int8: i8,
            Int16: i16,
            Int32: i32,
            Int64: i64,
            Uint8: u8,
            Uint16: u16,
            Uint32: u32,
            Uint64: u64,
            Float16: $crate::half::f16,
            Float32: f32,
            Float64: f64,
            Complex64: $crate::num_complex::Complex<f32>,
            Complex128: $crate::num_complex::Complex<f64>
        }
    };
}

/// Evaluates `body` with the type name `T` bound to the Rust element type of `kind` (a
/// [`Kind`](crate::Kind)): one expansion in place of a 14-arm `match`. numpy's equivalent is a
/// ufunc's type dispatch.
///
/// `T` is `bool`, `i8`..`u64`, [`half::f16`], `f32`, `f64`, or [`num_complex::Complex<f32>`] /
/// `Complex<f64>`; all of them implement [`Element`](crate::Element).
///
/// # Examples
/// ```
/// use wasm_memmap_numpy_core::{with_kind, ByteOrder, Element, Kind};
/// fn first_as_f64(kind: Kind, bytes: &[u8]) -> Option<f64> {
///     with_kind!(kind, T => T::decode(bytes, ByteOrder::Little).map(Element::to_f64))
/// }
/// assert_eq!(first_as_f64(Kind::Int16, &[0xff, 0xff]), Some(-1.0));
/// assert_eq!(first_as_f64(Kind::Float16, &[0x00, 0x3c]), Some(1.0));
/// ```
#[macro_export]
macro_rules! with_kind {
    ($kind:expr, $T:ident => $body:expr) => {
        $crate::for_each_kind!($crate::__with_kind => { $kind, $T, $body })
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __with_kind {
    ($kind:expr, $T:ident, $body:expr ; $($variant:ident: $t:ty),*) => {
        match $kind {
            $($crate::Kind::$variant => {
                type $T = $t;
                $body
            })*
        }
    };
}

/// Implements `From` both ways between this crate's types and a crate's bindgen-generated types
/// of the `wasm-memmap:array` WIT (wasmtime's or wit-bindgen's `bindgen!`), whose cases have the
/// same names. Use it once per crate, at module level, naming the types that crate has:
///
/// - `kind: ScalarKind` <-> [`Kind`](crate::Kind), `byte_order: ByteOrder` <->
///   [`ByteOrder`](crate::ByteOrder), `mode: Mode` <-> [`Mode`](crate::Mode), `order: Order` <->
///   [`Order`](crate::Order) (the WIT enums);
/// - `dtype: Dtype` <-> [`DType`](crate::DType) (the record; needs `kind` and `byte_order`);
/// - `scalar: Scalar` <-> [`Scalar`](crate::Scalar) (the variant; `float16` as its bits,
///   complex numbers as `(re, im)`);
/// - `slice: Slice` -> [`Slice`](crate::Slice) and `index: Index` -> [`Index`](crate::Index)
///   (the basic index a guest sends; needs `slice`);
/// - `error_code: ErrorCode` <- [`ErrorCode`](crate::ErrorCode) (one way: numpy-core's codes are
///   the subset of the WIT `error-code` that numpy's own rules raise).
///
/// # Examples
/// In a crate, once, beside its `bindgen!` (the host names `kind`, `byte_order`, `dtype`, `mode`,
/// `order`, `scalar`, `slice` and `index` of `generated::types`). Here with two enums shaped as
/// bindgen makes them:
/// ```
/// use wasm_memmap_numpy_core::{Mode, Order};
/// mod types {
///     #[derive(Clone, Copy, Debug, PartialEq)]
///     pub enum Mode { ReadOnly, ReadWrite, Write, CopyOnWrite }
///     #[derive(Clone, Copy, Debug, PartialEq)]
///     pub enum Order { C, Fortran }
/// }
/// wasm_memmap_numpy_core::impl_wit_conversions! { mode: types::Mode, order: types::Order }
///
/// assert_eq!(types::Mode::from(Mode::parse("r+")?), types::Mode::ReadWrite);
/// assert_eq!(Order::from(types::Order::Fortran).to_string(), "F");
/// # Ok::<(), wasm_memmap_numpy_core::Error>(())
/// ```
#[macro_export]
macro_rules! impl_wit_conversions {
    ($($what:ident : $t:ty),* $(,)?) => {
        $($crate::__impl_wit_conversion!($what : $t);)*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __impl_wit_conversion {
    (kind : $t:ty) => {
        $crate::for_each_kind!($crate::__impl_kind_conversion => { $t });
    };
    (byte_order : $t:ty) => {
        $crate::__impl_enum_conversion!($t, $crate::ByteOrder, Little, Big);
    };
    (mode : $t:ty) => {
        $crate::__impl_enum_conversion!($t, $crate::Mode, ReadOnly, ReadWrite, Write, CopyOnWrite);
    };
    (order : $t:ty) => {
        $crate::__impl_enum_conversion!($t, $crate::Order, C, Fortran);
    };
    (dtype : $t:ty) => {
        const _: () = {
            type Wit = $t;
            impl ::core::convert::From<Wit> for $crate::DType {
                fn from(d: Wit) -> Self {
                    $crate::DType::new(d.kind.into(), d.byte_order.into())
                }
            }
            impl ::core::convert::From<$crate::DType> for Wit {
                fn from(d: $crate::DType) -> Self {
                    Wit { kind: d.kind().into(), byte_order: d.byte_order().into() }
                }
            }
        };
    };
    (scalar : $t:ty) => {
        $crate::for_each_kind!($crate::__impl_scalar_conversion => { $t });
    };
    (error_code : $t:ty) => {
        // One way only: numpy-core's codes are a subset of the WIT's (which add the file system's).
        const _: () = {
            type Wit = $t;
            impl ::core::convert::From<$crate::ErrorCode> for Wit {
                fn from(c: $crate::ErrorCode) -> Self {
                    match c {
                        $crate::ErrorCode::InvalidArgument => Wit::InvalidArgument,
                        $crate::ErrorCode::IndexOutOfBounds => Wit::IndexOutOfBounds,
                        $crate::ErrorCode::Overflow => Wit::Overflow,
                        $crate::ErrorCode::Mismatch => Wit::Mismatch,
                    }
                }
            }
        };
    };
    (slice : $t:ty) => {
        const _: () = {
            type Wit = $t;
            impl ::core::convert::From<&Wit> for $crate::Slice {
                fn from(s: &Wit) -> Self {
                    $crate::Slice { start: s.start, stop: s.stop, step: s.step }
                }
            }
        };
    };
    (index : $t:ty) => {
        const _: () = {
            type Wit = $t;
            impl ::core::convert::From<&Wit> for $crate::Index {
                fn from(i: &Wit) -> Self {
                    match i {
                        Wit::At(at) => $crate::Index::At(*at),
                        Wit::Slice(s) => $crate::Index::Slice(s.into()),
                        Wit::Ellipsis => $crate::Index::Ellipsis,
                        Wit::NewAxis => $crate::Index::NewAxis,
                    }
                }
            }
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __impl_enum_conversion {
    ($t:ty, $ours:path, $($variant:ident),*) => {
        const _: () = {
            type Wit = $t;
            type Ours = $ours;
            impl ::core::convert::From<Wit> for Ours {
                fn from(v: Wit) -> Self {
                    match v { $(Wit::$variant => Ours::$variant,)* }
                }
            }
            impl ::core::convert::From<Ours> for Wit {
                fn from(v: Ours) -> Self {
                    match v { $(Ours::$variant => Wit::$variant,)* }
                }
            }
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __impl_kind_conversion {
    ($t:ty ; $($variant:ident: $_ty:ty),*) => {
        $crate::__impl_enum_conversion!($t, $crate::Kind, $($variant),*);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __impl_scalar_conversion {
    ($t:ty ; $($variant:ident: $ty:ty),*) => {
        const _: () = {
            type Wit = $t;
            impl ::core::convert::From<Wit> for $crate::Scalar {
                fn from(v: Wit) -> Self {
                    match v { $(Wit::$variant(x) => $crate::Scalar::$variant(<$ty as $crate::Element>::from_plain(x)),)* }
                }
            }
            impl ::core::convert::From<$crate::Scalar> for Wit {
                fn from(v: $crate::Scalar) -> Self {
                    match v { $($crate::Scalar::$variant(x) => Wit::$variant(<$ty as $crate::Element>::to_plain(x)),)* }
                }
            }
        };
    };
}
