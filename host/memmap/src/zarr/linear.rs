//! The virtual linear byte space of a Zarr array: the bytes the whole array would have as one
//! C-order file (what `np.asarray(z).tobytes()` gives), cut into runs that each lie inside one
//! decoded chunk. A C-order run of the array crosses a chunk boundary wherever the last axis
//! does, and moves to the next row at the end of each row of the array; each chunk is decoded as
//! a whole C-order block of the chunk shape (edge chunks padded, as Zarr stores them).

use crate::error::Error;

/// The array's shape on its regular chunk grid, and the element size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grid {
    shape: Vec<u64>,
    chunk: Vec<u64>,
    /// Chunks along each axis (`ceil(shape / chunk)`).
    grid: Vec<u64>,
    item: u64,
    /// Bytes of one decoded chunk (`prod(chunk) * item`).
    chunk_bytes: u64,
    /// Bytes of the whole array.
    len: u64,
}

/// One run of the virtual space inside one chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    /// The chunk's number, C order over the chunk grid.
    pub chunk: u64,
    /// The run's first byte inside the decoded chunk.
    pub at: u64,
    /// The run's bytes.
    pub len: u64,
}

fn overflow(what: &str) -> Error {
    Error::overflow(format!("{what} does not fit in 64 bits"))
}

impl Grid {
    /// The grid of an array of `shape` cut into chunks of `chunk` (one positive length per axis,
    /// checked by the caller), `item` bytes per element.
    ///
    /// # Errors
    /// `overflow` when the array's or a chunk's bytes do not fit in 64 bits.
    pub(crate) fn new(shape: &[u64], chunk: &[u64], item: u64) -> Result<Self, Error> {
        if shape.len() != chunk.len() || chunk.contains(&0) || item == 0 {
            return Err(Error::invalid("the chunk shape must have one positive length per axis"));
        }
        let grid: Vec<u64> = shape.iter().zip(chunk).map(|(&n, &c)| n.div_ceil(c)).collect();
        let product =
            |v: &[u64], what: &str| v.iter().try_fold(item, |acc, &n| acc.checked_mul(n)).ok_or_else(|| overflow(what));
        let chunk_bytes = product(chunk, "the bytes of one chunk")?;
        let len = product(shape, "the bytes of the array")?;
        // Chunk numbers must fit too.
        grid.iter().try_fold(1u64, |acc, &n| acc.checked_mul(n.max(1))).ok_or_else(|| overflow("the chunk count"))?;
        Ok(Self { shape: shape.to_vec(), chunk: chunk.to_vec(), grid, item, chunk_bytes, len })
    }

    pub(crate) fn chunk_shape(&self) -> &[u64] {
        &self.chunk
    }

    pub(crate) fn chunk_bytes(&self) -> u64 {
        self.chunk_bytes
    }

    /// The chunk number `chunk` as chunk-grid indices (Zarr's chunk coordinates).
    pub(crate) fn chunk_indices(&self, chunk: u64) -> Vec<u64> {
        let mut rest = chunk;
        let mut indices = vec![0; self.grid.len()];
        for (axis, &n) in self.grid.iter().enumerate().rev() {
            let n = n.max(1);
            indices[axis] = rest % n;
            rest /= n;
        }
        indices
    }

    /// Calls `each` with the runs of the bytes `[offset, offset + len)`, in order.
    ///
    /// # Errors
    /// `overflow` for a range outside the array (a layout that disagrees with its array), and
    /// the first error of `each`.
    pub(crate) fn for_each_run(
        &self,
        offset: u64,
        len: u64,
        mut each: impl FnMut(Run) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let end = offset.checked_add(len).filter(|&end| end <= self.len).ok_or_else(|| {
            Error::overflow(format!("bytes {offset}..+{len} are outside the array's {} bytes", self.len))
        })?;
        let ndim = self.shape.len();
        let mut at = offset;
        let mut index = vec![0u64; ndim];
        while at < end {
            let element = at / self.item;
            let within = at % self.item;
            // The element's indices, C order.
            let mut rest = element;
            for axis in (0..ndim).rev() {
                index[axis] = rest % self.shape[axis];
                rest /= self.shape[axis];
            }
            let (mut chunk, mut in_chunk) = (0u64, 0u64);
            for ((&at, &grid), &size) in index.iter().zip(&self.grid).zip(&self.chunk) {
                // Bounded by the grid and chunk sizes, which `new` checked.
                chunk = chunk * grid + at / size;
                in_chunk = in_chunk * size + at % size;
            }
            // Along the last axis: to the end of the chunk or of the array's row, whichever first.
            let elements = match ndim {
                0 => 1,
                _ => {
                    let (i, c, n) = (index[ndim - 1], self.chunk[ndim - 1], self.shape[ndim - 1]);
                    (c - i % c).min(n - i)
                }
            };
            let run = (elements * self.item - within).min(end - at);
            each(Run { chunk, at: in_chunk * self.item + within, len: run })?;
            at += run;
        }
        Ok(())
    }

