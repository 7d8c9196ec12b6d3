//! One element at a time (`item` / `set-item`), like numpy's `a.item(i, j)` and `a[i, j] = v`:
//! the element's byte offset comes straight from the shape and strides and its bytes move through
//! a buffer on the stack, so a call allocates nothing.

use crate::dtype;
use crate::error::Error;
use crate::generated::types::{Dtype, Scalar, ScalarKind};
use crate::layout::Layout;
use crate::map::MappedFile;

/// The largest element: `complex128`.
const MAX_ITEM: usize = 16;

/// `bytes` (one element in native order) reversed part by part into the file's order, or back.
fn swap_parts(bytes: &mut [u8], dtype: Dtype) {
    if dtype::needs_swap(dtype) {
        for part in bytes.chunks_exact_mut(dtype::swap_unit(dtype.kind)) {
            part.reverse();
        }
    }
}

fn item_len(kind: ScalarKind) -> usize {
    // Element sizes are at most 16, so this cannot truncate.
    usize::from(u8::try_from(dtype::itemsize(kind)).unwrap_or(u8::MAX))
}

fn offset_of(layout: &Layout, at: &[i64]) -> Result<usize, Error> {
    let offset = layout.item_offset(at)?;
    usize::try_from(offset)
        .map_err(|_| Error::overflow(format!("element offset {offset} does not fit in this host's address space")))
}

/// The element `a.item(*at)` of the array `layout` over `map`.
///
/// # Errors
/// numpy's index errors (see [`Layout::item_offset`]); `io` when the file no longer covers the
/// mapping.
pub(crate) fn get(map: &MappedFile, layout: &Layout, dtype: Dtype, at: &[i64]) -> Result<Scalar, Error> {
    let offset = offset_of(layout, at)?;
    let mut buf = [0u8; MAX_ITEM];
    let bytes = &mut buf[..item_len(dtype.kind)];
    map.reader()?.read(offset, bytes)?;
    swap_parts(bytes, dtype);
    Ok(decode(dtype.kind, bytes))
}

/// `a[at] = value` for one element (numpy's `a.itemset(*at, value)`).
///
/// # Errors
/// `read-only` for a read-only map, `mismatch` for a value of another kind than the array's, and
/// the errors of [`get`].
pub(crate) fn set(map: &MappedFile, layout: &Layout, dtype: Dtype, at: &[i64], value: &Scalar) -> Result<(), Error> {
    // Like numpy, a read-only array refuses the assignment before looking at the index.
    let access = map.writer()?;
    let kind = kind_of(value);
    if kind != dtype.kind {
        return Err(Error::mismatch(format!(
            "cannot assign a {} value to a memmap of {}; convert the value first",
            dtype::name(kind),
            dtype::name(dtype.kind)
        )));
    }
    let offset = offset_of(layout, at)?;
    let mut buf = [0u8; MAX_ITEM];
    let len = encode(value, &mut buf);
    let bytes = &mut buf[..len];
    swap_parts(bytes, dtype);
    access.write(offset, bytes)
}

fn kind_of(value: &Scalar) -> ScalarKind {
    match value {
        Scalar::Bool(_) => ScalarKind::Bool,
        Scalar::Int8(_) => ScalarKind::Int8,
        Scalar::Int16(_) => ScalarKind::Int16,
        Scalar::Int32(_) => ScalarKind::Int32,
        Scalar::Int64(_) => ScalarKind::Int64,
        Scalar::Uint8(_) => ScalarKind::Uint8,
        Scalar::Uint16(_) => ScalarKind::Uint16,
        Scalar::Uint32(_) => ScalarKind::Uint32,
        Scalar::Uint64(_) => ScalarKind::Uint64,
        Scalar::Float16(_) => ScalarKind::Float16,
        Scalar::Float32(_) => ScalarKind::Float32,
        Scalar::Float64(_) => ScalarKind::Float64,
        Scalar::Complex64(_) => ScalarKind::Complex64,
        Scalar::Complex128(_) => ScalarKind::Complex128,
    }
}

