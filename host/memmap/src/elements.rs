//! Moving typed element data between a selection of a mapping and the guest, converting byte order.

use bytemuck::Pod;
use wasm_memmap_numpy_core::{self as numpy, DType, Kind, Order, Stretch};

use crate::backing::{Access, Backing};
use crate::error::Error;
use crate::generated::types::{Dtype, Elements};
use crate::layout::{self, Layout};
use crate::meter::{self, Clock, Meter};

fn to_usize(v: u64) -> Result<usize, Error> {
    usize::try_from(v).map_err(|_| Error::overflow(format!("{v} does not fit in this host's address space")))
}

fn offset_of(base: u64, j: u64, stride: i64) -> Result<usize, Error> {
    let at = i128::from(base) + i128::from(j) * i128::from(stride);
    usize::try_from(at).map_err(|_| Error::overflow(format!("byte offset {at} is outside the mapping")))
}

/// `len` bytes of `buf` from `at`, or an error instead of a panic should a layout ever disagree with
/// its buffer.
fn window(buf_len: usize, at: usize, len: usize) -> Result<std::ops::Range<usize>, Error> {
    at.checked_add(len)
        .filter(|&end| end <= buf_len)
        .map(|end| at..end)
        .ok_or_else(|| Error::overflow(format!("bytes {at}..+{len} are outside a {buf_len}-byte buffer")))
}

/// `a + b` for byte offsets, or an error instead of a wrap.
fn add(a: usize, b: usize) -> Result<usize, Error> {
    a.checked_add(b).ok_or_else(|| Error::overflow(format!("byte offset {a} + {b} overflows")))
}

fn stretch_bytes(count: u64, item: usize) -> Result<usize, Error> {
    to_usize(count)?.checked_mul(item).ok_or_else(|| Error::overflow(format!("{count} elements overflow")))
}

/// Calls `step(from, n)` for the elements `0..count` of a stretch, each charged `per_element` bytes
/// ([`meter::element_bytes`]), in blocks of [`meter::block_elements`], looking at `clock` before
/// every block but the first: a long stretch of a copy or fill stops within 1 MiB of charged work (256
/// elements a page apart) of the deadline.
fn in_blocks(
    count: u64,
    per_element: u64,
    clock: Clock,
    mut step: impl FnMut(u64, u64) -> Result<(), Error>,
) -> Result<(), Error> {
    let block = u64::try_from(meter::block_elements(per_element)).unwrap_or(u64::MAX);
    let mut from = 0;
    while from < count {
        if from > 0 {
            clock.check()?;
        }
        let n = block.min(count - from);
        step(from, n)?;
        from += n;
    }
    Ok(())
}

/// Copies the selection `layout` of `map` into `dst`, C order, `itemsize` bytes per element,
/// charging `meter` stretch by stretch.
pub(crate) fn gather(map: &Access<'_>, layout: &Layout, dst: &mut [u8], meter: &mut Meter<'_>) -> Result<(), Error> {
    let itemsize = layout.itemsize();
    let packed = Layout::contiguous(layout.shape(), itemsize, Order::C)?;
    let item = to_usize(itemsize)?;
    let step = i64::try_from(itemsize).map_err(|_| Error::overflow("itemsize"))?;
    let clock = meter.clock();
    layout.for_each_stretch(packed.strides(), |stretch: Stretch| -> Result<(), Error> {
        let contiguous = stretch.array_stride == step;
        let per_element = meter::element_bytes(itemsize, stretch.array_stride);
        meter.charge_stretch(stretch.count, per_element)?;
        if contiguous {
            return in_blocks(stretch.count, per_element, clock, |from, n| {
                let at = stretch_bytes(from, item)?;
                let range = window(dst.len(), add(to_usize(stretch.buffer_offset)?, at)?, stretch_bytes(n, item)?)?;
                map.read(add(to_usize(stretch.array_offset)?, at)?, &mut dst[range])
            });
        }
        in_blocks(stretch.count, per_element, clock, |from, n| {
            for j in from..from + n {
                let range = window(dst.len(), offset_of(stretch.buffer_offset, j, stretch.buffer_stride)?, item)?;
                map.read(offset_of(stretch.array_offset, j, stretch.array_stride)?, &mut dst[range])?;
            }
            Ok(())
        })
    })
}

