//! One element at a time, like numpy's `a.item(i, j)`, `a[i, j] = v` and `a.flat[i]`: the
//! fastest way to read or write a single value, since nothing is allocated (and for the flat
//! forms no list crosses the boundary at all).

use wasm_memmap_numpy_core::Scalar;

use crate::bindings::wasm_memmap::array::types;
use crate::element::Element;
use crate::error::{Error, ErrorCode, Result};
use crate::memmap::Memmap;

impl Memmap {
    /// One element, like `a.item(*at)`: one index per axis (`a[i, j]`; negatives count from
    /// the end), a single index into the array flattened in C order, or none for a one-element
    /// array. One host call that allocates nothing: use it instead of a one-element
    /// [`read`](Memmap::read).
    ///
    /// The indices are `i64` while [`Memmap::shape`] is `u64`: numpy accepts negative indices
    /// (`a.item(-1)` is the last element), so an index is signed, and an axis length never is.
    /// Any `i64` is accepted and checked against its axis, as numpy checks it.
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
        scalar_as(self.handle().item(at)?)
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
        Ok(self.handle().set_item(at, types::Scalar::from(value.into_scalar()))?)
    }

    /// One element by its flat position (C order), like `a.flat[flat]` or `a.item(flat)`:
    /// negatives count from the end. The thinnest read there is: one integer goes to the host and
    /// one scalar comes back, nothing allocated.
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `T` is not the array's kind; [`ErrorCode::IndexOutOfBounds`]
    /// ("index 12 is out of bounds for size 12").
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r", Some(&[3, 4]))?;
    /// let last: f64 = a.item_flat(-1)?; // a.flat[-1]
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn item_flat<T: Element>(&self, flat: i64) -> Result<T> {
        self.check_kind::<T>("read")?;
        scalar_as(self.handle().item_flat(flat)?)
    }

    /// Stores one element at its flat position, like `a.flat[flat] = value`, with nothing but the
    /// integer and the value crossing.
    ///
    /// # Errors
    /// [`ErrorCode::ReadOnly`] for a map opened with `"r"`, and the errors of
    /// [`Memmap::item_flat`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r+", Some(&[3, 4]))?;
    /// a.set_item_flat(5, 2.5)?; // a.flat[5] = 2.5
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn set_item_flat<T: Element>(&self, flat: i64, value: T) -> Result<()> {
        self.check_kind::<T>("write")?;
        Ok(self.handle().set_item_flat(flat, types::Scalar::from(value.into_scalar()))?)
    }
}

/// The host's scalar as a `T`, which the caller checked is the array's kind.
fn scalar_as<T: Element>(value: types::Scalar) -> Result<T> {
    T::from_scalar(Scalar::from(value))
        .ok_or_else(|| Error::new(ErrorCode::Mismatch, "the host sent a value of another kind"))
}