/// The first `N` bytes of `bytes` (which holds at least `N`).
fn take<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut raw = [0u8; N];
    raw.copy_from_slice(&bytes[..N]);
    raw
}

/// The value of one element of `kind` from its native-order bytes.
fn decode(kind: ScalarKind, b: &[u8]) -> Scalar {
    match kind {
        // numpy reads any non-zero byte as `True`.
        ScalarKind::Bool => Scalar::Bool(b[0] != 0),
        ScalarKind::Int8 => Scalar::Int8(i8::from_ne_bytes(take(b))),
        ScalarKind::Int16 => Scalar::Int16(i16::from_ne_bytes(take(b))),
        ScalarKind::Int32 => Scalar::Int32(i32::from_ne_bytes(take(b))),
        ScalarKind::Int64 => Scalar::Int64(i64::from_ne_bytes(take(b))),
        ScalarKind::Uint8 => Scalar::Uint8(b[0]),
        ScalarKind::Uint16 => Scalar::Uint16(u16::from_ne_bytes(take(b))),
        ScalarKind::Uint32 => Scalar::Uint32(u32::from_ne_bytes(take(b))),
        ScalarKind::Uint64 => Scalar::Uint64(u64::from_ne_bytes(take(b))),
        ScalarKind::Float16 => Scalar::Float16(u16::from_ne_bytes(take(b))),
        ScalarKind::Float32 => Scalar::Float32(f32::from_ne_bytes(take(b))),
        ScalarKind::Float64 => Scalar::Float64(f64::from_ne_bytes(take(b))),
        ScalarKind::Complex64 => Scalar::Complex64((f32::from_ne_bytes(take(b)), f32::from_ne_bytes(take(&b[4..])))),
        ScalarKind::Complex128 => Scalar::Complex128((f64::from_ne_bytes(take(b)), f64::from_ne_bytes(take(&b[8..])))),
    }
}

/// Writes `value`'s native-order bytes to the front of `buf`; returns how many.
fn encode(value: &Scalar, buf: &mut [u8; MAX_ITEM]) -> usize {
    fn put(buf: &mut [u8], parts: &[&[u8]]) -> usize {
        let mut len = 0;
        for part in parts {
            buf[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
        len
    }
    match *value {
        // numpy stores `True` as 1.
        Scalar::Bool(v) => put(buf, &[&[u8::from(v)]]),
        Scalar::Int8(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Int16(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Int32(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Int64(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Uint8(v) => put(buf, &[&[v]]),
        Scalar::Uint16(v) | Scalar::Float16(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Uint32(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Uint64(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Float32(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Float64(v) => put(buf, &[&v.to_ne_bytes()]),
        Scalar::Complex64((re, im)) => put(buf, &[&re.to_ne_bytes(), &im.to_ne_bytes()]),
        Scalar::Complex128((re, im)) => put(buf, &[&re.to_ne_bytes(), &im.to_ne_bytes()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_encodes_to_its_itemsize_and_decodes_back() {
        let values = [
            Scalar::Bool(true),
            Scalar::Int8(-3),
            Scalar::Int16(-300),
            Scalar::Int32(-70000),
            Scalar::Int64(i64::MIN),
            Scalar::Uint8(250),
            Scalar::Uint16(65000),
            Scalar::Uint32(4_000_000_000),
            Scalar::Uint64(u64::MAX),
            Scalar::Float16(0x3c00),
            Scalar::Float32(-1.5),
            Scalar::Float64(f64::MIN_POSITIVE),
            Scalar::Complex64((1.5, -2.5)),
            Scalar::Complex128((-0.0, 1e300)),
        ];
        for value in values {
            let mut buf = [0u8; MAX_ITEM];
            let kind = kind_of(&value);
            let len = encode(&value, &mut buf);
            assert_eq!(len, item_len(kind), "{kind:?}");
            assert_eq!(format!("{:?}", decode(kind, &buf[..len])), format!("{value:?}"));
        }
    }
}