/// Copies `src` (laid out by `src_strides` over the selection's shape) into the selection,
/// charging `meter` stretch by stretch.
pub(crate) fn scatter(
    map: &Access<'_>,
    layout: &Layout,
    src: &[u8],
    src_strides: &[i64],
    meter: &mut Meter<'_>,
) -> Result<(), Error> {
    let itemsize = layout.itemsize();
    let item = to_usize(itemsize)?;
    let step = i64::try_from(itemsize).map_err(|_| Error::overflow("itemsize"))?;
    let clock = meter.clock();
    layout.for_each_stretch(src_strides, |stretch: Stretch| -> Result<(), Error> {
        let from = to_usize(stretch.buffer_offset)?;
        let contiguous = stretch.array_stride == step;
        let per_element = meter::element_bytes(itemsize, stretch.array_stride);
        meter.charge_stretch(stretch.count, per_element)?;
        if contiguous && stretch.buffer_stride == step {
            return in_blocks(stretch.count, per_element, clock, |j, n| {
                let at = stretch_bytes(j, item)?;
                let range = window(src.len(), add(from, at)?, stretch_bytes(n, item)?)?;
                map.write(add(to_usize(stretch.array_offset)?, at)?, &src[range])
            });
        }
        if contiguous && stretch.buffer_stride == 0 {
            let range = window(src.len(), from, item)?;
            return in_blocks(stretch.count, per_element, clock, |j, n| {
                map.fill(
                    add(to_usize(stretch.array_offset)?, stretch_bytes(j, item)?)?,
                    &src[range.clone()],
                    to_usize(n)?,
                )
            });
        }
        // One element at a time (a contiguous stretch of the mapping from a strided buffer, too): at
        // least a cache line's worth of work per element between looks at the clock.
        in_blocks(stretch.count, per_element.max(meter::HOST_BYTES_PER_FUEL), clock, |j0, n| {
            for j in j0..j0 + n {
                let range = window(src.len(), offset_of(stretch.buffer_offset, j, stretch.buffer_stride)?, item)?;
                map.write(offset_of(stretch.array_offset, j, stretch.array_stride)?, &src[range])?;
            }
            Ok(())
        })
    })
}

/// Where a selection lies when it is one contiguous stretch of the mapping, in C order.
pub(crate) fn contiguous_start(layout: &Layout) -> Result<Option<usize>, Error> {
    /// Stops the walk at the second stretch.
    enum Probe {
        Many,
        Failed(Error),
    }
    impl From<Error> for Probe {
        fn from(e: Error) -> Self {
            Self::Failed(e)
        }
    }
    impl From<numpy::Error> for Probe {
        fn from(e: numpy::Error) -> Self {
            Self::Failed(e.into())
        }
    }
    let step = i64::try_from(layout.itemsize()).map_err(|_| Error::overflow("itemsize"))?;
    let zeros = vec![0i64; layout.shape().len()];
    let mut start = None;
    let walk = layout.for_each_stretch(&zeros, |stretch: Stretch| {
        if start.is_some() || (stretch.count > 1 && stretch.array_stride != step) {
            return Err(Probe::Many);
        }
        start = Some(to_usize(stretch.array_offset)?);
        Ok(())
    });
    match walk {
        Ok(()) => Ok(start),
        Err(Probe::Many) => Ok(None),
        Err(Probe::Failed(e)) => Err(e),
    }
}

