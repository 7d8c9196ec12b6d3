//! numpy's advanced indexing with integer arrays only (`a[[i, j]]`, `a[idx0, idx1]`, `a.flat[idx]`,
//! `np.take` / `np.put`): where each taken element or sub-array lies, with numpy's checks and
//! messages.

use super::{Layout, normalize_index, shape_str};
use crate::error::Error;

/// Integer-array indices, as the WIT's `types.indices` carries them.
#[derive(Debug, Clone, Copy)]
pub enum IntegerIndices<'a> {
    /// Positions in the array flattened in C order (`a.flat[idx]`, `np.take(a, idx)`).
    Flat(&'a [i64]),
    /// One integer array per leading axis, all of one length or of length 1, which broadcasts as
    /// in numpy (`a[idx0, idx1]`, `a[[0], [0, 1, 2]]`).
    PerAxis(&'a [Vec<i64>]),
}

/// Where the selection `a[idx]` lies: one byte offset per taken position, and the layout of the
/// axes left whole at each (none when every axis was indexed): the selection's shape is
/// `[offsets.len()]` followed by that layout's shape.
#[derive(Debug, Clone)]
pub struct Taken {
    offsets: Vec<u64>,
    rest: Layout,
}

impl Taken {
    /// The byte offset of each taken position's first element, in the order given.
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// The layout of the axes left whole (shape `[]` when every axis was indexed) at the `k`-th
    /// taken position (`k < offsets().len()`, else at the last).
    pub fn rest_at(&mut self, k: usize) -> &Layout {
        if let Some(&first) = self.offsets.get(k) {
            self.rest.first = first;
        }
        &self.rest
    }

    /// Whether every axis was indexed: each position is one element.
    pub fn is_elements(&self) -> bool {
        self.rest.shape.is_empty()
    }
}

impl IntegerIndices<'_> {
    /// How many positions the indices name (before any is checked).
    pub fn positions(&self) -> usize {
        match self {
            Self::Flat(idx) => idx.len(),
            Self::PerAxis(arrays) => broadcast_len(arrays).unwrap_or(0),
        }
    }

    /// How many integers the indices hold in all (each crosses the boundary as 8 bytes).
    pub fn integers(&self) -> u64 {
        match self {
            Self::Flat(idx) => u64::try_from(idx.len()).unwrap_or(u64::MAX),
            Self::PerAxis(arrays) => {
                arrays.iter().fold(0u64, |n, a| n.saturating_add(u64::try_from(a.len()).unwrap_or(u64::MAX)))
            }
        }
    }
}

/// The length per-axis index arrays broadcast to, as numpy broadcasts them: arrays of length 1
/// repeat their one index, every other array must have the same length (`a[[0], [0, 1, 2]]` takes
/// three elements). `None` when they cannot be broadcast (lengths 2 and 3, or 2 and 0).
fn broadcast_len(arrays: &[Vec<i64>]) -> Option<usize> {
    arrays
        .iter()
        .map(Vec::len)
        .try_fold(None, |n: Option<usize>, len| match (n, len) {
            (_, 1) => Some(n),
            (None, len) => Some(Some(len)),
            (Some(n), len) => (n == len).then_some(Some(n)),
        })
        .map(|n| n.unwrap_or(if arrays.is_empty() { 0 } else { 1 }))
}

impl Layout {
    /// The shape of `a[idx]` (`[n]` followed by the axes not indexed), checking the indices'
    /// structure but not their values (index arrays of length 1 broadcast against the others):
    /// numpy's `IndexError`s "too many indices for array: array
    /// is 2-dimensional, but 3 were indexed" and "shape mismatch: indexing arrays could not be
    /// broadcast together with shapes (2,) (3,) ", and `invalid-argument` for no index arrays.
    /// Allocates only the shape, so a caller can bound the selection's bytes first.
    ///
    /// # Errors
    /// As above.
    pub fn integer_shape(&self, indices: IntegerIndices<'_>) -> Result<Vec<u64>, Error> {
        let ndim = self.shape.len();
        match indices {
            IntegerIndices::Flat(idx) => Ok(vec![u64::try_from(idx.len()).unwrap_or(u64::MAX)]),
            IntegerIndices::PerAxis([]) => {
                Err(Error::invalid("per-axis indices need at least one index array (numpy: a[idx0, idx1])"))
            }
            IntegerIndices::PerAxis(arrays) => {
                if arrays.len() > ndim {
                    return Err(Error::index(format!(
                        "too many indices for array: array is {ndim}-dimensional, but {} were indexed",
                        arrays.len()
                    )));
                }
                let Some(n) = broadcast_len(arrays) else {
                    // numpy prints each shape followed by a space.
                    let shapes: String = arrays.iter().map(|a| format!("{} ", shape_str(&[a.len()]))).collect();
                    return Err(Error::index(format!(
                        "shape mismatch: indexing arrays could not be broadcast together with shapes {shapes}"
                    )));
                };
                let mut shape = Vec::with_capacity(1 + ndim - arrays.len());
                shape.push(u64::try_from(n).unwrap_or(u64::MAX));
                shape.extend_from_slice(&self.shape[arrays.len()..]);
                Ok(shape)
            }
        }
    }

