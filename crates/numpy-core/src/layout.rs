//! Shapes, strides and numpy basic indexing, in overflow-checked arithmetic.
//!
//! A [`Layout`] says where each element of an array (or of a view of it) lies in the mapped bytes:
//! element `[i0, i1, ...]` starts at byte `first + i0 * strides[0] + i1 * strides[1] + ...`. Every
//! number a guest sends passes through checked arithmetic here before it touches memory.

use crate::error::Error;
use crate::index::{Index, Slice};
use crate::mode::Order;

mod integer;
pub use integer::{IntegerIndices, Taken};

/// numpy's `NPY_MAXDIMS`: the most axes an array may have.
pub const MAX_DIMS: usize = 64;

/// The longest index list numpy's basic indexing can accept: at most [`MAX_DIMS`] integers and
/// slices (one per axis), at most [`MAX_DIMS`] new axes (the result has at most [`MAX_DIMS`] axes,
/// so new axes number at most `MAX_DIMS - ndim + integers`, and integers at most `ndim`), and one
/// ellipsis. A longer list always breaks one of [`Layout::view`]'s first checks, which count
/// without allocating, so it is refused with numpy's message before anything is built.
pub const MAX_INDEX_LEN: usize = 2 * MAX_DIMS + 1;

/// Refuses more than [`MAX_DIMS`] axes with numpy's message (`ValueError: maximum supported
/// dimension for an ndarray is currently 64, found 100`): the first check of every call that takes
/// a shape, so nothing is copied or formatted from a longer one.
///
/// # Errors
/// `invalid-argument` naming the count.
pub fn check_ndim(ndim: usize) -> Result<(), Error> {
    if ndim > MAX_DIMS {
        return Err(Error::invalid(format!(
            "maximum supported dimension for an ndarray is currently {MAX_DIMS}, found {ndim}"
        )));
    }
    Ok(())
}

/// The largest byte count or file offset the host accepts: file offsets are `off_t` (`i64`), and a
/// mapping must fit in `isize`.
pub const MAX_BYTES: u64 = i64::MAX.unsigned_abs();

/// numpy's message for a shape whose byte size does not fit.
pub(crate) const TOO_BIG: &str =
    "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.";

/// Where the elements of an array or view lie in its mapping's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    shape: Vec<u64>,
    strides: Vec<i64>,
    /// Byte offset of element `[0, 0, ...]`; meaningful only when no axis has length 0.
    first: u64,
    itemsize: u64,
}

/// A shape as Python prints a tuple (`str(a.shape)`): `(5, 10)`, `(3,)`, `()`.
///
/// # Examples
/// ```
/// use wasm_memmap_numpy_core::shape_str;
/// assert_eq!(shape_str(&[5, 10000]), "(5, 10000)");
/// assert_eq!(shape_str(&[5]), "(5,)");
/// assert_eq!(shape_str::<u64>(&[]), "()");
/// ```
pub fn shape_str<N: core::fmt::Display>(shape: &[N]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
    }
}

/// numpy's compact form in broadcast errors: `(5,10)`, `(3,)`.
fn shape_str_compact(shape: &[u64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(u64::to_string).collect::<Vec<_>>().join(",")),
    }
}

/// The number of elements of `shape`, or `None` when it does not fit in a `u64`.
pub fn element_count(shape: &[u64]) -> Option<u64> {
    shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d))
}

/// Checks that `shape` describes an array of at most [`MAX_BYTES`] bytes and [`MAX_DIMS`] axes;
/// returns its element count and byte size.
pub fn check_shape(shape: &[u64], itemsize: u64) -> Result<(u64, u64), Error> {
    check_ndim(shape.len())?;
    let exact: u128 =
        shape.iter().map(|&d| u128::from(d)).try_fold(u128::from(itemsize), u128::checked_mul).unwrap_or(u128::MAX);
    let bytes = u64::try_from(exact).ok().filter(|&b| b <= MAX_BYTES);
    match (element_count(shape), bytes) {
        (Some(count), Some(bytes)) => Ok((count, bytes)),
        _ => Err(Error::overflow(format!(
            "{TOO_BIG} (shape {} with itemsize {itemsize} needs {} bytes; the maximum is {MAX_BYTES})",
            shape_str(shape),
            if exact == u128::MAX { "more than 2**128".to_string() } else { exact.to_string() },
        ))),
    }
}

