//! numpy's integer-array indexing: many scattered elements in one host call ([`Memmap::take`],
//! [`Memmap::put`] and their per-axis forms).

use crate::bindings::wasm_memmap::array::types;
use crate::element::Element;
use crate::error::{Error, ErrorCode, Result};
use crate::memmap::Memmap;

impl Memmap {
    /// The elements at flat positions `indices` (C order), like `a.flat[indices]` or
    /// `np.take(a, indices)`: a copy, in the order of `indices` (an index may repeat; negatives
    /// count from the end). One host call, the data crossing once as native-order bytes.
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `T` is not the array's kind; [`ErrorCode::IndexOutOfBounds`]
    /// with numpy's message ("index 12 is out of bounds for size 12"); the host's transfer limit
    /// (the elements, and 8 bytes per index).
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r", Some(&[3, 4]))?;
    /// // a.flat[[0, 5, -1]]
    /// let picked: Vec<f64> = a.take(&[0, 5, -1])?;
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn take<T: Element>(&self, indices: &[i64]) -> Result<Vec<T>> {
        self.take_with(types::Indices::Flat(indices))
    }

    /// numpy's indexing with one integer array per leading axis, `a[indices[0], indices[1], ...]`:
    /// `a[[i, j], [k, l]]` is `a.take_axes(&[&[i, j], &[k, l]])`, the elements `(i, k)` and `(j,
    /// l)`; with fewer arrays than axes each position keeps the other axes whole, so
    /// `a.take_axes(&[&[i, j, k]])` is `a[[i, j, k]]`, three rows of a 2-D array. The elements
    /// come in C order of the result, whose shape is `[n]` followed by the axes not indexed.
    ///
    /// # Errors
    /// As [`Memmap::take`], with numpy's messages and its `IndexError`s as
    /// [`ErrorCode::IndexOutOfBounds`]: "index 5 is out of bounds for axis 1 with size 5", arrays
    /// of different lengths other than 1, which broadcasts as in numpy ("shape mismatch: indexing arrays could not be broadcast together with
    /// shapes (2,) (3,) "), more arrays than axes ("too many indices for array: array is
    /// 2-dimensional, but 3 were indexed"); no arrays at all is [`ErrorCode::InvalidArgument`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r", Some(&[3, 4]))?;
    /// let diagonal: Vec<f64> = a.take_axes(&[&[0, 1, 2], &[0, 1, 2]])?; // a[[0, 1, 2], [0, 1, 2]]
    /// let rows: Vec<f64> = a.take_axes(&[&[2, 0]])?; // a[[2, 0]]: 8 values
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn take_axes<T: Element>(&self, indices: &[&[i64]]) -> Result<Vec<T>> {
        self.take_with(types::Indices::PerAxis(indices))
    }

    fn take_with<T: Element>(&self, indices: types::Indices<'_>) -> Result<Vec<T>> {
        self.check_kind::<T>("read")?;
        let bytes = self.handle().take(indices)?;
        T::from_native_vec(bytes).ok_or_else(Error::torn)
    }

    /// `np.put(a, indices, values)`: `values[i % len(values)]` goes to flat position `indices[i]`
    /// (C order; negatives count from the end), so a short `values` repeats and a long one is cut;
    /// with no values nothing is written, as numpy does. A position given twice keeps the last
    /// value. Nothing is written unless every index is in range. One host call, the data crossing
    /// once as the slice's bytes (a repeated `values` is spelled out first).
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `T` is not the array's kind; [`ErrorCode::ReadOnly`] for a
    /// map opened with `"r"`; [`ErrorCode::IndexOutOfBounds`] ("index 12 is out of bounds for
    /// size 12"); the host's transfer limit.
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r+", Some(&[3, 4]))?;
    /// a.put(&[0, 5, -1], &[1.5, 2.5, 3.5])?; // np.put(a, [0, 5, -1], [1.5, 2.5, 3.5])
    /// a.put(&[1, 2, 3], &[0.0])?; // a.flat[[1, 2, 3]] = 0
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn put<T: Element>(&self, indices: &[i64], values: &[T]) -> Result<()> {
        self.check_kind::<T>("write")?;
        let flat = types::Indices::Flat(indices);
        let bytes = T::native_bytes(values);
        match values.len() {
            // numpy writes nothing, yet refuses a read-only array: an empty put asks the host.
            0 => Ok(self.handle().put(types::Indices::Flat(&[]), &[], None)?),
            // One value broadcasts, with nothing spelled out.
            1 => Ok(self.handle().put(flat, bytes, Some(&[1]))?),
            n if n >= indices.len() => Ok(self.handle().put(flat, &bytes[..indices.len() * size_of::<T>()], None)?),
            _ => {
                let len = indices.len().checked_mul(size_of::<T>()).ok_or_else(|| {
                    Error::new(ErrorCode::Overflow, format!("{} values do not fit in memory", indices.len()))
                })?;
                let repeated: Vec<u8> = bytes.iter().copied().cycle().take(len).collect();
                Ok(self.handle().put(flat, &repeated, None)?)
            }
        }
    }

    /// `a[indices[0], indices[1], ...] = values` with one integer array per leading axis (see
    /// [`Memmap::take_axes`] for the selection): `values` has `values_shape` (`None`: the
    /// selection's own shape) and broadcasts to the selection by numpy's rules, so `Some(&[])`
    /// with one value fills every position. A position given twice keeps the last value.
    ///
    /// # Errors
    /// As [`Memmap::take_axes`] and [`Memmap::put`], and numpy's broadcasting message;
    /// [`ErrorCode::Mismatch`] when `values` does not hold the elements of its shape.
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r+", Some(&[3, 4]))?;
    /// a.put_axes(&[&[0, 2], &[1, 3]], &[7.0, 8.0], None)?; // a[[0, 2], [1, 3]] = [7, 8]
    /// a.put_axes(&[&[1]], &[0.0], Some(&[]))?; // a[[1]] = 0: the whole row
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn put_axes<T: Element>(&self, indices: &[&[i64]], values: &[T], values_shape: Option<&[u64]>) -> Result<()> {
        self.check_kind::<T>("write")?;
        Ok(self.handle().put(types::Indices::PerAxis(indices), T::native_bytes(values), values_shape)?)
    }
}