/// Refuses a write to the selection `layout` that reaches outside the write region of `map` (see
/// [`Access::restricted`]), before anything is written: a write is all inside the region or not
/// done at all, as the embedder granted.
///
/// # Errors
/// `access-denied` naming the region.
pub(crate) fn check_region(map: &Access<'_>, layout: &Layout) -> Result<(), Error> {
    if !map.restricted() || layout.size() == 0 {
        return Ok(());
    }
    let item = to_usize(layout.itemsize())?;
    let step = i64::try_from(layout.itemsize()).map_err(|_| Error::overflow("itemsize"))?;
    let unused = vec![0i64; layout.shape().len()];
    layout.for_each_stretch(&unused, |stretch: Stretch| -> Result<(), Error> {
        if stretch.array_stride == step {
            return map.check_region(to_usize(stretch.array_offset)?, stretch_bytes(stretch.count, item)?);
        }
        for j in 0..stretch.count {
            map.check_region(offset_of(stretch.array_offset, j, stretch.array_stride)?, item)?;
        }
        Ok(())
    })
}

/// Calls `each` with the byte ranges of the selection `layout` in order (one per contiguous
/// stretch, one per element of a strided one) until it returns `false`.
pub(crate) fn for_each_range(
    layout: &Layout,
    mut each: impl FnMut(usize, usize) -> Result<bool, Error>,
) -> Result<(), Error> {
    /// Stops the walk early.
    enum Walk {
        Done,
        Failed(Error),
    }
    impl From<Error> for Walk {
        fn from(e: Error) -> Self {
            Self::Failed(e)
        }
    }
    impl From<numpy::Error> for Walk {
        fn from(e: numpy::Error) -> Self {
            Self::Failed(e.into())
        }
    }
    if layout.size() == 0 {
        return Ok(());
    }
    let item = to_usize(layout.itemsize())?;
    let step = i64::try_from(layout.itemsize()).map_err(|_| Error::overflow("itemsize"))?;
    let unused = vec![0i64; layout.shape().len()];
    let walk = layout.for_each_stretch(&unused, |stretch: Stretch| -> Result<(), Walk> {
        if stretch.array_stride == step {
            let more = each(to_usize(stretch.array_offset)?, stretch_bytes(stretch.count, item)?)?;
            return if more { Ok(()) } else { Err(Walk::Done) };
        }
        for j in 0..stretch.count {
            if !each(offset_of(stretch.array_offset, j, stretch.array_stride)?, item)? {
                return Err(Walk::Done);
            }
        }
        Ok(())
    });
    match walk {
        Ok(()) | Err(Walk::Done) => Ok(()),
        Err(Walk::Failed(e)) => Err(e),
    }
}

/// Reads the selection as values of `T`: the numbers of the WIT's list, one per element or (for
/// complex numbers) two.
fn read_as<T: Pod>(map: &Access<'_>, layout: &Layout, dtype: DType, meter: &mut Meter<'_>) -> Result<Vec<T>, Error> {
    let units = dtype.itemsize() / size_of::<T>();
    let count = to_usize(layout.size())?.checked_mul(units).ok_or_else(|| Error::overflow("element count"))?;
    // The common case, a contiguous selection in the host's byte order, is copied into a vector
    // that is not zeroed first: one stretch, charged (and the clock looked at) before it is copied,
    // in blocks of 1 MiB with a look at the clock between them (see `MapGuard::read_vec`).
    if !dtype.needs_swap()
        && layout.size() > 0
        && let Some(start) = contiguous_start(layout)?
    {
        meter.charge_stretch(layout.size(), layout.itemsize())?;
        meter.clock().check()?;
        return map.read_vec(start, count, meter.clock());
    }
    map.prefetch(layout)?;
    let mut values = vec![T::zeroed(); count];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut values);
    gather(map, layout, bytes, meter)?;
    if dtype.needs_swap() {
        numpy::swap_bytes(dtype.kind(), bytes);
    }
    Ok(values)
}

