//! Which elements numpy prints (its summarisation, `_leading_trailing` in `arrayprint.py`): the
//! whole array, or the first and last `edgeitems` of each long axis once the array has more than
//! `threshold` elements. Every printer (the guest SDK's `repr`, the CLI's `show`) asks this module
//! which elements to read, so the rule and the walk over the kept elements exist once.

use std::ops::Range;

use crate::PrintOptions;

/// `a.size`, saturating: a mapped file's shape can exceed a 32-bit `usize` (wasm32) in elements.
pub(crate) fn size(shape: &[usize]) -> u128 {
    shape.iter().fold(1u128, |acc, &n| acc.saturating_mul(u128::try_from(n).unwrap_or(u128::MAX)))
}

/// Whether numpy summarises an array of this shape (`a.size > threshold`).
pub(crate) fn summarised(shape: &[usize], options: &PrintOptions) -> bool {
    size(shape) > u128::try_from(options.threshold).unwrap_or(u128::MAX)
}

/// Which indices of each axis numpy prints (its `_leading_trailing`): the whole axis, or the first
/// and last `edgeitems` when the array is summarised (size > `threshold`) and the axis is longer than
/// `2 * edgeitems`. The kept elements are the cartesian product of these ranges; [`Selection`] walks
/// them.
///
/// With `edgeitems == 0` numpy keeps the whole of every summarised axis (its `a[-0:]` is the whole
/// axis) to size the columns, though it prints only the last item; this function does the same.
///
/// # Examples
/// ```
/// use wasm_memmap_arrayprint::{kept_ranges, PrintOptions};
/// // np.arange(3000).reshape(6, 500): 6 <= 2 * edgeitems keeps the first axis whole.
/// assert_eq!(kept_ranges(&[6, 500], &PrintOptions::default()), [vec![0..6], vec![0..3, 497..500]]);
/// ```
#[allow(clippy::single_range_in_vec_init)] // a whole axis is one kept block among the blocks of each axis
pub fn kept_ranges(shape: &[usize], options: &PrintOptions) -> Vec<Vec<Range<usize>>> {
    let summary = summarised(shape, options);
    let edge = options.edgeitems;
    shape
        .iter()
        .map(
            |&n| {
                if summary && n > edge.saturating_mul(2) && edge > 0 { vec![0..edge, n - edge..n] } else { vec![0..n] }
            },
        )
        .collect()
}

/// How many indices of each axis [`kept_ranges`] keeps.
pub(crate) fn kept_shape(ranges: &[Vec<Range<usize>>]) -> Vec<usize> {
    ranges.iter().map(|axis| axis.iter().map(ExactSizeIterator::len).sum()).collect()
}

/// The flat C-order positions (into the full array) of the kept elements, in the order
/// [`repr`](crate::repr) and [`str()`](crate::str) expect them in `kept`.
///
/// # Panics
/// When an offset does not fit in `usize` (an array of more elements than the address space, as a
/// memory-mapped file on wasm32 can be); [`kept_ranges`] and [`Selection`] have no such limit.
pub fn kept_offsets(shape: &[usize], options: &PrintOptions) -> Vec<usize> {
    Selection::new(shape, options)
        .indices()
        .map(|index| index.iter().zip(shape).try_fold(0usize, |base, (&i, &n)| base.checked_mul(n)?.checked_add(i)))
        .map(|offset| offset.expect("print: element offset exceeds usize; use kept_ranges"))
        .collect()
}

/// The elements numpy prints of an array of some shape under some options, and the two ways of
/// reading them in the order [`repr`](crate::repr) and [`str()`](crate::str) take them (C order of
/// the kept array): element by element ([`indices`](Self::indices)) or block by block
/// ([`gather`](Self::gather), one rectangular block per combination of kept ranges).
///
/// # Examples
/// ```
/// use wasm_memmap_arrayprint::{PrintOptions, Selection};
/// // repr(np.memmap(..., shape=(10000, 10000))) shows the 36 corner elements.
/// let selection = Selection::new(&[10_000, 10_000], &PrintOptions::default());
/// assert_eq!(selection.len(), Some(36));
/// assert_eq!(selection.indices().nth(3), Some(vec![0, 9997]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    ranges: Vec<Vec<Range<usize>>>,
}

impl Selection {
    /// The elements numpy prints of an array of `shape` under `options` ([`kept_ranges`]).
    pub fn new(shape: &[usize], options: &PrintOptions) -> Self {
        Self { ranges: kept_ranges(shape, options) }
    }

    /// The kept index ranges of each axis, as [`kept_ranges`] gives them.
    pub fn ranges(&self) -> &[Vec<Range<usize>>] {
        &self.ranges
    }

    /// How many indices of each axis are kept: the shape of the array the printer reads.
    pub fn kept_shape(&self) -> Vec<usize> {
        kept_shape(&self.ranges)
    }

