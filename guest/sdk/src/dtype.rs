//! numpy's data types, element kinds, modes and orders: those of `wasm-memmap-numpy-core` (its one
//! table of kinds and numpy's spellings, whose `TryFrom<&str>` lets
//! [`MemmapOptions`](crate::MemmapOptions) take a value or numpy's spelling), converted to and from
//! this crate's WIT bindings.

use crate::bindings::wasm_memmap::array::types;
pub use wasm_memmap_numpy_core::{ByteOrder, DType, Kind, Mode, Order};

wasm_memmap_numpy_core::impl_wit_conversions! {
    kind: types::ScalarKind,
    byte_order: types::ByteOrder,
    dtype: types::Dtype,
    mode: types::Mode,
    order: types::Order,
    scalar: types::Scalar,
    error_code: types::ErrorCode,
}
