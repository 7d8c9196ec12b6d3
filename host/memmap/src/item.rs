//! One element at a time (`item` / `set-item`), like numpy's `a.item(i, j)` and `a[i, j] = v`:
//! the element's byte offset comes straight from the shape and strides and its bytes move through
//! a buffer on the stack, so a call allocates nothing.

use wasm_memmap_numpy_core::{self as numpy, DType, MAX_ITEMSIZE};

use crate::backing::Backing;
use crate::error::Error;
use crate::generated::types::{Dtype, Scalar};
use crate::layout::Layout;

fn offset_of(layout: &Layout, at: &[i64]) -> Result<usize, Error> {
    to_usize(layout.item_offset(at)?)
}

/// The element `a.item(*at)` of the array `layout` over `map`.
///
/// # Errors
/// numpy's index errors (see [`Layout::item_offset`]); `io` when the file no longer covers the
/// mapping.
pub(crate) fn get(map: &Backing, layout: &Layout, dtype: Dtype, at: &[i64]) -> Result<Scalar, Error> {
    read_at(map, dtype, offset_of(layout, at)?)
}

/// The element `a.flat[flat]` (numpy's "index 12 is out of bounds for size 12").
///
/// # Errors
/// As [`get`].
pub(crate) fn get_flat(map: &Backing, layout: &Layout, dtype: Dtype, flat: i64) -> Result<Scalar, Error> {
    read_at(map, dtype, to_usize(layout.flat_offset(flat)?)?)
}

fn to_usize(offset: u64) -> Result<usize, Error> {
    usize::try_from(offset)
        .map_err(|_| Error::overflow(format!("element offset {offset} does not fit in this host's address space")))
}

fn read_at(map: &Backing, dtype: Dtype, offset: usize) -> Result<Scalar, Error> {
    let dtype = DType::from(dtype);
    let mut buf = [0u8; MAX_ITEMSIZE];
    let bytes = &mut buf[..dtype.itemsize()];
    map.reader()?.read(offset, bytes)?;
    // The buffer holds exactly one element, so this always decodes.
    let value = numpy::Scalar::decode(dtype.kind(), bytes, dtype.byte_order())
        .ok_or_else(|| Error::overflow(format!("{} bytes do not hold a {} element", bytes.len(), dtype.name())))?;
    Ok(value.into())
}

/// `a[at] = value` for one element (numpy's `a.itemset(*at, value)`).
///
/// # Errors
/// `read-only` for a read-only map, `mismatch` for a value of another kind than the array's, and
/// the errors of [`get`].
pub(crate) fn set(map: &Backing, layout: &Layout, dtype: Dtype, at: &[i64], value: &Scalar) -> Result<(), Error> {
    write_at(map, dtype, value, || offset_of(layout, at))
}

/// `a.flat[flat] = value`.
///
/// # Errors
/// As [`set`].
pub(crate) fn set_flat(map: &Backing, layout: &Layout, dtype: Dtype, flat: i64, value: &Scalar) -> Result<(), Error> {
    write_at(map, dtype, value, || to_usize(layout.flat_offset(flat)?))
}

/// Writes `value` at the offset `offset` gives, after the checks that come before the index.
fn write_at(
    map: &Backing,
    dtype: Dtype,
    value: &Scalar,
    offset: impl FnOnce() -> Result<usize, Error>,
) -> Result<(), Error> {
    // Like numpy, a read-only array refuses the assignment before looking at the index.
    let access = map.writer()?;
    let dtype = DType::from(dtype);
    let value = numpy::Scalar::from(*value);
    let kind = value.kind();
    if kind != dtype.kind() {
        return Err(Error::mismatch(format!(
            "cannot assign a {} value to a memmap of {}; convert the value first",
            kind.name(),
            dtype.name()
        )));
    }
    let offset = offset()?;
    let mut buf = [0u8; MAX_ITEMSIZE];
    // The buffer holds the largest element, so this always encodes.
    let len = value
        .encode(dtype.byte_order(), &mut buf)
        .ok_or_else(|| Error::overflow(format!("a {} element does not fit in {MAX_ITEMSIZE} bytes", dtype.name())))?;
    access.write(offset, &buf[..len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::types::ByteOrder;

    /// Every WIT scalar goes through numpy-core's codec and back unchanged, in both byte orders,
    /// in its kind's itemsize.
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
            for order in [ByteOrder::Little, ByteOrder::Big] {
                let scalar = numpy::Scalar::from(value);
                let mut buf = [0u8; MAX_ITEMSIZE];
                let len = scalar.encode(order.into(), &mut buf).expect("fits");
                assert_eq!(len, scalar.kind().itemsize(), "{value:?}");
                let back = numpy::Scalar::decode(scalar.kind(), &buf[..len], order.into()).expect("decodes");
                assert_eq!(format!("{:?}", Scalar::from(back)), format!("{value:?}"));
            }
        }
    }
}
