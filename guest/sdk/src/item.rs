//! One element at a time, like numpy's `a.item(i, j)` and `a[i, j] = v`: the fastest way to read
//! or write a single value, since no list crosses the boundary and nothing is allocated.

use std::any::Any;

use half::f16;
use num_complex::{Complex32, Complex64};

use crate::bindings::wasm_memmap::array::types::Scalar;
use crate::dtype::Kind;
use crate::element::Element;
use crate::error::{Error, ErrorCode, Result};
use crate::memmap::Memmap;

/// `value` as `T` when it is one (`T` is then the only type it can be, so this compiles to a move).
fn cast<V: Any + Copy, T: Any + Copy>(value: V) -> Option<T> {
    let value: &dyn Any = &value;
    value.downcast_ref::<T>().copied()
}

/// `value` as the WIT scalar of its kind.
fn to_scalar<T: Element>(value: T) -> Option<Scalar> {
    Some(match T::KIND {
        Kind::Bool => Scalar::Bool(cast(value)?),
        Kind::Int8 => Scalar::Int8(cast(value)?),
        Kind::Int16 => Scalar::Int16(cast(value)?),
        Kind::Int32 => Scalar::Int32(cast(value)?),
        Kind::Int64 => Scalar::Int64(cast(value)?),
        Kind::Uint8 => Scalar::Uint8(cast(value)?),
        Kind::Uint16 => Scalar::Uint16(cast(value)?),
        Kind::Uint32 => Scalar::Uint32(cast(value)?),
        Kind::Uint64 => Scalar::Uint64(cast(value)?),
        Kind::Float16 => Scalar::Float16(cast::<T, f16>(value)?.to_bits()),
        Kind::Float32 => Scalar::Float32(cast(value)?),
        Kind::Float64 => Scalar::Float64(cast(value)?),
        Kind::Complex64 => {
            let c: Complex32 = cast(value)?;
            Scalar::Complex64((c.re, c.im))
        }
        Kind::Complex128 => {
            let c: Complex64 = cast(value)?;
            Scalar::Complex128((c.re, c.im))
        }
    })
}

/// The WIT scalar as `T`, when it is of `T`'s kind.
fn from_scalar<T: Element>(value: Scalar) -> Option<T> {
    match value {
        Scalar::Bool(v) => cast(v),
        Scalar::Int8(v) => cast(v),
        Scalar::Int16(v) => cast(v),
        Scalar::Int32(v) => cast(v),
        Scalar::Int64(v) => cast(v),
        Scalar::Uint8(v) => cast(v),
        Scalar::Uint16(v) => cast(v),
        Scalar::Uint32(v) => cast(v),
        Scalar::Uint64(v) => cast(v),
        Scalar::Float16(bits) => cast(f16::from_bits(bits)),
        Scalar::Float32(v) => cast(v),
        Scalar::Float64(v) => cast(v),
        Scalar::Complex64((re, im)) => cast(Complex32::new(re, im)),
        Scalar::Complex128((re, im)) => cast(Complex64::new(re, im)),
    }
}

impl Memmap {
    /// One element, like `a.item(*at)`: one index per axis (`a[i, j]`; negatives count from
    /// the end), a single index into the array flattened in C order, or none for a one-element
    /// array. One host call that allocates nothing: use it instead of a one-element
    /// [`read`](Memmap::read).
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `T` is not the array's kind; [`ErrorCode::IndexOutOfBounds`]
    /// with numpy's message ("index 3 is out of bounds for axis 0 with size 3");
    /// [`ErrorCode::InvalidArgument`] for another number of indices ("incorrect number of indices
    /// for array"); [`ErrorCode::Io`] when the file was truncated under the map.
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r", Some(&[3, 4]))?;
    /// let last: f64 = a.item(&[-1, -1])?;
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn item<T: Element>(&self, at: &[i64]) -> Result<T> {
        self.check_kind::<T>("read")?;
        let value = self.handle().item(at)?;
        from_scalar(value).ok_or_else(|| Error::new(ErrorCode::Mismatch, "the host sent a value of another kind"))
    }

    /// Stores one element, like `a[i, j] = value` (numpy's former `a.itemset(i, j, value)`), with
    /// the indices of [`Memmap::item`]. One host call that allocates nothing.
    ///
    /// # Errors
    /// [`ErrorCode::ReadOnly`] for a map opened with mode `r` ("assignment destination is
    /// read-only"), and the errors of [`Memmap::item`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r+", Some(&[3, 4]))?;
    /// a.set_item(&[0, -1], 2.5)?;
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn set_item<T: Element>(&self, at: &[i64], value: T) -> Result<()> {
        self.check_kind::<T>("write")?;
        let scalar = to_scalar(value).ok_or_else(|| Error::new(ErrorCode::Mismatch, "no WIT scalar for this type"))?;
        Ok(self.handle().set_item(at, scalar)?)
    }
}