impl Layout {
    /// The layout of a whole array of `shape` laid out in `order` from byte 0, like the strides
    /// `np.ndarray(shape, dtype, order=order)` gets. The caller has checked the shape with
    /// [`check_shape`].
    pub fn contiguous(shape: &[u64], itemsize: u64, order: Order) -> Result<Self, Error> {
        let mut strides = vec![0i64; shape.len()];
        let mut step = i64::try_from(itemsize).map_err(|_| Error::overflow(TOO_BIG))?;
        let mut fill = |axis: usize| -> Result<(), Error> {
            strides[axis] = step;
            // numpy skips zero-length axes when it computes strides (they hold no elements).
            let d = i64::try_from(shape[axis].max(1)).map_err(|_| Error::overflow(TOO_BIG))?;
            step = step.checked_mul(d).ok_or_else(|| Error::overflow(TOO_BIG))?;
            Ok(())
        };
        match order {
            Order::C => (0..shape.len()).rev().try_for_each(&mut fill)?,
            Order::Fortran => (0..shape.len()).try_for_each(&mut fill)?,
        }
        Ok(Self { shape: shape.to_vec(), strides, first: 0, itemsize })
    }

    /// The shape, `a.shape`.
    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    /// The strides in bytes, `a.strides` (negative for a reversed axis, 0 for a new one).
    pub fn strides(&self) -> &[i64] {
        &self.strides
    }

    /// Bytes per element, `a.itemsize`.
    pub fn itemsize(&self) -> u64 {
        self.itemsize
    }

    /// The number of elements. Views never hold more elements than the array they come from, whose
    /// count was checked when it was opened.
    pub fn size(&self) -> u64 {
        element_count(&self.shape).unwrap_or(u64::MAX)
    }

