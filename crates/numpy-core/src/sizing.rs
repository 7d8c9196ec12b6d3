//! numpy's rules for sizing an `np.memmap` (`numpy/_core/memmap.py`): the shape inferred from the
//! file's length, the byte counts, the offset, and numpy's messages when they do not fit.
//!
//! Pure functions of numbers: a host that maps the file and a tool that only reads it call the
//! same rules, in the order numpy applies them.

use crate::dtype::DType;
use crate::error::Error;
use crate::layout::{Layout, MAX_BYTES, check_shape, element_count};
use crate::mode::{Mode, Order};

/// The arguments of `np.memmap(filename, dtype, mode, offset, shape, order)` that size the array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemmapArgs {
    /// `dtype`.
    pub dtype: DType,
    /// `mode`.
    pub mode: Mode,
    /// `shape`; `None` for one axis over the rest of the file.
    pub shape: Option<Vec<u64>>,
    /// `offset`, in bytes.
    pub offset: u64,
    /// `order`.
    pub order: Order,
}

impl MemmapArgs {
    /// Checks what numpy checks before it opens the file: mode `w+` needs a shape ("shape must be
    /// given if mode == 'w+'"), the offset fits in a file offset, and a given shape's size fits;
    /// returns the array's extent when the shape is given.
    ///
    /// # Errors
    /// numpy's `ValueError`s and "array is too big", and [`ErrorCode::Overflow`] for an offset or
    /// an end past [`MAX_BYTES`].
    ///
    /// [`ErrorCode::Overflow`]: crate::ErrorCode::Overflow
    pub fn check(&self) -> Result<Option<Extent>, Error> {
        if self.mode == Mode::Write && self.shape.is_none() {
            return Err(Error::invalid("shape must be given if mode == 'w+'"));
        }
        let offset = self.offset;
        if offset > MAX_BYTES {
            return Err(Error::overflow(format!("offset {offset} is larger than the maximum file offset {MAX_BYTES}")));
        }
        match &self.shape {
            Some(shape) => Extent::for_shape(shape, offset, self.dtype, self.order).map(Some),
            None => Ok(None),
        }
    }

    /// What `np.memmap` maps of a file of `file_len` bytes with these arguments, checked as numpy
    /// checks it: [`MemmapArgs::check`], then [`Extent::from_file_len`] without a shape, then
    /// [`Extent::check_file_len`] for the mode.
    ///
    /// # Errors
    /// Those three's, with numpy's messages.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_numpy_core::{DType, Kind, MemmapArgs, Mode, Order};
    /// let args = MemmapArgs { dtype: DType::native(Kind::Float64), mode: Mode::ReadOnly, shape: None, offset: 16, order: Order::C };
    /// assert_eq!(args.extent(816)?.shape(), [100]);
    /// assert_eq!(args.extent(817).unwrap_err().message(), "Size of available data is not a multiple of the data-type size.");
    /// # Ok::<(), wasm_memmap_numpy_core::Error>(())
    /// ```
    pub fn extent(&self, file_len: u64) -> Result<Extent, Error> {
        let extent = match self.check()? {
            Some(extent) => extent,
            None => Extent::from_file_len(file_len, self.offset, self.dtype, self.order)?,
        };
        extent.check_file_len(self.mode, file_len)?;
        Ok(extent)
    }
}

/// The size of an array in its file: its shape, the bytes of data, and where they end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extent {
    shape: Vec<u64>,
    itemsize: u64,
    order: Order,
    nbytes: u64,
    end: u64,
}

impl Extent {
    /// The extent of an array of `shape` whose data start at byte `offset`.
    ///
    /// # Errors
    /// [`check_shape`]'s, and [`ErrorCode::Overflow`] when `offset + nbytes` passes [`MAX_BYTES`].
    ///
    /// [`ErrorCode::Overflow`]: crate::ErrorCode::Overflow
    pub fn for_shape(shape: &[u64], offset: u64, dtype: DType, order: Order) -> Result<Self, Error> {
        let itemsize = dtype.kind().itemsize_u64();
        let (_, nbytes) = check_shape(shape, itemsize)?;
        let end = offset.checked_add(nbytes).filter(|&e| e <= MAX_BYTES).ok_or_else(|| {
            Error::overflow(format!(
                "offset {offset} + {nbytes} bytes of data is larger than the maximum file size {MAX_BYTES}"
            ))
        })?;
        Ok(Self { shape: shape.to_vec(), itemsize, order, nbytes, end })
    }

    /// Without a shape: one axis over the rest of a file of `file_len` bytes, as numpy infers it
    /// (`bytes = flen - offset; shape = (bytes // itemsize,)`).
    ///
    /// # Errors
    /// numpy's `ValueError`s: "Size of available data is not a multiple of the data-type size.",
    /// and "negative dimensions are not allowed" for an offset past the end by a multiple of the
    /// itemsize (numpy computes a negative count there; Python's `%` of it decides the message).
    pub fn from_file_len(file_len: u64, offset: u64, dtype: DType, order: Order) -> Result<Self, Error> {
        const NOT_A_MULTIPLE: &str = "Size of available data is not a multiple of the data-type size.";
        let itemsize = dtype.kind().itemsize_u64();
        let Some(available) = file_len.checked_sub(offset) else {
            let short = (offset - file_len) % itemsize;
            return Err(Error::invalid(if short == 0 {
                "negative dimensions are not allowed"
            } else {
                NOT_A_MULTIPLE
            }));
        };
        if !available.is_multiple_of(itemsize) {
            return Err(Error::invalid(NOT_A_MULTIPLE));
        }
        Self::for_shape(&[available / itemsize], offset, dtype, order)
    }

