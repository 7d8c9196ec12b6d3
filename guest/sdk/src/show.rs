//! Printing a [`Memmap`] the way numpy prints an `np.memmap`, reading only the elements shown.

use std::ops::Range;
use std::sync::Mutex;

use half::f16;
use num_complex::{Complex32, Complex64};

use crate::bindings::wasm_memmap::array::types::ByteOrder;
use crate::element::Element;
use crate::error::{Error, Result};
use crate::index::{Index, Slice};
use crate::memmap::Memmap;
use crate::print::{self, DtypeInfo, FloatKind, PrintOptions, Scalar, Selection};
use crate::{DType, Kind};

/// numpy's global print options; `None` until [`set_printoptions`] is first called.
static OPTIONS: Mutex<Option<PrintOptions>> = Mutex::new(None);

/// Sets the options [`Memmap::repr`] and `Display` print with, like `np.set_printoptions(...)`.
pub fn set_printoptions(options: PrintOptions) {
    *OPTIONS.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(options);
}

/// The current print options, like `np.get_printoptions()`.
pub fn get_printoptions() -> PrintOptions {
    OPTIONS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone().unwrap_or_default()
}

fn dtype_info(dtype: DType) -> Result<DtypeInfo> {
    DtypeInfo::from_name(dtype.name())
        .map(|info| info.with_big_endian(dtype.byte_order() == ByteOrder::Big && dtype.itemsize() > 1))
        .ok_or_else(|| Error::invalid(format!("cannot print dtype {dtype}")))
}

fn scalars<T: Element>(m: &Memmap, index: &[Index], to: impl Fn(T) -> Scalar) -> Result<Vec<Scalar>> {
    Ok(m.read::<T>(index)?.into_iter().map(to).collect())
}

/// The elements of `a[index]`, as the values printing works on.
fn read_scalars(m: &Memmap, index: &[Index]) -> Result<Vec<Scalar>> {
    match m.dtype().kind() {
        Kind::Bool => scalars(m, index, Scalar::Bool),
        Kind::Int8 => scalars(m, index, |v: i8| Scalar::Int(v.into())),
        Kind::Int16 => scalars(m, index, |v: i16| Scalar::Int(v.into())),
        Kind::Int32 => scalars(m, index, |v: i32| Scalar::Int(v.into())),
        Kind::Int64 => scalars(m, index, |v: i64| Scalar::Int(v.into())),
        Kind::Uint8 => scalars(m, index, |v: u8| Scalar::Int(v.into())),
        Kind::Uint16 => scalars(m, index, |v: u16| Scalar::Int(v.into())),
        Kind::Uint32 => scalars(m, index, |v: u32| Scalar::Int(v.into())),
        Kind::Uint64 => scalars(m, index, |v: u64| Scalar::Int(v.into())),
        Kind::Float16 => scalars(m, index, |v: f16| Scalar::Float(v.to_f64(), FloatKind::F16)),
        Kind::Float32 => scalars(m, index, |v: f32| Scalar::Float(v.into(), FloatKind::F32)),
        Kind::Float64 => scalars(m, index, |v: f64| Scalar::Float(v, FloatKind::F64)),
        Kind::Complex64 => scalars(m, index, |v: Complex32| Scalar::Complex(v.re.into(), v.im.into(), FloatKind::F32)),
        Kind::Complex128 => scalars(m, index, |v: Complex64| Scalar::Complex(v.re, v.im, FloatKind::F64)),
    }
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
    Ok(print::repr(m.class_name(), &shape, &kept, &dtype_info(m.dtype())?, &options))
}

/// `str(a)` for a memmap, under the global print options.
pub(crate) fn str(m: &Memmap) -> Result<String> {
    let options = get_printoptions();
    let shape = shape_usize(m)?;
    let kept = kept_values(m, &shape, &options)?;
    Ok(print::str(&shape, &kept, &dtype_info(m.dtype())?, &options))
}