    /// The view `a[index]` by numpy's basic indexing.
    ///
    /// # Errors
    /// numpy's `IndexError`s (an index out of bounds, too many indices, more than one ellipsis, too
    /// many axes) and `ValueError` for a zero slice step, with numpy's messages.
    pub fn view<'a, I>(&self, index: &'a [I]) -> Result<Self, Error>
    where
        &'a I: Into<Index>,
    {
        // Converted item by item wherever the list is walked, so nothing is allocated before the
        // checks below have bounded its length.
        let items_of = || index.iter().map(Into::<Index>::into);
        let ellipses = items_of().filter(|i| matches!(i, Index::Ellipsis)).count();
        if ellipses > 1 {
            return Err(Error::index("an index can only have a single ellipsis ('...')"));
        }
        let consumed = items_of().filter(|i| matches!(i, Index::At(_) | Index::Slice(_))).count();
        if consumed > self.shape.len() {
            return Err(Error::index(format!(
                "too many indices for array: array is {}-dimensional, but {consumed} were indexed",
                self.shape.len()
            )));
        }
        let new_axes = items_of().filter(|i| matches!(i, Index::NewAxis)).count();
        let result_dims = self.shape.len() - items_of().filter(|i| matches!(i, Index::At(_))).count() + new_axes;
        if result_dims > MAX_DIMS {
            return Err(Error::index(format!(
                "number of dimensions must be within [0, {MAX_DIMS}], indexing result would have {result_dims}"
            )));
        }
        // The three checks above bound the list (see `MAX_INDEX_LEN`): what follows allocates in
        // proportion to it.
        debug_assert!(index.len() <= MAX_INDEX_LEN);
        // Each axis of the result, in order, with the ellipsis (or the missing tail) spelled out.
        #[derive(Clone)]
        enum Item {
            At(i64),
            Slice(Slice),
            NewAxis,
        }
        const FULL: Slice = Slice { start: None, stop: None, step: None };
        let fill = self.shape.len() - consumed;
        let mut items: Vec<Item> = Vec::with_capacity(index.len() + fill);
        for item in items_of() {
            match item {
                Index::At(i) => items.push(Item::At(i)),
                Index::Slice(s) => items.push(Item::Slice(s)),
                Index::NewAxis => items.push(Item::NewAxis),
                Index::Ellipsis => items.extend(std::iter::repeat_n(Item::Slice(FULL), fill)),
            }
        }
        if ellipses == 0 {
            items.extend(std::iter::repeat_n(Item::Slice(FULL), fill));
        }

        let mut shape = Vec::with_capacity(result_dims);
        let mut strides = Vec::with_capacity(result_dims);
        let mut first = i128::from(self.first);
        let mut empty = false;
        let mut axis = 0;
        for item in items {
            match item {
                Item::At(i) => {
                    let pos = normalize_index(i, self.shape[axis], axis)?;
                    first += i128::from(pos) * i128::from(self.strides[axis]);
                    axis += 1;
                }
                Item::Slice(s) => {
                    let (start, count, step) = adjust_slice(&s, self.shape[axis])?;
                    let stride = i128::from(self.strides[axis]);
                    if count > 0 {
                        first += start * stride;
                    } else {
                        empty = true;
                    }
                    shape.push(count);
                    // Between two taken elements the product fits (it is less than the array's byte
                    // size); it can overflow only for a single element, whose stride is never used.
                    strides.push(i64::try_from(stride * i128::from(step)).unwrap_or(0));
                    axis += 1;
                }
                Item::NewAxis => {
                    shape.push(1);
                    strides.push(0);
                }
            }
        }
        let first = if empty || self.shape.contains(&0) {
            self.first
        } else {
            u64::try_from(first).map_err(|_| Error::overflow(format!("view offset {first} is outside the mapping")))?
        };
        Ok(Self { shape, strides, first, itemsize: self.itemsize })
    }

    /// The view `np.transpose(a, axes)`: axis `i` of the result is axis `axes[i]` of this layout
    /// (negative values count from the end); `a.T` is `axes` = `[n-1, ..., 0]`. Only shape and
    /// strides move, so the view covers exactly the bytes this one does.
    ///
    /// # Errors
    /// numpy's: "axes don't match array" (`ValueError`) for the wrong count, "axis 3 is out of bounds
    /// for array of dimension 2" (`AxisError`, an `IndexError`), "repeated axis in transpose".
    pub fn permute(&self, axes: &[i64]) -> Result<Self, Error> {
        let ndim = self.shape.len();
        if axes.len() != ndim {
            return Err(Error::invalid("axes don't match array"));
        }
        let mut seen = vec![false; ndim];
        let mut shape = Vec::with_capacity(ndim);
        let mut strides = Vec::with_capacity(ndim);
        for &axis in axes {
            let out_of_bounds = || Error::index(format!("axis {axis} is out of bounds for array of dimension {ndim}"));
            let n = i64::try_from(ndim).map_err(|_| out_of_bounds())?;
            let pos = if axis < 0 { axis.checked_add(n) } else { Some(axis) };
            let pos = pos.filter(|p| (0..n).contains(p)).ok_or_else(out_of_bounds)?;
            let pos = usize::try_from(pos).map_err(|_| out_of_bounds())?;
            if std::mem::replace(&mut seen[pos], true) {
                return Err(Error::invalid("repeated axis in transpose"));
            }
            shape.push(self.shape[pos]);
            strides.push(self.strides[pos]);
        }
        Ok(Self { shape, strides, first: self.first, itemsize: self.itemsize })
    }

    /// `a.T`: the axes in reverse order.
    pub fn transposed(&self) -> Self {
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape.reverse();
        strides.reverse();
        Self { shape, strides, first: self.first, itemsize: self.itemsize }
    }

    /// The byte range `[lowest, highest + itemsize)` the elements cover, or `None` when empty.
    #[cfg(test)]
    pub(crate) fn extent(&self) -> Option<(u64, u64)> {
        if self.shape.contains(&0) {
            return None;
        }
        let mut lo = i128::from(self.first);
        let mut hi = lo;
        for (&d, &s) in self.shape.iter().zip(&self.strides) {
            let reach = i128::from(d - 1) * i128::from(s);
            if reach < 0 { lo += reach } else { hi += reach }
        }
        Some((u64::try_from(lo).ok()?, u64::try_from(hi + i128::from(self.itemsize)).ok()?))
    }

    /// Calls `each` for each [`Stretch`] of elements that sits at a fixed stride both in the
    /// mapping and in a buffer laid out with `buffer_strides` (bytes, one per axis; 0 repeats along
    /// an axis), in C order of the layout (numpy's `nditer` with `external_loop`, which hands out
    /// the same inner loops). Adjacent axes that line up in both are merged, so a contiguous
    /// selection of a contiguous array is one stretch.
    ///
    /// # Errors
    /// The first error `each` returns, and [`ErrorCode::Overflow`](crate::ErrorCode::Overflow)
    /// should an offset fall below byte 0 (a layout this crate made never does).
    pub fn for_each_stretch<E: From<Error>>(
        &self,
        buffer_strides: &[i64],
        mut each: impl FnMut(Stretch) -> Result<(), E>,
    ) -> Result<(), E> {
        debug_assert_eq!(buffer_strides.len(), self.shape.len());
        if self.shape.contains(&0) {
            return Ok(());
        }
        // (length, mapping stride, buffer stride), dropping length-1 axes and merging aligned ones.
        let mut dims: Vec<(u64, i64, i64)> = Vec::with_capacity(self.shape.len());
        for ((&d, &a), &b) in self.shape.iter().zip(&self.strides).zip(buffer_strides) {
            if d == 1 {
                continue;
            }
            if let Some(last) = dims.last_mut() {
                let merges = |outer: i64, inner: i64| i128::from(outer) == i128::from(inner) * i128::from(d);
                if merges(last.1, a) && merges(last.2, b) {
                    *last = (last.0 * d, a, b);
                    continue;
                }
            }
            dims.push((d, a, b));
        }
        let (count, array_stride, buffer_stride) = dims.pop().unwrap_or((1, 0, 0));
        let mut idx = vec![0u64; dims.len()];
        let mut a_off = i128::from(self.first);
        let mut b_off = 0i128;
        loop {
            let offset =
                |v: i128| u64::try_from(v).map_err(|_| Error::overflow(format!("byte offset {v} is negative")));
            each(Stretch {
                array_offset: offset(a_off)?,
                buffer_offset: offset(b_off)?,
                count,
                array_stride,
                buffer_stride,
            })?;
            // Odometer over the outer axes, last one fastest.
            let mut k = dims.len();
            loop {
                if k == 0 {
                    return Ok(());
                }
                k -= 1;
                let (d, a, b) = dims[k];
                idx[k] += 1;
                a_off += i128::from(a);
                b_off += i128::from(b);
                if idx[k] < d {
                    break;
                }
                a_off -= i128::from(a) * i128::from(d);
                b_off -= i128::from(b) * i128::from(d);
                idx[k] = 0;
            }
        }
    }
}