/// The numbers a WIT `elements` list holds, read from a selection.
trait ReadUnits: Sized {
    fn read(map: &Access<'_>, layout: &Layout, dtype: DType, meter: &mut Meter<'_>) -> Result<Vec<Self>, Error>;
}

macro_rules! read_units {
    ($($t:ty),*) => {$(
        impl ReadUnits for $t {
            fn read(map: &Access<'_>, layout: &Layout, dtype: DType, meter: &mut Meter<'_>) -> Result<Vec<Self>, Error> {
                read_as(map, layout, dtype, meter)
            }
        }
    )*};
}

read_units!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl ReadUnits for bool {
    /// numpy reads any non-zero byte as `True`.
    fn read(map: &Access<'_>, layout: &Layout, dtype: DType, meter: &mut Meter<'_>) -> Result<Vec<Self>, Error> {
        Ok(read_as::<u8>(map, layout, dtype, meter)?.into_iter().map(|b| b != 0).collect())
    }
}

/// The selection's elements in C order, like `a[index].copy()`, charging `meter`.
pub(crate) fn read(map: &Backing, layout: &Layout, dtype: Dtype, meter: &mut Meter<'_>) -> Result<Elements, Error> {
    let map = &map.reader()?;
    let dtype = DType::from(dtype);
    macro_rules! read {
        ($kind:expr ; $($variant:ident: $t:ty),*) => {
            match $kind { $(Kind::$variant => Elements::$variant(ReadUnits::read(map, layout, dtype, meter)?),)* }
        };
    }
    Ok(numpy::for_each_kind!(read => { dtype.kind() }))
}

/// The selection's elements in C order as bytes in the host's (and wasm32's) byte order, like
/// `a[index].astype(a.dtype.newbyteorder('=')).tobytes()`, charging `meter`. A `bool` reads as 0 or 1
/// whatever byte the file holds, as numpy reads any non-zero byte as `True`.
pub(crate) fn read_bytes(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    meter: &mut Meter<'_>,
) -> Result<Vec<u8>, Error> {
    let map = &map.reader()?;
    let dtype = DType::from(dtype);
    let mut bytes = read_as::<u8>(map, layout, dtype, meter)?;
    if dtype.kind() == Kind::Bool {
        bytes.iter_mut().for_each(|b| *b = u8::from(*b != 0));
    }
    Ok(bytes)
}

/// [`read_bytes`] that lends the selection to wasmtime instead of copying it, when it is one
/// contiguous run of a mapped file in the host's byte order (and not `bool`, whose bytes are made 0
/// or 1): wasmtime's lowering of the result is then the only copy. A Zarr array has no mapping to
/// lend: its bytes are copied out of its chunks. The returned guard must be kept
/// until the result was lowered (see `map/lowering.rs`). Anything else is gathered into one buffer
/// by [`read_bytes`] (`None` for the guard).
pub(crate) fn read_bytes_lent(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    meter: &mut Meter<'_>,
) -> Result<(bytes::Bytes, Option<crate::map::LendGuard>), Error> {
    let native = DType::from(dtype);
    if !native.needs_swap()
        && native.kind() != Kind::Bool
        && layout.size() > 0
        && let Some(start) = contiguous_start(layout)?
        && let Backing::File(file) = map
    {
        let reader = file.reader()?;
        meter.charge_stretch(layout.size(), layout.itemsize())?;
        meter.clock().check()?;
        let len = stretch_bytes(layout.size(), to_usize(layout.itemsize())?)?;
        let (bytes, guard) = reader.lend(start, len, meter.clock())?;
        return Ok((bytes, Some(guard)));
    }
    Ok((bytes::Bytes::from(read_bytes(map, layout, dtype, meter)?), None))
}

/// The kind an `elements` value carries.
fn kind_of(data: &Elements) -> Kind {
    macro_rules! kind_of {
        ($data:expr ; $($variant:ident: $t:ty),*) => {
            match $data { $(Elements::$variant(_) => Kind::$variant,)* }
        };
    }
    numpy::for_each_kind!(kind_of => { data })
}

