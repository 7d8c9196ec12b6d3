//! Reductions the host computes natively on the mapping: no element crosses into the plugin, so a
//! full scan of a large file runs at the speed of native code.

use crate::error::Result;
use crate::memmap::Memmap;

impl Memmap {
    /// The sum of all elements, like `a.sum()`: numpy's pairwise summation run by the host on the
    /// mapping, so for a contiguous or one-dimensional `float64` array the result has numpy's exact
    /// bits (other views agree to rounding). 0 for an empty array. Take a [`view`](Memmap::view)
    /// first to sum a selection.
    ///
    /// The result is always an `f64`: for integer, `bool`, `float16` and `float32` arrays it is
    /// numpy's `a.sum(dtype=np.float64)`, each element widened to `float64` before it is added,
    /// not `a.sum()`, which would add `float32` values in `float32` (and integers as integers).
    /// [`Memmap::mean`] is `a.mean(dtype=np.float64)` likewise. The end-to-end tests compare both
    /// with numpy's (`tests/tests/components/reduce.rs`).
    ///
    /// # Errors
    /// [`ErrorCode::InvalidArgument`](crate::ErrorCode::InvalidArgument) for a complex array;
    /// [`ErrorCode::Io`](crate::ErrorCode::Io) when the file was truncated under the map.
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::{s, Memmap};
    /// let a = Memmap::open("mymmap", "float64", "r", Some(&[10000, 10000]))?;
    /// let total = a.sum()?;
    /// let first_column = a.view(s![.., 0])?.sum()?;
    /// // A float32 array sums in float64, like a.sum(dtype=np.float64):
    /// let b = Memmap::open("float32.bin", "float32", "r", None)?;
    /// let total: f64 = b.sum()?;
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn sum(&self) -> Result<f64> {
        Ok(self.handle().sum(&[])?)
    }

    /// The smallest element, like `a.min()`; NaN if any element is NaN.
    ///
    /// # Errors
    /// [`ErrorCode::InvalidArgument`](crate::ErrorCode::InvalidArgument) for an empty or complex
    /// array (numpy: "zero-size array to reduction operation minimum which has no identity").
    pub fn min(&self) -> Result<f64> {
        Ok(self.handle().min(&[])?)
    }

    /// The largest element, like `a.max()`; NaN if any element is NaN.
    ///
    /// # Errors
    /// As [`Memmap::min`].
    pub fn max(&self) -> Result<f64> {
        Ok(self.handle().max(&[])?)
    }

    /// The mean, like `a.mean()`: [`Memmap::sum`] divided by the number of elements; NaN for an
    /// empty array.
    ///
    /// # Errors
    /// As [`Memmap::sum`].
    pub fn mean(&self) -> Result<f64> {
        Ok(self.handle().mean(&[])?)
    }
}
