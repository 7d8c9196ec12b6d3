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
use crate::print::{self, DtypeInfo, FloatKind, PrintOptions, Scalar};
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

/// The elements printing shows (numpy's `_leading_trailing`): for each axis the whole axis or its
/// first and last `edgeitems`, read block by block and laid out in C order of the kept shape.
fn kept_values(m: &Memmap, shape: &[usize], options: &PrintOptions) -> Result<Vec<Scalar>> {
    let ranges = print::kept_ranges(shape, options);
    if ranges.iter().any(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let kept_shape: Vec<usize> = ranges.iter().map(|rs| rs.iter().map(|r| r.len()).sum()).collect();
    let total: usize = kept_shape.iter().product();
    let mut kept = vec![Scalar::Bool(false); total];
    // Row-major strides of the kept array.
    let mut strides = vec![1usize; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * kept_shape[axis + 1];
    }
    // Each block picks one range per axis; `choice` walks through all combinations.
    let mut choice = vec![0usize; shape.len()];
    loop {
        let block: Vec<&Range<usize>> = choice.iter().zip(&ranges).map(|(&c, rs)| &rs[c]).collect();
        if block.iter().all(|r| !r.is_empty()) {
            let index: Vec<Index> = block.iter().map(|r| slice_of(r)).collect();
            let values = read_scalars(m, &index)?;
            let origin: Vec<usize> =
                choice.iter().zip(&ranges).map(|(&c, rs)| rs[..c].iter().map(|r| r.len()).sum()).collect();
            let lens: Vec<usize> = block.iter().map(|r| r.len()).collect();
            let mut at = vec![0usize; shape.len()];
            for value in values {
                let pos: usize = at.iter().zip(&origin).zip(&strides).map(|((&i, &o), &s)| (i + o) * s).sum();
                kept[pos] = value;
                for axis in (0..at.len()).rev() {
                    at[axis] += 1;
                    if at[axis] < lens[axis] {
                        break;
                    }
                    at[axis] = 0;
                }
            }
        }
        let mut axis = choice.len();
        loop {
            if axis == 0 {
                return Ok(kept);
            }
            axis -= 1;
            choice[axis] += 1;
            if choice[axis] < ranges[axis].len() {
                break;
            }
            choice[axis] = 0;
        }
    }
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