/// A stretch of `count` elements at a fixed stride, both in the mapping and in a buffer, for
/// [`Layout::for_each_stretch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    /// Byte offset of the first element in the mapping.
    pub array_offset: u64,
    /// Byte offset of the first element in the buffer.
    pub buffer_offset: u64,
    /// How many elements.
    pub count: u64,
    /// Bytes from one element to the next in the mapping.
    pub array_stride: i64,
    /// Bytes from one element to the next in the buffer.
    pub buffer_stride: i64,
}

/// A Python integer index on an axis of length `len`, negatives from the end.
fn normalize_index(i: i64, len: u64, axis: usize) -> Result<u64, Error> {
    let pos = if i < 0 { i128::from(len) + i128::from(i) } else { i128::from(i) };
    u64::try_from(pos)
        .ok()
        .filter(|&p| p < len)
        .ok_or_else(|| Error::index(format!("index {i} is out of bounds for axis {axis} with size {len}")))
}

/// Python's `slice.indices(len)`: the first position, the number of positions and the step.
fn adjust_slice(s: &Slice, len: u64) -> Result<(i128, u64, i64), Error> {
    let step = s.step.unwrap_or(1);
    if step == 0 {
        return Err(Error::invalid("slice step cannot be zero"));
    }
    let n = i128::from(len);
    let (lower, upper) = if step < 0 { (-1, n - 1) } else { (0, n) };
    let clip = |v: Option<i64>, default: i128| match v {
        None => default,
        Some(v) if v < 0 => (i128::from(v) + n).max(lower),
        Some(v) => i128::from(v).min(upper),
    };
    let (start, stop) = if step < 0 {
        (clip(s.start, upper), clip(s.stop, lower))
    } else {
        (clip(s.start, lower), clip(s.stop, upper))
    };
    let step_n = i128::from(step);
    let count = if step < 0 {
        if stop < start { (start - stop - 1) / -step_n + 1 } else { 0 }
    } else if start < stop {
        (stop - start - 1) / step_n + 1
    } else {
        0
    };
    // `count <= len`, so it fits.
    Ok((start, u64::try_from(count).unwrap_or(len), step))
}

