//! Moving typed element data between a selection of a mapping and the guest, converting byte order.

use bytemuck::Pod;

use crate::dtype;
use crate::error::Error;
use crate::generated::types::{Dtype, Elements, Order, ScalarKind};
use crate::layout::{self, Layout, Run};
use crate::map::{MapGuard, MappedFile};
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

fn run_bytes(count: u64, item: usize) -> Result<usize, Error> {
    to_usize(count)?.checked_mul(item).ok_or_else(|| Error::overflow(format!("{count} elements overflow")))
}

/// Calls `step(from, n)` for the elements `0..count` of a run, each charged `per_element` bytes
/// ([`meter::element_bytes`]), in blocks of [`meter::block_elements`], looking at `clock` before
/// every block but the first: a long run of a copy or fill stops within 1 MiB of charged work (256
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
/// charging `meter` run by run.
fn gather(map: &MapGuard<'_>, layout: &Layout, dst: &mut [u8], meter: &mut Meter<'_>) -> Result<(), Error> {
    let itemsize = layout.itemsize();
    let packed = Layout::contiguous(layout.shape(), itemsize, Order::C)?;
    let item = to_usize(itemsize)?;
    let step = i64::try_from(itemsize).map_err(|_| Error::overflow("itemsize"))?;
    let clock = meter.clock();
    layout.for_each_run(packed.strides(), |run: Run| -> Result<(), Error> {
        let contiguous = run.array_stride == step;
        let per_element = meter::element_bytes(itemsize, run.array_stride);
        meter.run(run.count, per_element)?;
        if contiguous {
            return in_blocks(run.count, per_element, clock, |from, n| {
                let at = run_bytes(from, item)?;
                let range = window(dst.len(), add(to_usize(run.buffer_offset)?, at)?, run_bytes(n, item)?)?;
                map.read(add(to_usize(run.array_offset)?, at)?, &mut dst[range])
            });
        }
        in_blocks(run.count, per_element, clock, |from, n| {
            for j in from..from + n {
                let range = window(dst.len(), offset_of(run.buffer_offset, j, run.buffer_stride)?, item)?;
                map.read(offset_of(run.array_offset, j, run.array_stride)?, &mut dst[range])?;
            }
            Ok(())
        })
    })
}

/// Copies `src` (laid out by `src_strides` over the selection's shape) into the selection,
/// charging `meter` run by run.
fn scatter(
    map: &MapGuard<'_>,
    layout: &Layout,
    src: &[u8],
    src_strides: &[i64],
    meter: &mut Meter<'_>,
) -> Result<(), Error> {
    let itemsize = layout.itemsize();
    let item = to_usize(itemsize)?;
    let step = i64::try_from(itemsize).map_err(|_| Error::overflow("itemsize"))?;
    let clock = meter.clock();
    layout.for_each_run(src_strides, |run: Run| -> Result<(), Error> {
        let from = to_usize(run.buffer_offset)?;
        let contiguous = run.array_stride == step;
        let per_element = meter::element_bytes(itemsize, run.array_stride);
        meter.run(run.count, per_element)?;
        if contiguous && run.buffer_stride == step {
            return in_blocks(run.count, per_element, clock, |j, n| {
                let at = run_bytes(j, item)?;
                let range = window(src.len(), add(from, at)?, run_bytes(n, item)?)?;
                map.write(add(to_usize(run.array_offset)?, at)?, &src[range])
            });
        }
        if contiguous && run.buffer_stride == 0 {
            let range = window(src.len(), from, item)?;
            return in_blocks(run.count, per_element, clock, |j, n| {
                map.fill(add(to_usize(run.array_offset)?, run_bytes(j, item)?)?, &src[range.clone()], to_usize(n)?)
            });
        }
        // One element at a time (a contiguous run of the mapping from a strided buffer, too): at
        // least a cache line's worth of work per element between looks at the clock.
        in_blocks(run.count, per_element.max(meter::HOST_BYTES_PER_FUEL), clock, |j0, n| {
            for j in j0..j0 + n {
                let range = window(src.len(), offset_of(run.buffer_offset, j, run.buffer_stride)?, item)?;
                map.write(offset_of(run.array_offset, j, run.array_stride)?, &src[range])?;
            }
            Ok(())
        })
    })
}