    /// Whether every element of chunk `chunk` lies inside `region` (one range of indices per axis).
    pub(crate) fn chunk_inside(&self, chunk: u64, region: &[std::ops::Range<u64>]) -> bool {
        self.chunk_indices(chunk).iter().zip(&self.chunk).zip(&self.shape).zip(region).all(
            |(((&c, &size), &n), range)| {
                // The grid comes from `zarr.json`: a chunk starting past 2^64 is past any region.
                let Some(start) = c.checked_mul(size) else { return false };
                let stop = start.saturating_add(size).min(n);
                range.start <= start && stop <= range.end
            },
        )
    }

    /// Whether `region` falls on the chunk grid: each range starts on a chunk boundary and ends on
    /// one or at the end of its axis.
    pub(crate) fn aligned(&self, region: &[std::ops::Range<u64>]) -> bool {
        region.len() == self.shape.len()
            && region.iter().zip(&self.chunk).zip(&self.shape).all(|((range, &c), &n)| {
                range.start % c == 0 && (range.end % c == 0 || range.end == n) && range.end <= n
            })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The brute force: every byte's element indices, its chunk and its place in the chunk,
    /// computed one byte at a time.
    fn owner(shape: &[u64], chunk: &[u64], item: u64, byte: u64) -> (u64, u64) {
        let mut rest = byte / item;
        let mut index = vec![0; shape.len()];
        for axis in (0..shape.len()).rev() {
            index[axis] = rest % shape[axis];
            rest /= shape[axis];
        }
        let mut chunk_no = 0;
        let mut in_chunk = 0;
        for axis in 0..shape.len() {
            let grid = shape[axis].div_ceil(chunk[axis]);
            chunk_no = chunk_no * grid + index[axis] / chunk[axis];
            in_chunk = in_chunk * chunk[axis] + index[axis] % chunk[axis];
        }
        (chunk_no, in_chunk * item + byte % item)
    }

    fn case() -> impl Strategy<Value = (Vec<u64>, Vec<u64>, u64, u64, u64)> {
        (0usize..4)
            .prop_flat_map(|ndim| {
                (proptest::collection::vec(1u64..7, ndim), proptest::collection::vec(1u64..5, ndim), 1u64..9)
            })
            .prop_flat_map(|(shape, chunk, item)| {
                let len = shape.iter().product::<u64>() * item;
                (Just(shape), Just(chunk), Just(item), 0..=len)
            })
            .prop_flat_map(|(shape, chunk, item, start)| {
                let len = shape.iter().product::<u64>() * item;
                (Just(shape), Just(chunk), Just(item), Just(start), 0..=len - start)
            })
    }

    proptest! {
        /// The runs cover the range byte by byte, each byte where the brute force puts it, and
        /// each run stays inside its chunk.
        #[test]
        fn runs_put_every_byte_where_the_brute_force_does((shape, chunk, item, start, len) in case()) {
            let grid = Grid::new(&shape, &chunk, item).expect("grid");
            let mut byte = start;
            grid.for_each_run(start, len, |run| {
                assert!(run.len > 0);
                assert!(run.at + run.len <= grid.chunk_bytes());
                for k in 0..run.len {
                    assert_eq!((run.chunk, run.at + k), owner(&shape, &chunk, item, byte + k));
                }
                byte += run.len;
                Ok(())
            }).expect("runs");
            prop_assert_eq!(byte, start + len);
        }
    }

    #[test]
    fn chunk_numbers_are_c_order_over_the_grid() {
        let grid = Grid::new(&[5, 7], &[2, 3], 8).expect("grid");
        // 3 x 3 chunks.
        assert_eq!(grid.chunk_indices(0), [0, 0]);
        assert_eq!(grid.chunk_indices(5), [1, 2]);
        assert_eq!(grid.chunk_indices(8), [2, 2]);
        assert!(grid.aligned(&[2..5, 0..6]));
        assert!(!grid.aligned(&[1..5, 0..7]));
        assert!(grid.chunk_inside(8, &[4..5, 6..7]));
        assert!(!grid.chunk_inside(7, &[4..5, 6..7]));
    }

    #[test]
    fn a_range_outside_the_array_is_refused() {
        let grid = Grid::new(&[4], &[3], 2).expect("grid");
        assert!(grid.for_each_run(6, 4, |_| Ok(())).is_err());
        assert!(grid.for_each_run(u64::MAX, 2, |_| Ok(())).is_err());
    }

    /// A grid near 2^64 bytes: the last chunk's end does not wrap around to 0 (which would put
    /// it inside a region of the first chunk only).
    #[test]
    #[allow(clippy::single_range_in_vec_init, reason = "a region of one axis")]
    fn a_chunk_ending_at_2_pow_64_is_not_inside_a_region_before_it() {
        let grid = Grid::new(&[u64::MAX], &[1 << 63], 1).expect("grid");
        assert!(grid.chunk_inside(0, &[0..1 << 63]));
        assert!(!grid.chunk_inside(1, &[0..1 << 63]));
        assert!(grid.chunk_inside(1, &[0..u64::MAX]));
    }
}
