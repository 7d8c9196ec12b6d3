//! numpy's data types, element kinds, modes and orders: those of `wasm-memmap-numpy-core` (its one
//! table of kinds and numpy's spellings), converted to and from this crate's WIT bindings, and
//! [`Arg`], which lets [`MemmapOptions`](crate::MemmapOptions) take a value or numpy's spelling.

use crate::bindings::wasm_memmap::array::types;
use crate::error::{Error, Result};
pub use wasm_memmap_numpy_core::{ByteOrder, DType, Kind, Mode, Order};

wasm_memmap_numpy_core::impl_wit_conversions! {
    kind: types::ScalarKind,
    byte_order: types::ByteOrder,
    dtype: types::Dtype,
    mode: types::Mode,
    order: types::Order,
    scalar: types::Scalar,
}

/// An argument of `np.memmap` given either as a value ([`DType`], [`Kind`], [`Mode`], [`Order`]) or
/// in numpy's spelling (`"float64"`, `">i4"`, `"r+"`, `"F"`), as Python accepts both. A spelling is
/// checked when the options are used, with numpy's message.
///
/// # Examples
/// ```
/// use wasm_memmap_sdk::{Arg, DType, Kind, Mode};
/// assert_eq!(Arg::<DType>::resolve(">f8")?.to_string(), ">f8");
/// assert_eq!(Arg::<DType>::resolve(Kind::Float64)?, DType::native(Kind::Float64));
/// assert_eq!(Arg::<Mode>::resolve("readonly")?, Mode::ReadOnly);
/// assert_eq!(Arg::<Mode>::resolve("x").unwrap_err().message(),
///     "mode must be one of ['r', 'c', 'r+', 'w+', 'readonly', 'copyonwrite', 'readwrite', 'write'] (got 'x')");
/// # Ok::<(), wasm_memmap_sdk::Error>(())
/// ```
pub trait Arg<T> {
    /// The value, or numpy's error for a spelling it refuses.
    ///
    /// # Errors
    /// [`ErrorCode::InvalidArgument`](crate::ErrorCode::InvalidArgument) with numpy's message.
    fn resolve(self) -> Result<T>;
}

macro_rules! spelled {
    ($($t:ty),*) => {$(
        impl Arg<$t> for $t {
            fn resolve(self) -> Result<$t> {
                Ok(self)
            }
        }
        impl Arg<$t> for &str {
            fn resolve(self) -> Result<$t> {
                <$t>::parse(self).map_err(Error::from)
            }
        }
        impl Arg<$t> for &String {
            fn resolve(self) -> Result<$t> {
                self.as_str().resolve()
            }
        }
        impl Arg<$t> for String {
            fn resolve(self) -> Result<$t> {
                self.as_str().resolve()
            }
        }
    )*};
}

spelled!(DType, Mode, Order);

/// `np.dtype(np.float64)`: a kind in native byte order.
impl Arg<DType> for Kind {
    fn resolve(self) -> Result<DType> {
        Ok(DType::native(self))
    }
}
