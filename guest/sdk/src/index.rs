//! numpy basic indices in Rust: `s![..5]`, `s![2, ..;-3]`, or Python's own syntax as a string.

use std::ops::{Range, RangeFrom, RangeFull, RangeTo};

pub use crate::bindings::wasm_memmap::array::types::{Index, Slice};
use crate::error::Error;

/// `...` (`Ellipsis`) in an index: as many full slices as the array needs.
pub const ELLIPSIS: Index = Index::Ellipsis;

/// `np.newaxis` (`None`) in an index: a new axis of length 1.
pub const NEW_AXIS: Index = Index::NewAxis;

/// Conversion into one [`Index`] item: integers (a position), Rust ranges (a slice; `a..b` is
/// Python's `a:b`, negative ends count from the end as in Python), and [`Index`] itself.
pub trait IntoIndex {
    /// The index item.
    fn into_index(self) -> Index;
}

impl IntoIndex for Index {
    fn into_index(self) -> Index {
        self
    }
}

impl IntoIndex for Slice {
    fn into_index(self) -> Index {
        Index::Slice(self)
    }
}

impl IntoIndex for RangeFull {
    fn into_index(self) -> Index {
        Index::Slice(Slice { start: None, stop: None, step: None })
    }
}

/// An integer as an `s64` index; values past `i64::MAX` saturate, which the host then reports as out
/// of bounds.
fn clamp<T: TryInto<i64>>(v: T) -> i64 {
    v.try_into().unwrap_or(i64::MAX)
}

macro_rules! int_indices {
    ($($t:ty),*) => {$(
        impl IntoIndex for $t {
            fn into_index(self) -> Index {
                Index::At(clamp(self))
            }
        }
        impl IntoIndex for Range<$t> {
            fn into_index(self) -> Index {
                Index::Slice(Slice { start: Some(clamp(self.start)), stop: Some(clamp(self.end)), step: None })
            }
        }
        impl IntoIndex for RangeFrom<$t> {
            fn into_index(self) -> Index {
                Index::Slice(Slice { start: Some(clamp(self.start)), stop: None, step: None })
            }
        }
        impl IntoIndex for RangeTo<$t> {
            fn into_index(self) -> Index {
                Index::Slice(Slice { start: None, stop: Some(clamp(self.end)), step: None })
            }
        }
    )*};
}
int_indices!(i32, i64, isize, u32, u64, usize);

/// Gives a slice item a step (`..;-3` in [`s!`]).
///
/// # Panics
/// When the item is not a slice (`s![3;2]`): like `v[5..3]` on a `Vec`, a mistake in the program
/// rather than in its data.
#[doc(hidden)]
pub fn with_step<const N: usize>(item: Index, step: [i64; N]) -> Index {
    match (item, step.first()) {
        (Index::Slice(s), Some(&step)) => Index::Slice(Slice { step: Some(step), ..s }),
        (item, None) => item,
        (item, Some(step)) => panic!("s![]: a step (;{step}) needs a range, such as `..;{step}`, not {item:?}"),
    }
}

/// A numpy basic index as an array of [`Index`] items, like ndarray's `s!`: each item is an integer,
/// a Rust range with an optional `;step`, [`ELLIPSIS`] or [`NEW_AXIS`].
///
/// | numpy          | Rust                       |
/// |----------------|----------------------------|
/// | `a[:5]`        | `s![..5]`                  |
/// | `a[2, ::-3]`   | `s![2, ..;-3]`             |
/// | `a[1:-1:2, 0]` | `s![1..-1;2, 0]`           |
/// | `a[..., -1]`   | `s![ELLIPSIS, -1]`         |
/// | `a[None, :]`   | `s![NEW_AXIS, ..]`         |
///
/// # Examples
/// ```
/// use wasm_memmap_sdk::{s, Index, Slice};
/// let idx = s![2, ..;-3];
/// assert!(matches!(idx[0], Index::At(2)));
/// assert!(matches!(idx[1], Index::Slice(Slice { start: None, stop: None, step: Some(-3) })));
/// ```
#[macro_export]
macro_rules! s {
    ($($item:expr $(; $step:expr)?),* $(,)?) => {
        [$({
            // `1..-1` is Python's `1:-1`, not an empty Rust range.
            #[allow(clippy::reversed_empty_ranges)]
            let item = $item;
            $crate::index::with_step($crate::IntoIndex::into_index(item), [$($step),*])
        }),*]
    };
}

