//! numpy's integer-array indexing over a mapping: `take` (`a[idx]`, `a.flat[idx]`, `np.take`)
//! gathers the elements at many scattered positions into one buffer, `put` (`a[idx] = v`,
//! `np.put`) writes them, in one host call each. Every index is checked (numpy-core's
//! [`Layout::integer_take`]) before the first byte is copied or written.

use wasm_memmap_numpy_core::{self as numpy, DType, IntegerIndices, Kind, Taken};

use crate::backing::{Access, Backing};
use crate::elements;
use crate::error::Error;
use crate::generated::types::{Dtype, Indices};
use crate::layout::{self, Layout};
use crate::meter::{self, Meter};

/// Elements between two looks at the clock in a scattered copy: each may be on a page of its
/// own, so as many as [`meter`]'s stretches (256 pages, 1 MiB).
const BLOCK: usize = 256;

/// The WIT's indices as numpy-core's.
pub(crate) fn integer_indices(indices: &Indices) -> IntegerIndices<'_> {
    match indices {
        Indices::Flat(idx) => IntegerIndices::Flat(idx),
        Indices::PerAxis(arrays) => IntegerIndices::PerAxis(arrays),
    }
}

/// The bytes the indices take across the boundary: 8 per integer.
pub(crate) fn index_bytes(indices: IntegerIndices<'_>) -> u64 {
    indices.integers().saturating_mul(8)
}

/// The selection's shape and its byte size, checked for structure (numpy's "too many indices",
/// "shape mismatch") but not yet for the values, so the caller can bound the bytes first.
pub(crate) fn selection(layout: &Layout, indices: IntegerIndices<'_>) -> Result<(Vec<u64>, u64), Error> {
    let shape = layout.integer_shape(indices)?;
    let bytes = layout::element_count(&shape).and_then(|n| n.checked_mul(layout.itemsize())).unwrap_or(u64::MAX);
    Ok((shape, bytes))
}

/// A shape as numpy prints it in broadcast errors: `(2,5)`, `(3,)`.
fn compact(shape: &[u64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(u64::to_string).collect::<Vec<_>>().join(",")),
    }
}

fn to_usize(v: u64) -> Result<usize, Error> {
    usize::try_from(v).map_err(|_| Error::overflow(format!("{v} does not fit in this host's address space")))
}

/// The fuel of a scattered element at `offset` after one at `previous`: as a stretch with that
/// stride ([`meter::element_bytes`]), so neighbours cost what a contiguous copy costs and distant
/// positions a page each. Deterministic: it depends on the indices only.
fn charge(item: u64, previous: Option<u64>, offset: u64) -> u64 {
    let stride = previous.map_or(i64::MAX, |p| i64::try_from(i128::from(offset) - i128::from(p)).unwrap_or(i64::MAX));
    meter::element_bytes(item, stride)
}

/// Calls `step` on the element offsets of `taken` in blocks of [`BLOCK`], charging `meter` for
/// each block before it and looking at the clock between blocks.
fn each_block(
    taken: &Taken,
    item: u64,
    meter: &mut Meter<'_>,
    mut step: impl FnMut(usize, &[usize]) -> Result<(), Error>,
) -> Result<(), Error> {
    let clock = meter.clock();
    let mut previous = None;
    let mut offsets = Vec::with_capacity(BLOCK.min(taken.offsets().len()));
    for (b, block) in taken.offsets().chunks(BLOCK).enumerate() {
        if b > 0 {
            clock.check()?;
        }
        offsets.clear();
        let mut cost = 0u64;
        for &offset in block {
            cost = cost.saturating_add(charge(item, previous, offset));
            previous = Some(offset);
            offsets.push(to_usize(offset)?);
        }
        meter.charge_stretch(1, cost)?;
        step(b * BLOCK, &offsets)?;
    }
    Ok(())
}