    /// How many elements are kept, or `None` when there are more than `u128` can count (a hostile
    /// shape of many long axes with large `edgeitems`). Counting needs no memory, so a printer can
    /// refuse an array before it reads anything.
    pub fn len(&self) -> Option<u128> {
        let kept = self.kept_shape();
        if kept.contains(&0) {
            return Some(0);
        }
        kept.iter().try_fold(1u128, |acc, &n| acc.checked_mul(u128::try_from(n).ok()?))
    }

    /// Whether no element is kept (an axis of length 0).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The index (one entry per axis, into the full array) of every kept element, in C order of
    /// the kept array; a 0-d array has one element, at the empty index.
    pub fn indices(&self) -> Indices<'_> {
        Indices { ranges: &self.ranges, at: vec![0; self.ranges.len()], done: self.is_empty() }
    }

    /// The kept elements, read one rectangular block at a time (numpy's `a[r0, r1, ...]` with one
    /// kept range per axis) by `read_block`, which returns the block's elements in C order; the
    /// result is in C order of the kept array. A summarised 2-d array is read in 4 blocks.
    ///
    /// # Errors
    /// The first error `read_block` returns.
    ///
    /// # Panics
    /// When the kept elements do not fit in memory's address space, or when `read_block` returns
    /// another number of elements than its block holds (a programming error of the caller).
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_arrayprint::{PrintOptions, Selection};
    /// let options = PrintOptions { threshold: 4, edgeitems: 1, ..PrintOptions::default() };
    /// // a = np.arange(12).reshape(3, 4): the corners a[0, 0], a[0, 3], a[2, 0], a[2, 3].
    /// let selection = Selection::new(&[3, 4], &options);
    /// let kept = selection.gather(|block| -> Result<Vec<usize>, ()> {
    ///     Ok(block[0].clone().flat_map(|i| block[1].clone().map(move |j| i * 4 + j)).collect())
    /// });
    /// assert_eq!(kept, Ok(vec![0, 3, 8, 11]));
    /// ```
    pub fn gather<T, E>(&self, mut read_block: impl FnMut(&[Range<usize>]) -> Result<Vec<T>, E>) -> Result<Vec<T>, E> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        let ranges = &self.ranges;
        let ndim = ranges.len();
        let kept_shape = self.kept_shape();
        let total = kept_shape
            .iter()
            .try_fold(1usize, |acc, &n| acc.checked_mul(n))
            .expect("print: the kept elements do not fit in memory");
        let mut kept: Vec<Option<T>> = std::iter::repeat_with(|| None).take(total).collect();
        // Row-major strides of the kept array.
        let mut strides = vec![1usize; ndim];
        for axis in (0..ndim.saturating_sub(1)).rev() {
            strides[axis] = strides[axis + 1] * kept_shape[axis + 1];
        }
        // Each block picks one range per axis; `choice` walks through all combinations.
        let mut choice = vec![0usize; ndim];
        loop {
            let block: Vec<Range<usize>> = choice.iter().zip(ranges).map(|(&c, rs)| rs[c].clone()).collect();
            if block.iter().all(|r| !r.is_empty()) {
                let values = read_block(&block)?;
                let expected = block.iter().map(ExactSizeIterator::len).product::<usize>();
                assert_eq!(values.len(), expected, "print: a block of {block:?} holds {expected} elements");
                let origin: Vec<usize> = choice
                    .iter()
                    .zip(ranges)
                    .map(|(&c, rs)| rs[..c].iter().map(ExactSizeIterator::len).sum())
                    .collect();
                let mut at = vec![0usize; ndim];
                for value in values {
                    let pos: usize = at.iter().zip(&origin).zip(&strides).map(|((&i, &o), &s)| (i + o) * s).sum();
                    kept[pos] = Some(value);
                    for axis in (0..ndim).rev() {
                        at[axis] += 1;
                        if at[axis] < block[axis].len() {
                            break;
                        }
                        at[axis] = 0;
                    }
                }
            }
            if !advance(&mut choice, |axis| ranges[axis].len()) {
                return Ok(kept.into_iter().map(|v| v.expect("print: every kept element lies in one block")).collect());
            }
        }
    }
}

/// Steps the odometer `at` (last axis fastest) whose axis `k` counts to `len(k)`; `false` once it
/// wraps around to all zeros, i.e. every combination was visited.
fn advance(at: &mut [usize], len: impl Fn(usize) -> usize) -> bool {
    for axis in (0..at.len()).rev() {
        at[axis] += 1;
        if at[axis] < len(axis) {
            return true;
        }
        at[axis] = 0;
    }
    false
}