/// The data's bytes in the host's byte order. A `bool` is one byte, 0 or 1: what numpy stores.
fn native_bytes(data: &Elements) -> &[u8] {
    macro_rules! bytes_of {
        ($data:expr ; $($variant:ident: $t:ty),*) => {
            match $data { $(Elements::$variant(v) => bytemuck::cast_slice::<_, u8>(v),)* }
        };
    }
    numpy::for_each_kind!(bytes_of => { data })
}

/// `native` (elements in the host's byte order) in the file's byte order, with every `bool` byte
/// made 0 or 1 (borrowed when nothing changes).
pub(crate) fn file_bytes(native: &[u8], dtype: DType) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    if dtype.kind() == Kind::Bool && native.iter().any(|&b| b > 1) {
        return Cow::Owned(native.iter().map(|&b| u8::from(b != 0)).collect());
    }
    if !dtype.needs_swap() {
        return Cow::Borrowed(native);
    }
    let mut swapped = native.to_vec();
    numpy::swap_bytes(dtype.kind(), &mut swapped);
    Cow::Owned(swapped)
}

/// The number of bytes `data` carries.
pub(crate) fn byte_len(data: &Elements) -> u64 {
    macro_rules! byte_len {
        ($data:expr ; $($variant:ident: $t:ty),*) => {
            match $data { $(Elements::$variant(v) => size_of_val(v.as_slice()),)* }
        };
    }
    u64::try_from(numpy::for_each_kind!(byte_len => { data })).unwrap_or(u64::MAX)
}

/// `a[index] = data`: writes `data`, shaped `data_shape` (default: the selection's shape) and
/// broadcast to the selection by numpy's rules, charging `meter`.
///
/// # Errors
/// `mismatch` for data of another kind, a length that does not fill `data_shape`, or a shape that
/// does not broadcast; `read-only` for a read-only map; a trap past the deadline or the host fuel
/// of `meter` (what was written before stays written, as after a `KeyboardInterrupt` in numpy).
pub(crate) fn write(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    data: &Elements,
    data_shape: Option<&[u64]>,
    meter: &mut Meter<'_>,
) -> Result<(), Error> {
    let dtype = DType::from(dtype);
    let kind = kind_of(data);
    if kind != dtype.kind() {
        return Err(Error::mismatch(format!(
            "cannot assign {} data to a memmap of {}; convert the values first",
            kind.name(),
            dtype.name()
        )));
    }
    let itemsize = kind.itemsize_u64();
    let bytes = byte_len(data);
    if !bytes.is_multiple_of(itemsize) {
        return Err(Error::mismatch(format!(
            "{} data must hold real and imaginary parts in pairs; got {} values",
            kind.name(),
            bytes / (itemsize / 2)
        )));
    }
    let values = bytes / itemsize;
    let target = layout.shape();
    let shape = data_shape.unwrap_or(target);
    let expected = layout::element_count(shape)
        .ok_or_else(|| Error::overflow(format!("data shape {} overflows", layout::shape_str(shape))))?;
    if values != expected {
        let what = if data_shape.is_some() { "data-shape" } else { "the selection of shape" };
        return Err(Error::mismatch(format!(
            "{values} values were given but {what} {} holds {expected}",
            layout::shape_str(shape)
        )));
    }
    write_native(map, layout, dtype, native_bytes(data), shape, meter)
}