    /// Checks that a file of `file_len` bytes holds the array in a mode that does not grow the
    /// file (`r`, `c`): numpy's (Python's `mmap`'s) "cannot mmap an empty file" and "mmap length
    /// is greater than file size". Modes `r+` and `w+` grow a short file, so pass.
    ///
    /// # Errors
    /// Those two `ValueError`s.
    pub fn check_file_len(&self, mode: Mode, file_len: u64) -> Result<(), Error> {
        if mode.writes_file() {
            return Ok(());
        }
        if self.end == 0 && file_len == 0 {
            return Err(Error::invalid("cannot mmap an empty file"));
        }
        if file_len < self.end {
            return Err(Error::invalid("mmap length is greater than file size"));
        }
        Ok(())
    }

    /// The shape, `a.shape`.
    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    /// Bytes per element, `a.itemsize`.
    pub fn itemsize(&self) -> u64 {
        self.itemsize
    }

    /// The order the elements are laid out in.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Bytes of data, `a.nbytes`.
    pub fn nbytes(&self) -> u64 {
        self.nbytes
    }

    /// The file size the array needs: `offset + nbytes`.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// The number of elements, `a.size` (checked to fit when the extent was made).
    pub fn size(&self) -> u64 {
        element_count(&self.shape).unwrap_or(u64::MAX)
    }

    /// Where the elements lie in the mapped bytes (numpy's strides of a new array in
    /// [`Extent::order`]).
    ///
    /// # Errors
    /// [`Layout::contiguous`]'s (none for an extent this crate made).
    pub fn layout(&self) -> Result<Layout, Error> {
        Layout::contiguous(&self.shape, self.itemsize, self.order)
    }

    /// The file size a writing mode leaves: numpy grows a short file to [`Extent::end`] (never
    /// shrinks it) and keeps at least one byte, so that even an empty array has a file to map
    /// (numpy gh-27723).
    pub fn file_len_to_write(&self) -> u64 {
        self.end.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{TOO_BIG, check_ndim};
    use crate::{ErrorCode, Kind};

    fn args(kind: Kind, mode: Mode, shape: Option<&[u64]>, offset: u64) -> MemmapArgs {
        MemmapArgs { dtype: DType::native(kind), mode, shape: shape.map(<[u64]>::to_vec), offset, order: Order::C }
    }

    #[test]
    fn a_shape_is_inferred_from_the_file_as_numpy_does() {
        // numpy: np.memmap(f, 'float64', 'r', offset=8) of an 808-byte file has shape (100,).
        let e = args(Kind::Float64, Mode::ReadOnly, None, 8).extent(808).expect("fits");
        assert_eq!((e.shape(), e.nbytes(), e.end()), (&[100u64][..], 800, 808));
        assert_eq!(e.layout().expect("layout").strides(), [8]);
        // numpy: an offset at the end gives shape (0,), which Python's mmap then refuses as empty
        // only when the file is empty.
        assert_eq!(args(Kind::Uint8, Mode::ReadOnly, None, 4).extent(4).expect("fits").shape(), [0]);
    }

    #[test]
    fn sizes_that_do_not_fit_get_numpys_messages() {
        let msg = |a: MemmapArgs, len| a.extent(len).unwrap_err().message().to_string();
        assert_eq!(
            msg(args(Kind::Float64, Mode::ReadOnly, None, 0), 801),
            "Size of available data is not a multiple of the data-type size."
        );
        // offset past the end: -16 % 8 == 0 in Python, -15 % 8 != 0.
        assert_eq!(msg(args(Kind::Float64, Mode::ReadOnly, None, 816), 800), "negative dimensions are not allowed");
        assert_eq!(
            msg(args(Kind::Float64, Mode::ReadOnly, None, 815), 800),
            "Size of available data is not a multiple of the data-type size."
        );
        assert_eq!(msg(args(Kind::Uint8, Mode::ReadOnly, Some(&[0]), 0), 0), "cannot mmap an empty file");
        assert_eq!(msg(args(Kind::Uint8, Mode::ReadOnly, Some(&[10]), 0), 9), "mmap length is greater than file size");
        assert_eq!(msg(args(Kind::Uint8, Mode::Write, None, 0), 9), "shape must be given if mode == 'w+'");
        // A writing mode grows the file instead.
        assert_eq!(
            args(Kind::Uint8, Mode::ReadWrite, Some(&[10]), 0).extent(9).expect("grows").file_len_to_write(),
            10
        );
        assert_eq!(args(Kind::Uint8, Mode::Write, Some(&[0]), 0).extent(0).expect("grows").file_len_to_write(), 1);
    }

    #[test]
    fn sizes_past_the_largest_file_overflow() {
        let e = args(Kind::Float64, Mode::Write, Some(&[u64::MAX, 2]), 0).check().unwrap_err();
        assert_eq!(e.code(), ErrorCode::Overflow);
        assert!(e.message().starts_with(TOO_BIG), "{}", e.message());
        assert!(
            e.message().contains("(shape (18446744073709551615, 2) with itemsize 8 needs 295147905179352825840 bytes")
        );
        let e = args(Kind::Uint8, Mode::Write, Some(&[1]), MAX_BYTES).check().unwrap_err();
        assert_eq!(e.code(), ErrorCode::Overflow);
        let e = args(Kind::Uint8, Mode::ReadOnly, None, MAX_BYTES + 1).check().unwrap_err();
        assert_eq!(e.message(), format!("offset {} is larger than the maximum file offset {MAX_BYTES}", MAX_BYTES + 1));
        assert_eq!(
            check_ndim(65).unwrap_err().message(),
            "maximum supported dimension for an ndarray is currently 64, found 65"
        );
    }
}