/// Where a selection lies when it is one contiguous stretch of the mapping, in C order.
fn contiguous_start(layout: &Layout) -> Result<Option<usize>, Error> {
    /// Stops the walk at the second run.
    enum Probe {
        Many,
        Failed(Error),
    }
    impl From<Error> for Probe {
        fn from(e: Error) -> Self {
            Self::Failed(e)
        }
    }
    let step = i64::try_from(layout.itemsize()).map_err(|_| Error::overflow("itemsize"))?;
    let zeros = vec![0i64; layout.shape().len()];
    let mut start = None;
    let walk = layout.for_each_run(&zeros, |run: Run| {
        if start.is_some() || (run.count > 1 && run.array_stride != step) {
            return Err(Probe::Many);
        }
        start = Some(to_usize(run.array_offset)?);
        Ok(())
    });
    match walk {
        Ok(()) => Ok(start),
        Err(Probe::Many) => Ok(None),
        Err(Probe::Failed(e)) => Err(e),
    }
}

/// Reads the selection as values of `T`, `units` of them per element (2 for complex numbers).
fn read_as<T: Pod>(
    map: &MapGuard<'_>,
    layout: &Layout,
    dtype: Dtype,
    units: usize,
    meter: &mut Meter<'_>,
) -> Result<Vec<T>, Error> {
    let count = to_usize(layout.size())?.checked_mul(units).ok_or_else(|| Error::overflow("element count"))?;
    // The common case, a contiguous selection in the host's byte order, is copied into a vector
    // that is not zeroed first: one run, charged (and the clock looked at) before it is copied, in
    // blocks of 1 MiB with a look at the clock between them (see `MapGuard::read_vec`).
    if !dtype::needs_swap(dtype)
        && layout.size() > 0
        && let Some(start) = contiguous_start(layout)?
    {
        meter.run(layout.size(), layout.itemsize())?;
        meter.clock().check()?;
        return map.read_vec(start, count, meter.clock());
    }
    let mut values = vec![T::zeroed(); count];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut values);
    gather(map, layout, bytes, meter)?;
    if dtype::needs_swap(dtype) {
        bytes.chunks_exact_mut(dtype::swap_unit(dtype.kind)).for_each(<[u8]>::reverse);
    }
    Ok(values)
}

