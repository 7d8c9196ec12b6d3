//! Printing a [`Memmap`] the way numpy prints an `np.memmap`, reading only the elements shown.

use std::ops::Range;
use std::sync::Mutex;

use wasm_memmap_numpy_core::{Element as _, with_kind};

use crate::error::{Error, Result};
use crate::index::{Index, Slice};
use crate::memmap::Memmap;
use crate::print::{self, DtypeInfo, PrintOptions, Scalar, Selection};

/// numpy's global print options; `None` until [`set_printoptions`] is first called.
static OPTIONS: Mutex<Option<PrintOptions>> = Mutex::new(None);

/// Sets the options [`Memmap::repr`] and `Display` print with, like `np.set_printoptions(...)`:
/// every field of [`PrintOptions`] is numpy's argument of the same name, with numpy's default in
/// [`PrintOptions::default`]. `legacy='2.1'` is [`Legacy::V2_1`](crate::print::Legacy::V2_1).
///
/// # Examples
/// ```
/// use wasm_memmap_sdk::print::{FloatMode, Legacy};
/// use wasm_memmap_sdk::{PrintOptions, get_printoptions, set_printoptions};
/// // np.set_printoptions(precision=4, floatmode='fixed', threshold=100, legacy='2.1')
/// set_printoptions(PrintOptions {
///     precision: 4,
///     floatmode: FloatMode::Fixed,
///     threshold: 100,
///     legacy: Legacy::V2_1,
///     ..PrintOptions::default()
/// });
/// assert_eq!(get_printoptions().precision, 4);
/// ```
pub fn set_printoptions(options: PrintOptions) {
    *OPTIONS.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(options);
}

/// The current print options, like `np.get_printoptions()`.
pub fn get_printoptions() -> PrintOptions {
    OPTIONS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone().unwrap_or_default()
}

/// The elements of `a[index]`, as the values printing works on.
fn read_scalars(m: &Memmap, index: &[Index]) -> Result<Vec<Scalar>> {
    with_kind!(m.dtype().kind(), T => Ok(m.read::<T>(index)?.into_iter().map(|v| Scalar::from(v.into_scalar())).collect()))
}

/// The shape as `usize`s; an axis too long for this machine's address space cannot be printed.
fn shape_usize(m: &Memmap) -> Result<Vec<usize>> {
    m.shape()
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| Error::invalid(format!("axis length {d} is too large to print"))))
        .collect()
}

fn slice_of(r: &Range<usize>) -> Index {
    let end = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    Index::Slice(Slice { start: Some(end(r.start)), stop: Some(end(r.end)), step: None })
}

/// The elements printing shows (numpy's `_leading_trailing`), read block by block (`a[r0, r1, ...]`
/// for each combination of kept ranges) and laid out in C order of the kept shape.
fn kept_values(m: &Memmap, shape: &[usize], options: &PrintOptions) -> Result<Vec<Scalar>> {
    Selection::new(shape, options).gather(|block| read_scalars(m, &block.iter().map(slice_of).collect::<Vec<_>>()))
}

/// `repr(a)` for a memmap, under the global print options.
pub(crate) fn repr(m: &Memmap) -> Result<String> {
    let options = get_printoptions();
    let shape = shape_usize(m)?;
    let kept = kept_values(m, &shape, &options)?;
    Ok(print::repr(m.class_name(), &shape, &kept, &DtypeInfo::from(m.dtype()), &options))
}

/// `str(a)` for a memmap, under the global print options.
pub(crate) fn str(m: &Memmap) -> Result<String> {
    let options = get_printoptions();
    let shape = shape_usize(m)?;
    let kept = kept_values(m, &shape, &options)?;
    Ok(print::str(&shape, &kept, &DtypeInfo::from(m.dtype()), &options))
}
