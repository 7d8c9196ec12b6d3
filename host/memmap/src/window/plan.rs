//! `window.plan`: which whole pages of the file a selection lies in.

use wasm_memmap_numpy_core::Order;

use crate::error::Error;
use crate::handle::Memmap;
use crate::layout::{Layout, shape_str};

/// The alignment of a window's buffer and file range: 64 KiB, the wasm page size, and a multiple of
/// every host page size wasmtime supports (4, 16 and 64 KiB), so the range can be mapped on each.
pub(crate) const ALIGN: u64 = 1 << 16;

/// A window over one selection: see the WIT's `window-plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Where in the file the window starts (a multiple of [`ALIGN`]).
    pub file_start: u64,
    /// The window's bytes: the whole [`ALIGN`]-sized pages the selection touches.
    pub length: u64,
    /// Where the selection's first element is in the window.
    pub data_offset: u64,
    /// The selection's bytes.
    pub data_length: u64,
}

impl Plan {
    /// The plan for `handle`'s elements, which must be one contiguous run of the file in C order
    /// (numpy's `a.flags['C_CONTIGUOUS']`), in either byte order.
    ///
    /// # Errors
    /// `invalid-argument` for an empty or non-contiguous selection; `overflow` should its bytes
    /// not fit in 64 bits.
    pub(crate) fn of(handle: &Memmap) -> Result<Self, Error> {
        let layout = handle.layout();
        let offset = contiguous_offset(layout)?;
        let data_length = layout
            .size()
            .checked_mul(layout.itemsize())
            .ok_or_else(|| Error::overflow("the selection's bytes do not fit in 64 bits"))?;
        let first = handle
            .origin()
            .offset
            .checked_add(offset)
            .ok_or_else(|| Error::overflow("the selection's file offset does not fit in 64 bits"))?;
        let file_start = first - first % ALIGN;
        let end = first
            .checked_add(data_length)
            .and_then(|end| end.checked_next_multiple_of(ALIGN))
            .ok_or_else(|| Error::overflow("the window's end does not fit in 64 bits"))?;
        Ok(Self { file_start, length: end - file_start, data_offset: first - file_start, data_length })
    }
}

/// The byte offset in the mapping of a selection that is one contiguous run in C order.
fn contiguous_offset(layout: &Layout) -> Result<u64, Error> {
    let not = |why: &str| {
        Error::invalid(format!(
            "a window maps one contiguous run of the file, and this selection (shape {}, strides {}) {why}: read it with read-bytes, or open a window over a contiguous view",
            shape_str(layout.shape()),
            shape_str(layout.strides()),
        ))
    };
    if layout.size() == 0 {
        return Err(not("has no elements"));
    }
    let packed = Layout::contiguous(layout.shape(), layout.itemsize(), Order::C)?;
    let itemsize = i64::try_from(layout.itemsize()).map_err(|_| Error::overflow("itemsize"))?;
    let mut runs = Vec::with_capacity(2);
    layout.for_each_stretch(packed.strides(), |stretch| -> Result<(), Error> {
        runs.push(stretch);
        if runs.len() > 1 { Err(not("is not C-contiguous")) } else { Ok(()) }
    })?;
    match runs.as_slice() {
        [run] if run.count == 1 || run.array_stride == itemsize => Ok(run.array_offset),
        _ => Err(not("is not C-contiguous")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offset of a contiguous selection, and refusals of the others, by numpy's flags.
    #[test]
    fn only_c_contiguous_selections_have_an_offset() {
        use wasm_memmap_numpy_core::{Index, Slice};
        let base = Layout::contiguous(&[10, 20], 8, Order::C).expect("layout");
        let rows = base.view(&[Index::Slice(Slice { start: Some(2), stop: Some(5), step: None })]).expect("rows");
        assert_eq!(contiguous_offset(&rows).expect("rows are contiguous"), 2 * 20 * 8);
        let one = base.view(&[Index::At(3), Index::At(4)]).expect("one");
        assert_eq!(contiguous_offset(&one).expect("one element"), (3 * 20 + 4) * 8);
        let column = base.view(&[Index::Slice(Slice::default()), Index::At(1)]).expect("column");
        let err = contiguous_offset(&column).expect_err("a column is strided");
        assert!(err.message().contains("shape (10,), strides (160,)"), "{}", err.message());
        let reversed = base.view(&[Index::Slice(Slice { start: None, stop: None, step: Some(-1) })]).expect("rev");
        contiguous_offset(&reversed).expect_err("reversed rows are not C-contiguous");
        let fortran = Layout::contiguous(&[10, 20], 8, Order::Fortran).expect("layout");
        contiguous_offset(&fortran).expect_err("Fortran order is not C order");
        let empty = base.view(&[Index::Slice(Slice { start: Some(3), stop: Some(3), step: None })]).expect("empty");
        contiguous_offset(&empty).expect_err("nothing to map");
    }
}