/// Buffer strides (bytes) that spread a C-ordered buffer of `data_shape` over `target` by numpy's
/// broadcasting rules: axes are matched from the right, and a data axis of length 1 repeats.
///
/// # Errors
/// numpy's "could not broadcast input array from shape (3,) into shape (5,10)".
pub fn broadcast_strides(data_shape: &[u64], target: &[u64], itemsize: u64) -> Result<Vec<i64>, Error> {
    let fail = || {
        Error::mismatch(format!(
            "could not broadcast input array from shape {} into shape {}",
            shape_str_compact(data_shape),
            shape_str_compact(target)
        ))
    };
    check_ndim(data_shape.len())?;
    if target.is_empty() && !data_shape.is_empty() {
        // One element takes one value (numpy deprecated converting size-1 arrays and refuses others).
        return Err(Error::mismatch("setting an array element with a sequence."));
    }
    let extra = data_shape.len().saturating_sub(target.len());
    if data_shape[..extra].iter().any(|&d| d != 1) {
        return Err(fail());
    }
    let data = &data_shape[extra..];
    let lead = target.len() - data.len();
    let mut strides = vec![0i64; target.len()];
    let mut step = i64::try_from(itemsize).map_err(|_| fail())?;
    for (k, &d) in data.iter().enumerate().rev() {
        let t = target[lead + k];
        if d == t && d != 1 {
            strides[lead + k] = step;
            step = step.checked_mul(i64::try_from(d).map_err(|_| fail())?).ok_or_else(fail)?;
        } else if d != 1 {
            return Err(fail());
        }
    }
    Ok(strides)
}

