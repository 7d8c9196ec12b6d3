//! numpy's basic index: integers, slices, `...` and `np.newaxis`.

/// A Python slice `start:stop:step` over one axis (`slice(start, stop, step)`): each part optional
/// with Python's defaults; negative `start`/`stop` count from the end, out-of-range values clip.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Slice {
    /// First position taken.
    pub start: Option<i64>,
    /// Position where the slice stops (not taken).
    pub stop: Option<i64>,
    /// Distance between taken positions; negative walks backwards; 0 is refused.
    pub step: Option<i64>,
}

/// One item of a numpy basic index, such as one entry of the tuple in `a[2, ::-3]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Index {
    /// An integer, `a[2]` or `a[-1]`: selects one position and removes the axis.
    At(i64),
    /// A slice, `a[:5]` or `a[::-3]`: keeps the axis.
    Slice(Slice),
    /// `...` (`Ellipsis`): as many full slices as needed to index every axis; at most one.
    Ellipsis,
    /// `None` (`np.newaxis`): inserts an axis of length 1.
    NewAxis,
}

/// Lets [`Layout::view`](crate::Layout::view) take a list of this crate's indices as well as a
/// list of a crate's bindgen indices (see [`impl_wit_conversions!`](crate::impl_wit_conversions)).
impl From<&Index> for Index {
    fn from(index: &Index) -> Self {
        *index
    }
}