/// The selection's elements in C order, like `a[index].copy()`, charging `meter`.
pub(crate) fn read(map: &MappedFile, layout: &Layout, dtype: Dtype, meter: &mut Meter<'_>) -> Result<Elements, Error> {
    let map = &map.reader()?;
    let m = meter;
    Ok(match dtype.kind {
        ScalarKind::Bool => {
            Elements::Bool(read_as::<u8>(map, layout, dtype, 1, m)?.into_iter().map(|b| b != 0).collect())
        }
        ScalarKind::Int8 => Elements::Int8(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Int16 => Elements::Int16(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Int32 => Elements::Int32(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Int64 => Elements::Int64(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Uint8 => Elements::Uint8(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Uint16 => Elements::Uint16(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Uint32 => Elements::Uint32(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Uint64 => Elements::Uint64(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Float16 => Elements::Float16(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Float32 => Elements::Float32(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Float64 => Elements::Float64(read_as(map, layout, dtype, 1, m)?),
        ScalarKind::Complex64 => Elements::Complex64(read_as(map, layout, dtype, 2, m)?),
        ScalarKind::Complex128 => Elements::Complex128(read_as(map, layout, dtype, 2, m)?),
    })
}

/// The kind an `elements` value carries.
fn kind_of(data: &Elements) -> ScalarKind {
    match data {
        Elements::Bool(_) => ScalarKind::Bool,
        Elements::Int8(_) => ScalarKind::Int8,
        Elements::Int16(_) => ScalarKind::Int16,
        Elements::Int32(_) => ScalarKind::Int32,
        Elements::Int64(_) => ScalarKind::Int64,
        Elements::Uint8(_) => ScalarKind::Uint8,
        Elements::Uint16(_) => ScalarKind::Uint16,
        Elements::Uint32(_) => ScalarKind::Uint32,
        Elements::Uint64(_) => ScalarKind::Uint64,
        Elements::Float16(_) => ScalarKind::Float16,
        Elements::Float32(_) => ScalarKind::Float32,
        Elements::Float64(_) => ScalarKind::Float64,
        Elements::Complex64(_) => ScalarKind::Complex64,
        Elements::Complex128(_) => ScalarKind::Complex128,
    }
}

/// The data's bytes in the file's byte order (borrowed when no conversion is needed).
fn file_bytes(data: &Elements, dtype: Dtype) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let native: Cow<'_, [u8]> = match data {
        Elements::Bool(v) => Cow::Owned(v.iter().map(|&b| u8::from(b)).collect()),
        Elements::Int8(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Int16(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Int32(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Int64(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Uint8(v) => Cow::Borrowed(v),
        Elements::Uint16(v) | Elements::Float16(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Uint32(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Uint64(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Float32(v) | Elements::Complex64(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
        Elements::Float64(v) | Elements::Complex128(v) => Cow::Borrowed(bytemuck::cast_slice(v)),
    };
    if !dtype::needs_swap(dtype) {
        return native;
    }
    let mut swapped = native.into_owned();
    swapped.chunks_exact_mut(dtype::swap_unit(dtype.kind)).for_each(<[u8]>::reverse);
    Cow::Owned(swapped)
}

/// The number of bytes `data` carries.
pub(crate) fn byte_len(data: &Elements) -> u64 {
    let (len, size) = match data {
        Elements::Bool(v) => (v.len(), 1),
        Elements::Int8(v) => (v.len(), 1),
        Elements::Uint8(v) => (v.len(), 1),
        Elements::Int16(v) => (v.len(), 2),
        Elements::Uint16(v) | Elements::Float16(v) => (v.len(), 2),
        Elements::Int32(v) => (v.len(), 4),
        Elements::Uint32(v) => (v.len(), 4),
        Elements::Float32(v) | Elements::Complex64(v) => (v.len(), 4),
        Elements::Int64(v) => (v.len(), 8),
        Elements::Uint64(v) => (v.len(), 8),
        Elements::Float64(v) | Elements::Complex128(v) => (v.len(), 8),
    };
    u64::try_from(len).unwrap_or(u64::MAX).saturating_mul(size)
}

/// `a[index] = data`: writes `data`, shaped `data_shape` (default: the selection's shape) and
/// broadcast to the selection by numpy's rules, charging `meter`.
///
/// # Errors
/// `mismatch` for data of another kind, a length that does not fill `data_shape`, or a shape that
/// does not broadcast; `read-only` for a read-only map; a trap past the deadline or the host fuel
/// of `meter` (what was written before stays written, as after a `KeyboardInterrupt` in numpy).
pub(crate) fn write(
    map: &MappedFile,
    layout: &Layout,
    dtype: Dtype,
    data: &Elements,
    data_shape: Option<&[u64]>,
    meter: &mut Meter<'_>,
) -> Result<(), Error> {
    let kind = kind_of(data);
    if kind != dtype.kind {
        return Err(Error::mismatch(format!(
            "cannot assign {} data to a memmap of {}; convert the values first",
            dtype::name(kind),
            dtype::name(dtype.kind)
        )));
    }
    let itemsize = dtype::itemsize(kind);
    let bytes = byte_len(data);
    if !bytes.is_multiple_of(itemsize) {
        return Err(Error::mismatch(format!(
            "{} data must hold real and imaginary parts in pairs; got {} values",
            dtype::name(kind),
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
    let strides = layout::broadcast_strides(shape, target, itemsize)?;
    // Before converting any data, and for empty selections too: numpy refuses `a[:0] = x` on a
    // read-only array as well.
    let map = map.writer()?;
    if layout.size() > 0 {
        scatter(&map, layout, &file_bytes(data, dtype), &strides, meter)?;
    }
    Ok(())
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
        assert_eq!(err, Error::from(meter::Stop::Time));
        // Without a deadline every block is done, in order, covering the whole run.
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
    /// page-strided run looks at the clock every 256 elements (1 MiB of charged work).
    #[test]
    fn a_page_strided_copy_is_charged_per_page_and_stops_at_the_deadline_after_bounded_work() {
        use crate::generated::types::{ByteOrder, Index, Slice};
        use crate::map::{MappedRegion, MmapAccess};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sparse.u1");
        let file =
            std::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        let len = 64 << 20;
        file.set_len(u64::try_from(len).expect("len")).expect("size");
        let raw = MappedRegion::new(&file, 0, len, MmapAccess::Read).expect("map");
        let stats = std::sync::Arc::new(crate::ctx::MemmapStats::default());
        let map = MappedFile::new(Some(raw), MmapAccess::Read, file, 64 << 20, stats, "sparse.u1".into());
        let whole = Layout::contiguous(&[64 << 20], 1, Order::C).expect("layout");
        let layout = whole.view(&[Index::Slice(Slice { start: None, stop: None, step: Some(4096) })]).expect("view");
        let pages = 16_384;
        assert_eq!(layout.size(), pages);
        let dtype = Dtype { kind: ScalarKind::Uint8, byte_order: ByteOrder::Little };

        // Charged per page: 16,384 pages of 4096 bytes at 64 bytes a unit, plus one run.
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
        assert_eq!(err, Error::from(meter::Stop::Time));

        // Inside a run, the copy looks at the clock after each 256 pages.
        let clock = Meter::new(Some(std::time::Instant::now()), &mut fuel).clock();
        let mut done = 0;
        let err = in_blocks(pages, meter::element_bytes(1, 4096), clock, |_, n| {
            done += n;
            Ok(())
        })
        .expect_err("the deadline has passed");
        assert_eq!((done, err), (256, Error::from(meter::Stop::Time)));
    }
}