impl Layout {
    /// The byte offset of the element `a.item(*at)` names, without allocating: one index per axis
    /// (negatives from the end), else a single index into the array flattened in C order, or none
    /// for an array of one element, as numpy's `ndarray.item` takes them.
    ///
    /// # Errors
    /// numpy's: `IndexError` "index 3 is out of bounds for axis 0 with size 3" / "index 12 is out of
    /// bounds for size 12"; `ValueError` "incorrect number of indices for array" and "can only
    /// convert an array of size 1 to a Python scalar".
    pub fn item_offset(&self, at: &[i64]) -> Result<u64, Error> {
        let ndim = self.shape.len();
        let mut offset = i128::from(self.first);
        match at {
            _ if at.len() == ndim => {
                for (axis, &i) in at.iter().enumerate() {
                    let pos = normalize_index(i, self.shape[axis], axis)?;
                    offset += i128::from(pos) * i128::from(self.strides[axis]);
                }
            }
            [] => {
                if self.size() != 1 {
                    return Err(Error::invalid("can only convert an array of size 1 to a Python scalar"));
                }
            }
            [flat] => return self.flat_offset(*flat),
            _ => return Err(Error::invalid("incorrect number of indices for array")),
        }
        u64::try_from(offset).map_err(|_| Error::overflow(format!("element offset {offset} is outside the mapping")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(i: i64) -> Index {
        Index::At(i)
    }
    fn sl(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Index {
        Index::Slice(Slice { start, stop, step })
    }
    fn offsets(l: &Layout) -> Vec<u64> {
        let mut out = Vec::new();
        let c = Layout::contiguous(l.shape(), l.itemsize, Order::C).unwrap();
        l.for_each_stretch::<Error>(c.strides(), |r| {
            for j in 0..r.count {
                let off = i128::from(r.array_offset) + i128::from(j) * i128::from(r.array_stride);
                out.push(u64::try_from(off).unwrap());
            }
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn slices_follow_python_indices() {
        // Expected positions written out from Python's `range(10)[s]`.
        let cases: &[(Index, &[u64])] = &[
            (sl(None, Some(5), None), &[0, 1, 2, 3, 4]),
            (sl(None, None, Some(-3)), &[9, 6, 3, 0]),
            (sl(Some(-2), None, None), &[8, 9]),
            (sl(Some(8), Some(2), Some(-2)), &[8, 6, 4]),
            (sl(Some(100), None, Some(-4)), &[9, 5, 1]),
            (sl(Some(-100), Some(3), None), &[0, 1, 2]),
            (sl(Some(5), Some(5), None), &[]),
            (sl(Some(i64::MIN), Some(i64::MAX), Some(i64::MAX)), &[0]),
            (sl(Some(i64::MAX), Some(i64::MIN), Some(i64::MIN)), &[9]),
        ];
        let base = Layout::contiguous(&[10], 1, Order::C).unwrap();
        for (index, want) in cases {
            let v = base.view(std::slice::from_ref(index)).unwrap();
            assert_eq!(offsets(&v), *want, "{index:?}");
        }
    }

    #[test]
    fn integer_index_errors_match_numpy() {
        let base = Layout::contiguous(&[5, 10], 8, Order::C).unwrap();
        let e = base.view(&[sl(None, None, None), at(12)]).unwrap_err();
        assert_eq!(e.message(), "index 12 is out of bounds for axis 1 with size 10");
        let e = base.view(&[at(-6)]).unwrap_err();
        assert_eq!(e.message(), "index -6 is out of bounds for axis 0 with size 5");
        let e = base.view(&[at(0), at(0), at(0)]).unwrap_err();
        assert_eq!(e.message(), "too many indices for array: array is 2-dimensional, but 3 were indexed");
        let e = base.view(&[Index::Ellipsis, Index::Ellipsis]).unwrap_err();
        assert_eq!(e.message(), "an index can only have a single ellipsis ('...')");
        let e = base.view(&[sl(None, None, Some(0))]).unwrap_err();
        assert_eq!(e.message(), "slice step cannot be zero");
    }

    #[test]
    fn transposed_views_address_the_same_elements() {
        // Element [i, j, k] of a.T is element [k, j, i] of a, and it covers the same bytes.
        let base = Layout::contiguous(&[2, 3, 4], 8, Order::C).unwrap();
        let v = base.view(&[sl(None, None, Some(-1)), Index::Ellipsis, sl(Some(1), None, Some(2))]).unwrap();
        let t = v.transposed();
        assert_eq!(t.shape(), &[2, 3, 2]);
        let (vo, to) = (offsets(&v), offsets(&t));
        let (sh, st) = (v.shape().to_vec(), t.shape().to_vec());
        let flat =
            |idx: [u64; 3], shape: &[u64]| usize::try_from((idx[0] * shape[1] + idx[1]) * shape[2] + idx[2]).unwrap();
        for i in 0..st[0] {
            for j in 0..st[1] {
                for k in 0..st[2] {
                    assert_eq!(to[flat([i, j, k], &st)], vo[flat([k, j, i], &sh)]);
                }
            }
        }
        assert_eq!(t.extent(), v.extent());
        assert_eq!(t.transposed(), v);
        assert_eq!(v.permute(&[2, 1, 0]).unwrap(), t);
        assert_eq!(v.permute(&[-3, -2, -1]).unwrap(), v);
        let p = v.permute(&[1, -1, 0]).unwrap();
        assert_eq!((p.shape(), p.strides()), (&[3, 2, 2][..], &[v.strides()[1], v.strides()[2], v.strides()[0]][..]));
    }

    #[test]
    fn bad_axes_get_numpys_errors() {
        let base = Layout::contiguous(&[2, 3], 1, Order::C).unwrap();
        let err = |axes: &[i64]| base.permute(axes).unwrap_err().message().to_owned();
        assert_eq!(err(&[0]), "axes don't match array");
        assert_eq!(err(&[0, 2]), "axis 2 is out of bounds for array of dimension 2");
        assert_eq!(err(&[i64::MIN, 0]), format!("axis {} is out of bounds for array of dimension 2", i64::MIN));
        assert_eq!(err(&[1, -1]), "repeated axis in transpose");
    }

    #[test]
    fn views_of_views_stay_inside_the_parent() {
        let base = Layout::contiguous(&[7, 9, 4], 8, Order::Fortran).unwrap();
        let (lo, hi) = base.extent().unwrap();
        assert_eq!((lo, hi), (0, 7 * 9 * 4 * 8));
        let v = base.view(&[sl(Some(-1), None, Some(-2)), Index::Ellipsis, at(-1)]).unwrap();
        assert_eq!(v.shape(), &[4, 9]);
        let w = v.view(&[Index::NewAxis, sl(None, None, Some(-3)), sl(Some(2), Some(8), Some(3))]).unwrap();
        assert_eq!(w.shape(), &[1, 2, 2]);
        let all: std::collections::BTreeSet<u64> = offsets(&base).into_iter().collect();
        for off in offsets(&w) {
            assert!(all.contains(&off), "{off} not an element of the parent");
        }
        assert!(w.extent().unwrap().1 <= hi);
    }

    #[test]
    fn contiguous_stretches_merge_into_one_copy() {
        let base = Layout::contiguous(&[10, 20, 30], 8, Order::C).unwrap();
        let v = base.view(&[sl(Some(2), Some(5), None)]).unwrap();
        let c = Layout::contiguous(v.shape(), 8, Order::C).unwrap();
        let mut stretches = Vec::new();
        v.for_each_stretch::<Error>(c.strides(), |r| {
            stretches.push(r);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            stretches,
            vec![Stretch {
                array_offset: 2 * 600 * 8,
                buffer_offset: 0,
                count: 3 * 600,
                array_stride: 8,
                buffer_stride: 8
            }]
        );
    }

    #[test]
    fn byte_sizes_that_overflow_are_refused() {
        let e = check_shape(&[1 << 62, 4], 8).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::Overflow);
        assert!(e.message().starts_with(TOO_BIG), "{}", e.message());
        assert!(e.message().contains("147573952589676412928 bytes"), "{}", e.message());
        assert!(check_shape(&[u64::MAX, u64::MAX, 2], 16).is_err());
        assert_eq!(check_shape(&[0, u64::MAX], 8).unwrap(), (0, 0));
    }

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast_strides(&[10], &[5, 10], 8).unwrap(), vec![0, 8]);
        assert_eq!(broadcast_strides(&[1], &[5, 10], 8).unwrap(), vec![0, 0]);
        assert_eq!(broadcast_strides(&[1, 1, 10], &[5, 10], 8).unwrap(), vec![0, 8]);
        assert_eq!(broadcast_strides(&[5, 1], &[5, 10], 8).unwrap(), vec![8, 0]);
        let e = broadcast_strides(&[3], &[5, 10], 8).unwrap_err();
        assert_eq!(e.message(), "could not broadcast input array from shape (3,) into shape (5,10)");
        let e = broadcast_strides(&[2, 1, 10], &[5, 10], 8).unwrap_err();
        assert_eq!(e.message(), "could not broadcast input array from shape (2,1,10) into shape (5,10)");
        assert_eq!(broadcast_strides(&[], &[], 8).unwrap(), Vec::<i64>::new());
        let e = broadcast_strides(&[3], &[], 8).unwrap_err();
        assert_eq!(e.message(), "setting an array element with a sequence.");
        let e = broadcast_strides(&[1; 65], &[5], 8).unwrap_err();
        assert_eq!(e.message(), "maximum supported dimension for an ndarray is currently 64, found 65");
    }

    /// Every index list longer than `MAX_INDEX_LEN` is refused by a counting check, whatever it
    /// holds and whatever the array's dimension; the longest lists that pass are exactly that long.
    #[test]
    fn index_lists_past_the_bound_are_refused_before_anything_is_built() {
        let kinds = [at(0), sl(None, None, None), Index::Ellipsis, Index::NewAxis];
        for ndim in [0usize, 1, 3, MAX_DIMS] {
            let base = Layout::contiguous(&vec![1; ndim], 8, Order::C).unwrap();
            for first in &kinds {
                for rest in &kinds {
                    let mut index = vec![*first; MAX_INDEX_LEN / 2 + 1];
                    index.resize(MAX_INDEX_LEN + 1, *rest);
                    assert!(base.view(&index).is_err(), "ndim {ndim}: {first:?} then {rest:?}");
                }
            }
            // The longest valid list: ndim integers (removing every axis), 64 new axes, one ellipsis.
            let mut longest = vec![at(0); ndim];
            longest.extend(vec![Index::NewAxis; MAX_DIMS]);
            longest.push(Index::Ellipsis);
            if ndim == MAX_DIMS {
                assert_eq!(longest.len(), MAX_INDEX_LEN);
            }
            assert_eq!(base.view(&longest).unwrap().shape(), &[1; MAX_DIMS][..]);
        }
        let base = Layout::contiguous(&[5, 6, 7], 8, Order::C).unwrap();
        let e = base.view(&vec![at(0); 1 << 20]).unwrap_err();
        assert_eq!(e.message(), "too many indices for array: array is 3-dimensional, but 1048576 were indexed");
        let e = base.view(&vec![Index::NewAxis; 1 << 20]).unwrap_err();
        assert_eq!(e.message(), "number of dimensions must be within [0, 64], indexing result would have 1048579");
    }
}
