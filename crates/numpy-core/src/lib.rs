//! # numpy's rules, without a runtime
//!
//! The one home of the numpy rules that the wasm-memmap host, its guest SDK, its array printer and
//! its command line share: no wasmtime, no wit-bindgen, no `unsafe`. Each item says which part of
//! numpy it follows.
//!
//! - **Kinds** ([`Kind`], [`KindClass`], [`ByteOrder`]): numpy's 14 fixed-size numeric scalar
//!   types and every fact about them (`dtype.name`, `.char`, `.kind`, `.itemsize`, aliases), read
//!   from one table.
//! - **Dtypes** ([`DType`]): a kind in a byte order, parsed from every spelling `np.dtype`
//!   accepts (`"float64"`, `"f8"`, `"<f8"`, `"d"`, `"double"`, `"|u1"`, `"=i4"`, `"!i8"`) and
//!   printed as numpy prints it (`float64`, `>f8`; `Debug` is `dtype('>f8')`).
//! - **Per-kind code**: [`with_kind!`] evaluates an expression with `T` bound to a kind's Rust
//!   type ([`Element`]: `bool`, `i8`..`u64`, [`half::f16`], `f32`, `f64`,
//!   [`num_complex::Complex<f32>`], `Complex<f64>`); [`for_each_kind!`] hands the list of
//!   `Variant: Type` pairs to a macro of yours, for a `match` over your own enum.
//!   [`impl_wit_conversions!`] converts a crate's bindgen types of the `wasm-memmap:array` WIT
//!   (`scalar-kind`, `byte-order`, `dtype`, `mode`, `order`, `scalar`, `slice`, `index`) to and
//!   from these, with no table of its own.
//! - **Modes and orders** ([`Mode`], [`Order`]): `np.memmap`'s `mode` (`r`, `r+`, `w+`, `c` and
//!   the long names) and `order` (`C`, `F`, `A`, `K`), parsed with numpy's messages; `Display`
//!   prints numpy's spelling (`r+`), `Debug` its repr (`'r+'`).
//! - **Sizing** ([`MemmapArgs`], [`Extent`], [`shape_str`], [`check_shape`], [`check_ndim`],
//!   [`element_count`], [`MAX_DIMS`], [`MAX_BYTES`]): `np.memmap`'s rules for the shape inferred
//!   from a file's length, byte counts and offsets, with numpy's messages, as pure functions of
//!   numbers: `MemmapArgs { dtype, mode, shape, offset, order }.extent(file_len)`.
//! - **Scalars and bytes** ([`Scalar`], [`Element::decode`], [`Element::encode`],
//!   [`swap_bytes`], [`MAX_ITEMSIZE`]): one element from or to bytes in a byte order
//!   (`np.frombuffer`, `tobytes`), numpy's casts to `f64`, and `byteswap`.
//! - **Layout** ([`layout`]: [`Layout`], [`Stretch`], [`broadcast_strides`]): shapes, strides and
//!   numpy's basic indexing ([`Index`], [`Slice`]: `a[2, ::-3, ..., None]`, `a.T`,
//!   `np.transpose`, `a.item(i, j)`), in overflow-checked arithmetic, and the stretches of
//!   elements at a fixed stride a selection is copied in.
//! - **The `.npy` header** ([`npy`]): read as `np.load(mmap_mode=...)` reads it, written byte for
//!   byte as `np.lib.format.open_memmap` writes it.
//! - **Errors** ([`Error`], [`ErrorCode`]): numpy's messages, with a code naming the Python
//!   exception (`ValueError`, `IndexError`, `OverflowError`).
//!
//! # Examples
//! ```
//! use wasm_memmap_numpy_core::{with_kind, ByteOrder, DType, Element, MemmapArgs, Mode, Order, Scalar};
//! // np.memmap('data', dtype='>i2', mode='r') over a 6-byte file:
//! let dtype: DType = ">i2".parse()?;
//! let args = MemmapArgs { dtype, mode: "r".parse()?, shape: None, offset: 0, order: Order::C };
//! let extent = args.extent(6)?;
//! assert_eq!(wasm_memmap_numpy_core::shape_str(extent.shape()), "(3,)");
//! // a[1] of the bytes 00 01 | 01 00 | ff ff:
//! let bytes = [0, 1, 1, 0, 0xff, 0xff];
//! let second = Scalar::decode(dtype.kind(), &bytes[2..], dtype.byte_order());
//! assert_eq!(second, Some(Scalar::Int16(256)));
//! // The same with the Rust type bound per kind:
//! let sum: f64 = with_kind!(dtype.kind(), T => bytes
//!     .chunks(dtype.itemsize())
//!     .filter_map(|b| T::decode(b, dtype.byte_order()))
//!     .map(Element::to_f64)
//!     .sum());
//! assert_eq!(sum, 1.0 + 256.0 - 1.0);
//! assert_eq!(Mode::ReadOnly.to_string(), "r");
//! # Ok::<(), wasm_memmap_numpy_core::Error>(())
//! ```

mod dtype;
mod element;
mod error;
mod index;
mod kind;
pub mod layout;
#[cfg(test)]
mod layout_props;
mod macros;
mod mode;
pub mod npy;
mod sizing;

pub use dtype::DType;
pub use element::{Element, MAX_ITEMSIZE, Scalar, swap_bytes};
pub use error::{Error, ErrorCode, QUOTE_CHARS, quoted};
pub use index::{Index, Slice};
pub use kind::{ByteOrder, Kind, KindClass};
pub use layout::{
    IntegerIndices, Layout, MAX_BYTES, MAX_DIMS, MAX_INDEX_LEN, Stretch, Taken, broadcast_strides, check_ndim,
    check_shape, element_count, shape_str,
};
pub use mode::{Mode, Order};
pub use sizing::{Extent, MemmapArgs};

/// The `half` crate, whose [`f16`](half::f16) is `np.float16`'s Rust type (re-exported for
/// [`with_kind!`] and [`for_each_kind!`]).
pub use half;
/// The `num-complex` crate, whose [`Complex`](num_complex::Complex) is `np.complex64`'s and
/// `np.complex128`'s Rust type (re-exported for [`with_kind!`] and [`for_each_kind!`]).
pub use num_complex;