/// The index of each kept element, from [`Selection::indices`].
#[derive(Clone, Debug)]
pub struct Indices<'a> {
    ranges: &'a [Vec<Range<usize>>],
    /// For each axis, the position among that axis's kept indices.
    at: Vec<usize>,
    done: bool,
}

impl Indices<'_> {
    /// The `k`-th kept index of `axis` (an axis keeps at most two ranges, so no list is built).
    fn index(&self, axis: usize, mut k: usize) -> usize {
        for range in &self.ranges[axis] {
            if k < range.len() {
                return range.start + k;
            }
            k -= range.len();
        }
        unreachable!("print: position beyond the kept indices of axis {axis}")
    }

    fn kept(&self, axis: usize) -> usize {
        self.ranges[axis].iter().map(ExactSizeIterator::len).sum()
    }
}

impl Iterator for Indices<'_> {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        if self.done {
            return None;
        }
        let index = self.at.iter().enumerate().map(|(axis, &k)| self.index(axis, k)).collect();
        let mut at = std::mem::take(&mut self.at);
        self.done = !advance(&mut at, |axis| self.kept(axis));
        self.at = at;
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> PrintOptions {
        PrintOptions::default()
    }

    #[test]
    fn huge_array_keeps_only_its_corners() {
        let shape = [10_000, 10_000];
        let ranges = kept_ranges(&shape, &opts());
        assert_eq!(ranges, vec![vec![0..3, 9997..10_000], vec![0..3, 9997..10_000]]);
        let offsets = kept_offsets(&shape, &opts());
        assert_eq!(offsets.len(), 36);
        assert_eq!(&offsets[..6], &[0, 1, 2, 9997, 9998, 9999]);
        assert_eq!(offsets[6], 10_000);
        assert_eq!(offsets[35], 10_000 * 10_000 - 1);
    }

    #[test]
    fn small_arrays_and_short_axes_are_kept_whole() {
        assert_eq!(kept_ranges(&[10, 100], &opts()), vec![vec![0..10], vec![0..100]]);
        // summarised (size 3000 > 1000) but the first axis is no longer than 2 * edgeitems
        assert_eq!(kept_ranges(&[6, 500], &opts()), vec![vec![0..6], vec![0..3, 497..500]]);
        assert_eq!(kept_offsets(&[2, 3], &opts()), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(kept_offsets(&[], &opts()), vec![0]);
        assert!(kept_offsets(&[0, 5], &opts()).is_empty());
    }

    #[test]
    fn zero_edgeitems_keep_whole_axes_like_numpy() {
        let o = PrintOptions { edgeitems: 0, threshold: 5, ..opts() };
        assert_eq!(kept_ranges(&[4, 5], &o), vec![vec![0..4], vec![0..5]]);
    }

    /// Both walks visit the same elements in the same order, for summarised, whole, empty and 0-d
    /// shapes: the element-by-element reader (the CLI) and the block reader (the SDK) print alike.
    #[test]
    fn indices_and_gather_agree_with_kept_offsets() {
        let o = PrintOptions { threshold: 20, edgeitems: 2, ..opts() };
        for shape in [vec![], vec![7], vec![5, 6], vec![3, 9, 2], vec![6, 0, 9], vec![1, 30]] {
            let selection = Selection::new(&shape, &o);
            let flat = |index: &[usize]| index.iter().zip(&shape).fold(0, |acc, (&i, &n)| acc * n + i);
            let by_index: Vec<usize> = selection.indices().map(|index| flat(&index)).collect();
            let by_block = selection.gather(|block| -> Result<Vec<usize>, ()> {
                let sub = Selection { ranges: block.iter().map(|r| vec![r.clone()]).collect() };
                Ok(sub.indices().map(|index| flat(&index)).collect())
            });
            assert_eq!(by_index, kept_offsets(&shape, &o), "{shape:?}");
            assert_eq!(by_block, Ok(by_index.clone()), "{shape:?}");
            assert_eq!(selection.len(), Some(u128::try_from(by_index.len()).unwrap_or(u128::MAX)), "{shape:?}");
        }
    }

    #[test]
    fn counting_a_hostile_shape_needs_no_memory() {
        let o = PrintOptions { edgeitems: 1 << 40, ..opts() };
        let selection = Selection::new(&[usize::MAX; 4], &o);
        assert_eq!(selection.len(), None);
        assert_eq!(Selection::new(&[6; 10], &opts()).len(), Some(60_466_176));
        assert!(Selection::new(&[usize::MAX, 0], &opts()).is_empty());
    }

    #[test]
    fn gather_stops_at_the_first_error() {
        let mut calls = 0;
        let result: Result<Vec<u8>, &str> = Selection::new(&[10, 200], &opts()).gather(|_| {
            calls += 1;
            Err("unreadable")
        });
        assert_eq!((result, calls), (Err("unreadable"), 1));
    }
}