    /// Where `a[idx]` lies (see [`Taken`]), every index checked before the first offset is
    /// returned, negatives counting from the end. The caller checks [`Layout::integer_shape`]
    /// (and bounds the result) first.
    ///
    /// # Errors
    /// Those of [`Layout::integer_shape`], then numpy's `IndexError` for the first index out of
    /// range: "index 12 is out of bounds for size 12" (flat) or "index 5 is out of bounds for axis 1
    /// with size 5" (per axis).
    pub fn integer_take(&self, indices: IntegerIndices<'_>) -> Result<Taken, Error> {
        self.integer_shape(indices)?;
        let offsets = match indices {
            IntegerIndices::Flat(idx) => idx.iter().map(|&i| self.flat_offset(i)).collect::<Result<Vec<_>, _>>()?,
            IntegerIndices::PerAxis(arrays) => {
                let n = broadcast_len(arrays).unwrap_or(0);
                let mut offsets: Vec<i128> = vec![i128::from(self.first); n];
                // Axis by axis, so the first bad index reported is the first of its axis, as numpy
                // checks each index array in turn.
                for (axis, array) in arrays.iter().enumerate() {
                    let (len, stride) = (self.shape[axis], i128::from(self.strides[axis]));
                    // A length-1 array broadcasts: its one index at every position (none, and
                    // unchecked, when the others are empty, as numpy's `a[[10], []]`).
                    let repeated = if array.len() == 1 { array.first().filter(|_| n > 0) } else { None };
                    match repeated {
                        Some(&i) => {
                            let step = i128::from(normalize_index(i, len, axis)?) * stride;
                            offsets.iter_mut().for_each(|offset| *offset += step);
                        }
                        None => {
                            for (offset, &i) in offsets.iter_mut().zip(array) {
                                *offset += i128::from(normalize_index(i, len, axis)?) * stride;
                            }
                        }
                    }
                }
                offsets
                    .into_iter()
                    .map(|o| {
                        u64::try_from(o)
                            .map_err(|_| Error::overflow(format!("element offset {o} is outside the mapping")))
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        let axes = match indices {
            IntegerIndices::Flat(_) => self.shape.len(),
            IntegerIndices::PerAxis(arrays) => arrays.len(),
        };
        let rest = Self {
            shape: self.shape[axes..].to_vec(),
            strides: self.strides[axes..].to_vec(),
            first: self.first,
            itemsize: self.itemsize,
        };
        Ok(Taken { offsets, rest })
    }

    /// The byte offset of `a.flat[flat]` (negatives from the end), numpy's "index 12 is out of
    /// bounds for size 12" when out of range; no allocation.
    ///
    /// # Errors
    /// As above.
    pub fn flat_offset(&self, flat: i64) -> Result<u64, Error> {
        let size = self.size();
        let pos = if flat < 0 { i128::from(size) + i128::from(flat) } else { i128::from(flat) };
        let mut rest = u64::try_from(pos)
            .ok()
            .filter(|&p| p < size)
            .ok_or_else(|| Error::index(format!("index {flat} is out of bounds for size {size}")))?;
        let mut offset = i128::from(self.first);
        // C order: the last axis varies fastest. Every length is non-zero here (size > 0).
        for (&len, &stride) in self.shape.iter().zip(&self.strides).rev() {
            offset += i128::from(rest % len) * i128::from(stride);
            rest /= len;
        }
        u64::try_from(offset).map_err(|_| Error::overflow(format!("element offset {offset} is outside the mapping")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::mode::Order;

    /// numpy's messages and exception types for the structure and the values of the indices.
    #[test]
    fn numpys_messages() {
        let a = Layout::contiguous(&[4, 5], 8, Order::C).unwrap();
        let err = |idx: IntegerIndices<'_>| {
            let e = a.integer_take(idx).unwrap_err();
            (e.code(), e.message().to_string())
        };
        assert_eq!(
            err(IntegerIndices::Flat(&[0, 20])),
            (ErrorCode::IndexOutOfBounds, "index 20 is out of bounds for size 20".into())
        );
        assert_eq!(
            err(IntegerIndices::Flat(&[-21])),
            (ErrorCode::IndexOutOfBounds, "index -21 is out of bounds for size 20".into())
        );
        let arrays = [vec![0, 1], vec![0, 5]];
        assert_eq!(
            err(IntegerIndices::PerAxis(&arrays)),
            (ErrorCode::IndexOutOfBounds, "index 5 is out of bounds for axis 1 with size 5".into())
        );
        let arrays = [vec![0, 1], vec![0, 1, 2]];
        assert_eq!(
            err(IntegerIndices::PerAxis(&arrays)),
            (
                ErrorCode::IndexOutOfBounds,
                "shape mismatch: indexing arrays could not be broadcast together with shapes (2,) (3,) ".into()
            )
        );
        let arrays = [vec![0], vec![0], vec![0]];
        assert_eq!(
            err(IntegerIndices::PerAxis(&arrays)),
            (
                ErrorCode::IndexOutOfBounds,
                "too many indices for array: array is 2-dimensional, but 3 were indexed".into()
            )
        );
        assert_eq!(err(IntegerIndices::PerAxis(&[])).0, ErrorCode::InvalidArgument);
    }

    /// Index arrays of length 1 broadcast against the others, as numpy's: `a[[0], [0, 1, 2]]` is
    /// three elements of row 0, `a[[10], []]` is empty (and its index unchecked), lengths 2 and 0
    /// do not broadcast.
    #[test]
    fn length_one_index_arrays_broadcast() {
        let a = Layout::contiguous(&[4, 5], 8, Order::C).unwrap();
        let arrays = [vec![1], vec![0, 1, 2]];
        assert_eq!(a.integer_shape(IntegerIndices::PerAxis(&arrays)).unwrap(), [3]);
        assert_eq!(a.integer_take(IntegerIndices::PerAxis(&arrays)).unwrap().offsets(), [40, 48, 56]);
        let arrays = [vec![0, 3], vec![-1]];
        assert_eq!(a.integer_take(IntegerIndices::PerAxis(&arrays)).unwrap().offsets(), [32, 152]);
        assert_eq!(IntegerIndices::PerAxis(&arrays).positions(), 2);
        let arrays = [vec![10], vec![]];
        assert!(a.integer_take(IntegerIndices::PerAxis(&arrays)).unwrap().offsets().is_empty());
        let arrays = [vec![0], vec![9, 1]];
        assert_eq!(
            a.integer_take(IntegerIndices::PerAxis(&arrays)).unwrap_err().message(),
            "index 9 is out of bounds for axis 1 with size 5"
        );
        let arrays = [vec![0, 1], vec![]];
        assert_eq!(
            a.integer_shape(IntegerIndices::PerAxis(&arrays)).unwrap_err().message(),
            "shape mismatch: indexing arrays could not be broadcast together with shapes (2,) (0,) "
        );
    }

    /// Offsets of a reversed, strided view, flat and per axis, and the rows left whole.
    #[test]
    fn offsets_follow_the_view() {
        use crate::index::{Index, Slice};
        let a = Layout::contiguous(&[4, 5], 8, Order::C).unwrap();
        let rev = Slice { start: None, stop: None, step: Some(-1) };
        let v = a.view(&[Index::Slice(rev), Index::Slice(Slice { start: None, stop: None, step: Some(2) })]).unwrap();
        // v[i, j] = a[3 - i, 2 j]: byte offset (3 - i) * 40 + 16 j.
        let t = v.integer_take(IntegerIndices::Flat(&[0, 4, -1])).unwrap();
        assert_eq!(t.offsets(), [120, 80 + 16, 32]);
        let arrays = [vec![1, -1], vec![2, 0]];
        let t = v.integer_take(IntegerIndices::PerAxis(&arrays)).unwrap();
        assert_eq!(t.offsets(), [80 + 32, 0]);
        assert!(t.is_elements());
        let mut rows = v.integer_take(IntegerIndices::PerAxis(&[vec![0, 3]])).unwrap();
        assert_eq!(v.integer_shape(IntegerIndices::PerAxis(&[vec![0, 3]])).unwrap(), [2, 3]);
        assert_eq!(rows.rest_at(1).shape(), [3]);
        assert_eq!(rows.rest_at(1).item_offset(&[2]).unwrap(), 32);
        assert_eq!(rows.rest_at(0).item_offset(&[1]).unwrap(), 120 + 16);
    }
}