/// Parses an index written as in Python, without the brackets: `"2, ::-3"`, `":5"`, `"..., -1"`,
/// `"None, 1:"`. An empty string is the empty index (the whole array).
///
/// # Errors
/// `invalid-argument` naming the item that is not an integer, a slice, `...` or `None`.
///
/// # Examples
/// ```
/// use wasm_memmap_sdk::{parse_index, s};
/// assert_eq!(format!("{:?}", parse_index("2, ::-3")?), format!("{:?}", s![2, ..;-3]));
/// # Ok::<(), wasm_memmap_sdk::Error>(())
/// ```
pub fn parse_index(text: &str) -> Result<Vec<Index>, Error> {
    let text = text.trim();
    if text.is_empty() || text == "()" {
        return Ok(Vec::new());
    }
    let text = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')).unwrap_or(text);
    text.split(',')
        .map(str::trim)
        .enumerate()
        .filter(|(i, item)| !(item.is_empty() && *i > 0))
        .map(|(_, item)| parse_item(item))
        .collect()
}

fn parse_item(item: &str) -> Result<Index, Error> {
    let bad = || Error::invalid(format!("'{item}' is not an integer, a slice, '...' or 'None'"));
    let int = |s: &str| -> Result<Option<i64>, Error> {
        let s = s.trim();
        if s.is_empty() || s == "None" { Ok(None) } else { s.parse().map(Some).map_err(|_| bad()) }
    };
    match item {
        "..." | "Ellipsis" => Ok(Index::Ellipsis),
        "None" | "np.newaxis" | "newaxis" => Ok(Index::NewAxis),
        _ if item.contains(':') => {
            let parts: Vec<&str> = item.split(':').collect();
            if parts.len() > 3 {
                return Err(bad());
            }
            Ok(Index::Slice(Slice {
                start: int(parts[0])?,
                stop: int(parts[1])?,
                step: parts.get(2).map_or(Ok(None), |s| int(s))?,
            }))
        }
        _ => int(item)?.map(Index::At).ok_or_else(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(idx: &[Index]) -> String {
        format!("{idx:?}")
    }

    #[test]
    fn macro_and_python_syntax_agree() {
        assert_eq!(text(&s![..5]), text(&parse_index(":5").unwrap()));
        assert_eq!(text(&s![2, ..;-3]), text(&parse_index("2, ::-3").unwrap()));
        assert_eq!(text(&s![1..-1;2, 0]), text(&parse_index("1:-1:2, 0").unwrap()));
        assert_eq!(text(&s![ELLIPSIS, -1]), text(&parse_index("..., -1").unwrap()));
        assert_eq!(text(&s![NEW_AXIS, 3..]), text(&parse_index("(None, 3:)").unwrap()));
        assert_eq!(text(&s![4usize, ..]), text(&parse_index("4, :,").unwrap()));
        assert!(parse_index("").unwrap().is_empty());
    }

    #[test]
    fn bad_items_are_named() {
        let e = parse_index("1, x").unwrap_err();
        assert_eq!(e.message(), "'x' is not an integer, a slice, '...' or 'None'");
        assert!(parse_index("1:2:3:4").is_err());
    }

    #[test]
    #[should_panic(expected = "a step (;2) needs a range, such as `..;2`")]
    fn a_step_on_an_integer_is_a_mistake() {
        let _ = s![3; 2];
    }
}