/// `a[idx].astype(a.dtype.newbyteorder('=')).tobytes()`: the selection's elements in C order, in
/// the host's byte order (a `bool` as 0 or 1), charging `meter`. The caller bounded the
/// selection's bytes ([`selection`]).
pub(crate) fn take(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    indices: IntegerIndices<'_>,
    meter: &mut Meter<'_>,
) -> Result<Vec<u8>, Error> {
    let (_, bytes) = selection(layout, indices)?;
    let mut taken = layout.integer_take(indices)?;
    let map = map.reader()?;
    let dtype = DType::from(dtype);
    let item = layout.itemsize();
    let mut out = vec![0u8; to_usize(bytes)?];
    if taken.is_elements() {
        let size = to_usize(item)?;
        each_block(&taken, item, meter, |from, offsets| {
            let at = from * size;
            map.read_at(offsets, size, &mut out[at..at + offsets.len() * size])
        })?;
    } else {
        gather_rows(&map, &mut taken, &mut out, meter)?;
    }
    if dtype.needs_swap() {
        numpy::swap_bytes(dtype.kind(), &mut out);
    }
    if dtype.kind() == Kind::Bool {
        out.iter_mut().for_each(|b| *b = u8::from(*b != 0));
    }
    Ok(out)
}

/// Copies the sub-array at each taken position (the axes left whole) into consecutive rows of `out`.
fn gather_rows(map: &Access<'_>, taken: &mut Taken, out: &mut [u8], meter: &mut Meter<'_>) -> Result<(), Error> {
    let positions = taken.offsets().len();
    if positions == 0 {
        return Ok(());
    }
    let row = out.len() / positions;
    for (k, dst) in out.chunks_exact_mut(row.max(1)).enumerate().take(positions) {
        elements::gather(map, taken.rest_at(k), dst, meter)?;
    }
    Ok(())
}

/// `a[idx] = np.frombuffer(data, a.dtype.newbyteorder('=')).reshape(data_shape)`: `data` holds
/// elements in the host's byte order, shaped `data_shape` (default: the selection's shape) and
/// broadcast to the selection; a position given twice gets the last value. A read-only map refuses
/// it first; then every index is checked before anything is written. The caller bounded the
/// selection's bytes ([`selection`]).
///
/// # Errors
/// `read-only`; numpy's index errors; `mismatch` for a length or shape that does not fit, as
/// `write-bytes`; a trap past the deadline or the host fuel.
pub(crate) fn put(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    indices: IntegerIndices<'_>,
    data: &[u8],
    data_shape: Option<&[u64]>,
    meter: &mut Meter<'_>,
) -> Result<(), Error> {
    // numpy refuses the assignment to a read-only array before it looks at the indices.
    let writer = map.writer()?;
    let (target, _) = selection(layout, indices)?;
    let dtype = DType::from(dtype);
    let shape = data_shape.unwrap_or(&target);
    elements::check_data_len(data, shape, data_shape.is_some(), dtype)?;
    let item = layout.itemsize();
    let strides = layout::broadcast_strides(shape, &target, item).map_err(|e| {
        if e.code() == numpy::ErrorCode::Mismatch {
            // numpy's words for an integer-array assignment, not a slice's.
            Error::mismatch(format!(
                "shape mismatch: value array of shape {} could not be broadcast to indexing result of shape {}",
                compact(shape),
                compact(&target)
            ))
        } else {
            e.into()
        }
    })?;
    let mut taken = layout.integer_take(indices)?;
    if taken.offsets().is_empty() {
        return Ok(());
    }
    let native = elements::file_bytes(data, dtype);
    let step = to_usize(strides[0].unsigned_abs())?;
    // Every position inside the write region (if any) before anything is written.
    if writer.restricted() {
        if taken.is_elements() {
            let size = to_usize(item)?;
            for &offset in taken.offsets() {
                writer.check_region(to_usize(offset)?, size)?;
            }
        } else {
            for k in 0..taken.offsets().len() {
                elements::check_region(&writer, taken.rest_at(k))?;
            }
        }
    }
    if taken.is_elements() {
        let size = to_usize(item)?;
        return each_block(&taken, item, meter, |from, offsets| {
            let start = from.checked_mul(step).ok_or_else(|| Error::overflow("data offset"))?;
            let src = native.get(start..).ok_or_else(|| Error::overflow("data offset"))?;
            writer.write_at(offsets, size, src, step)
        });
    }
    for k in 0..taken.offsets().len() {
        let start = k.checked_mul(step).ok_or_else(|| Error::overflow("data offset"))?;
        let src = native.get(start..).ok_or_else(|| Error::overflow("data offset"))?;
        elements::scatter(&writer, taken.rest_at(k), src, &strides[1..], meter)?;
    }
    Ok(())
}