/// `a[index] = np.frombuffer(data, a.dtype.newbyteorder('=')).reshape(data_shape)`: `data` holds
/// elements in the host's byte order (a `bool` is true for any non-zero byte), shaped
/// `data_shape` (default: the selection's shape) and broadcast to the selection, charging `meter`.
///
/// # Errors
/// `mismatch` for a length that is not the itemsize times the elements of `data_shape`, or a
/// shape that does not broadcast; otherwise as [`write`].
pub(crate) fn write_bytes(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    data: &[u8],
    data_shape: Option<&[u64]>,
    meter: &mut Meter<'_>,
) -> Result<(), Error> {
    let dtype = DType::from(dtype);
    let shape = data_shape.unwrap_or(layout.shape());
    check_data_len(data, shape, data_shape.is_some(), dtype)?;
    write_native(map, layout, dtype, data, shape, meter)
}

/// Checks that `data` holds `shape`'s elements of `dtype` (`given_shape`: the plugin gave
/// `shape` as its data-shape, else it is the selection's).
///
/// # Errors
/// `mismatch` naming both lengths.
pub(crate) fn check_data_len(data: &[u8], shape: &[u64], given_shape: bool, dtype: DType) -> Result<(), Error> {
    let itemsize = dtype.kind().itemsize_u64();
    let what = if given_shape { "data-shape" } else { "the selection of shape" };
    let elements = layout::element_count(shape)
        .ok_or_else(|| Error::overflow(format!("data shape {} overflows", layout::shape_str(shape))))?;
    let needed = elements.checked_mul(itemsize);
    let given = u64::try_from(data.len()).unwrap_or(u64::MAX);
    if needed != Some(given) {
        let needed = needed.map_or_else(|| "more than 2**64".to_string(), |n| n.to_string());
        return Err(Error::mismatch(format!(
            "{given} bytes were given but {what} {} holds {elements} elements of {}, {needed} bytes",
            layout::shape_str(shape),
            dtype.name()
        )));
    }
    Ok(())
}

/// Writes `native`, elements of `shape` in the host's byte order whose count the caller checked,
/// broadcast to the selection.
fn write_native(
    map: &Backing,
    layout: &Layout,
    dtype: DType,
    native: &[u8],
    shape: &[u64],
    meter: &mut Meter<'_>,
) -> Result<(), Error> {
    let strides = layout::broadcast_strides(shape, layout.shape(), dtype.kind().itemsize_u64())?;
    // Before converting any data, and for empty selections too: numpy refuses `a[:0] = x` on a
    // read-only array as well.
    let map = map.writer()?;
    if layout.size() > 0 {
        check_region(&map, layout)?;
        scatter(&map, layout, &file_bytes(native, dtype), &strides, meter)?;
    }
    Ok(())
}

/// `a[index] = values` for values made a block at a time: `produce` fills each block it is given
/// with the next elements of the selection in C order, in the host's byte order, and the block is
/// written before the next is made, so nothing the size of the selection is allocated. Charged to
/// `meter`, with a look at its clock between blocks, as a copy is.
///
/// # Errors
/// `read-only` for a read-only map (for an empty selection too, as numpy refuses `a[:0] = x`);
/// the first error of `produce`; a trap past the deadline or the host fuel of `meter`.
pub(crate) fn write_generated(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    meter: &mut Meter<'_>,
    mut produce: impl FnMut(&mut [u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    let dtype = DType::from(dtype);
    let map = map.writer()?;
    if layout.size() == 0 {
        return Ok(());
    }
    check_region(&map, layout)?;
    let itemsize = layout.itemsize();
    let item = to_usize(itemsize)?;
    let step = i64::try_from(itemsize).map_err(|_| Error::overflow("itemsize"))?;
    // The walk needs no buffer: the values are made in the order it visits the elements.
    let unused = vec![0i64; layout.shape().len()];
    let clock = meter.clock();
    let mut block = Vec::new();
    layout.for_each_stretch(&unused, |stretch: Stretch| -> Result<(), Error> {
        let per_element = meter::element_bytes(itemsize, stretch.array_stride);
        meter.charge_stretch(stretch.count, per_element)?;
        in_blocks(stretch.count, per_element, clock, |from, n| {
            block.resize(stretch_bytes(n, item)?, 0);
            produce(&mut block)?;
            if dtype.needs_swap() {
                numpy::swap_bytes(dtype.kind(), &mut block);
            }
            if stretch.array_stride == step {
                return map.write(offset_of(stretch.array_offset, from, stretch.array_stride)?, &block);
            }
            for (j, element) in (from..from + n).zip(block.chunks_exact(item)) {
                map.write(offset_of(stretch.array_offset, j, stretch.array_stride)?, element)?;
            }
            Ok(())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy or fill of many blocks does the first block, then stops at the next look at a
    /// deadline that has passed, with the error the host turns into the time-limit trap.
    #[test]
    fn a_long_copy_stops_between_blocks_once_the_deadline_has_passed() {
        let mut fuel = None;
        let clock = Meter::new(Some(std::time::Instant::now()), &mut fuel).clock();
        let mut done = Vec::new();
        let err = in_blocks(1 << 30, meter::element_bytes(1, 1), clock, |from, n| {
            done.push((from, n));
            Ok(())
        })
        .expect_err("the deadline has passed");
        let block = u64::try_from(meter::block_elements(1)).expect("block");
        assert_eq!(done, [(0, block)]);
        assert_eq!(err, Error::from(meter::HostStop::Time));
        // Without a deadline every block is done, in order, covering the whole stretch.
        let mut covered = 0;
        in_blocks(10 * block + 3, 1, Meter::new(None, &mut fuel).clock(), |from, n| {
            assert_eq!(from, covered);
            covered += n;
            Ok(())
        })
        .expect("no deadline");
        assert_eq!(covered, 10 * block + 3);
    }

    /// `a[::4096].copy()` of a 64 MiB `uint8` file: every element is on a page of its own, so
    /// each is charged a page (4096 bytes, 64 units) where a cache line (1 unit) was charged
    /// before; with a passed deadline the copy traps instead of faulting in 16,384 pages, and a
    /// page-strided stretch looks at the clock every 256 elements (1 MiB of charged work).
    #[test]
    fn a_page_strided_copy_is_charged_per_page_and_stops_at_the_deadline_after_bounded_work() {
        use crate::generated::types::{ByteOrder, Index, ScalarKind, Slice};
        use crate::map::{MappedRegion, MmapAccess};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sparse.u1");
        let file =
            std::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        let len = 64 << 20;
        file.set_len(u64::try_from(len).expect("len")).expect("size");
        let raw = MappedRegion::new(&file, 0, len, MmapAccess::Read).expect("map");
        let stats = std::sync::Arc::new(crate::ctx::MemmapStats::default());
        let map = Backing::File(std::sync::Arc::new(crate::map::MappedFile::new(
            Some(raw),
            MmapAccess::Read,
            file,
            64 << 20,
            stats,
            "sparse.u1".into(),
        )));
        let whole = Layout::contiguous(&[64 << 20], 1, Order::C).expect("layout");
        let layout = whole.view(&[Index::Slice(Slice { start: None, stop: None, step: Some(4096) })]).expect("view");
        let pages = 16_384;
        assert_eq!(layout.size(), pages);
        let dtype = Dtype { kind: ScalarKind::Uint8, byte_order: ByteOrder::Little };

        // Charged per page: 16,384 pages of 4096 bytes at 64 bytes a unit, plus one stretch.
        let mut fuel = Some(u64::MAX);
        let mut meter = Meter::new(None, &mut fuel);
        let values = read(&map, &layout, dtype, &mut meter).expect("read");
        meter.finish().expect("fuel");
        assert!(matches!(&values, Elements::Uint8(v) if v.len() == 16_384 && v.iter().all(|&b| b == 0)));
        assert_eq!(u64::MAX - fuel.expect("metered"), pages * 4096 / 64 + 1);

        // Past the deadline the call stops before its first page.
        let mut fuel = None;
        let mut meter = Meter::new(Some(std::time::Instant::now()), &mut fuel);
        let err = read(&map, &layout, dtype, &mut meter).expect_err("the deadline has passed");
        assert_eq!(err, Error::from(meter::HostStop::Time));

        // Inside a stretch, the copy looks at the clock after each 256 pages.
        let clock = Meter::new(Some(std::time::Instant::now()), &mut fuel).clock();
        let mut done = 0;
        let err = in_blocks(pages, meter::element_bytes(1, 4096), clock, |_, n| {
            done += n;
            Ok(())
        })
        .expect_err("the deadline has passed");
        assert_eq!((done, err), (256, Error::from(meter::HostStop::Time)));
    }

    /// A generated fill makes and writes its values a block at a time in C order of the
    /// selection (here reversed, into a big-endian file): past the deadline it stops before
    /// making anything; without one it fills every element, one block per 1 MiB of charged work.
    #[test]
    fn a_generated_fill_writes_block_by_block_and_stops_at_the_deadline() {
        use crate::generated::types::{ByteOrder, Index, ScalarKind, Slice};
        use crate::map::{MappedRegion, MmapAccess};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("gen.u2");
        let file =
            std::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        let count: u16 = 60_000;
        let len = usize::from(count) * 2;
        file.set_len(u64::try_from(len).expect("len")).expect("size");
        let raw = MappedRegion::new(&file, 0, len, MmapAccess::Write).expect("map");
        let stats = std::sync::Arc::new(crate::ctx::MemmapStats::default());
        let map = Backing::File(std::sync::Arc::new(crate::map::MappedFile::new(
            Some(raw),
            MmapAccess::Write,
            file,
            u64::try_from(len).expect("len"),
            stats,
            "gen.u2".into(),
        )));
        let whole = Layout::contiguous(&[u64::from(count)], 2, Order::C).expect("layout");
        let layout = whole.view(&[Index::Slice(Slice { start: None, stop: None, step: Some(-1) })]).expect("view");
        let dtype = Dtype { kind: ScalarKind::Uint16, byte_order: ByteOrder::Big };
        let mut next = 0u16;
        let mut blocks = 0;
        let mut produce = |block: &mut [u8]| {
            blocks += 1;
            for element in block.chunks_exact_mut(2) {
                element.copy_from_slice(&next.to_ne_bytes());
                next = next.wrapping_add(1);
            }
            Ok(())
        };
        let mut fuel = None;
        let mut meter = Meter::new(Some(std::time::Instant::now()), &mut fuel);
        let err = write_generated(&map, &layout, dtype, &mut meter, &mut produce).expect_err("the deadline has passed");
        assert_eq!(err, Error::from(meter::HostStop::Time));
        // The reversed stretch is charged 64 bytes an element, 3.8 MB, more than a look's worth,
        // so the clock is looked at as it is charged: nothing is made.
        assert_eq!((blocks, next), (0, 0));
        let first = meter::block_elements(meter::element_bytes(2, -2));

        let (mut next, mut blocks) = (0u16, 0);
        let mut meter = Meter::new(None, &mut fuel);
        write_generated(&map, &layout, dtype, &mut meter, |block: &mut [u8]| {
            blocks += 1;
            for element in block.chunks_exact_mut(2) {
                element.copy_from_slice(&next.to_ne_bytes());
                next = next.wrapping_add(1);
            }
            Ok(())
        })
        .expect("no deadline");
        assert_eq!((blocks, next), (usize::from(count).div_ceil(first), count));
        map.flush().expect("flush");
        let bytes = std::fs::read(&path).expect("read");
        // The view's element j is the file's element count - 1 - j, stored big-endian.
        for (position, element) in bytes.chunks_exact(2).enumerate() {
            let j = usize::from(count) - 1 - position;
            assert_eq!(usize::from(u16::from_be_bytes([element[0], element[1]])), j, "element {position}");
        }
    }
}
