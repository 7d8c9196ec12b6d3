//! Whole-selection reductions the host runs natively on the mapping (`sum`, `min`, `max`, `mean`):
//! the selection is read once, in place, and only one number crosses into the plugin.
//!
//! Sums use numpy's pairwise summation (`pairwise_sum` in numpy's `loops_utils.h.src`) stretch by stretch,
//! the way numpy's reduction loop calls it, so that the sum of a native-order `float64` array has
//! numpy's bits.

use std::sync::OnceLock;

use std::marker::PhantomData;

use wasm_memmap_numpy_core::{ByteOrder, DType, Element, Kind, Stretch, with_kind};

use crate::backing::{Access, Backing};
use crate::error::Error;
use crate::generated::types::Dtype;
use crate::layout::Layout;
use crate::meter::{self, Clock, HostStop, Meter};

/// Which reduction to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reduction {
    /// `a.sum()`.
    Sum,
    /// `a.min()`.
    Min,
    /// `a.max()`.
    Max,
    /// `a.mean()`.
    Mean,
}

impl Reduction {
    /// numpy's ufunc name, for its "no identity" message.
    fn ufunc(self) -> &'static str {
        match self {
            Self::Min => "minimum",
            Self::Max => "maximum",
            Self::Sum | Self::Mean => "add",
        }
    }
}

/// How to turn the bytes of one element into an `f64`.
trait Load {
    const SIZE: usize;
    /// Whether the elements are `f64`s in this host's byte order (read in place when aligned).
    const NATIVE_F64: bool = false;
    fn load(bytes: &[u8]) -> f64;
}

/// Elements of type `T` stored big-endian (`BIG`) or little-endian, converted as numpy's
/// `astype(np.float64)` converts them (see [`Element::to_f64`]).
struct Stored<T, const BIG: bool>(PhantomData<T>);

impl<T: Element, const BIG: bool> Load for Stored<T, BIG> {
    // Every element type is exactly its kind's itemsize.
    const SIZE: usize = size_of::<T>();
    const NATIVE_F64: bool = matches!(T::KIND, Kind::Float64) && BIG == cfg!(target_endian = "big");
    #[inline(always)]
    fn load(bytes: &[u8]) -> f64 {
        // Within the stretch: `Elems` is sized to cover every element, so this always decodes.
        T::decode(bytes, if BIG { ByteOrder::Big } else { ByteOrder::Little }).map_or(f64::NAN, Element::to_f64)
    }
}

/// The elements of one stretch, in the order numpy visits them: element `i` starts at byte
/// `base + i * stride` of `bytes`.
struct Elems<'a> {
    bytes: &'a [u8],
    base: isize,
    stride: isize,
    contiguous: bool,
}

impl Elems<'_> {
    #[inline(always)]
    fn get<K: Load>(&self, i: usize) -> f64 {
        // Within the stretch: `Elems::new` sized `bytes` to cover every element, so these fit.
        let at = self.base + isize::try_from(i).unwrap_or(isize::MAX) * self.stride;
        K::load(&self.bytes[usize::try_from(at).unwrap_or(usize::MAX)..])
    }
}

/// [`pairwise`] over native `f64`s, the common case: the 8 accumulators are added lane by lane,
/// which the compiler turns into SIMD additions without changing a single rounding.
fn pairwise_f64(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        return a.iter().fold(-0.0, |res, &v| res + v);
    }
    if n <= 128 {
        let full = n - n % 8;
        let mut blocks = a[..full].chunks_exact(8);
        let mut r = [0.0f64; 8];
        if let Some(first) = blocks.next() {
            r.copy_from_slice(first);
        }
        for block in blocks {
            for (r, v) in r.iter_mut().zip(block) {
                *r += v;
            }
        }
        let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        return a[full..].iter().fold(res, |res, &v| res + v);
    }
    let half = n / 2;
    let half = half - half % 8;
    pairwise_f64(&a[..half]) + pairwise_f64(&a[half..])
}

/// numpy's `pairwise_sum` of elements `start..start + n`: sequential below 8 elements, 8
/// accumulators up to 128, halves (at a multiple of 8) above.
fn pairwise<K: Load>(e: &Elems<'_>, start: usize, n: usize) -> f64 {
    if K::NATIVE_F64
        && e.contiguous
        && start == 0
        && let Ok(values) = bytemuck::try_cast_slice::<u8, f64>(&e.bytes[..n * 8])
    {
        return pairwise_f64(values);
    }
    if n < 8 {
        // numpy starts this sum at -0.0 so that a sum of negative zeros stays -0.0.
        let mut res = -0.0;
        for i in start..start + n {
            res += e.get::<K>(i);
        }
        return res;
    }
    if n <= 128 {
        let mut r = [0.0f64; 8];
        let full = n - n % 8;
        if e.contiguous {
            let block = &e.bytes[start * K::SIZE..(start + full) * K::SIZE];
            let mut chunks = block.chunks_exact(8 * K::SIZE);
            if let Some(first) = chunks.next() {
                for (j, r) in r.iter_mut().enumerate() {
                    *r = K::load(&first[j * K::SIZE..]);
                }
            }
            for chunk in chunks {
                for (j, r) in r.iter_mut().enumerate() {
                    *r += K::load(&chunk[j * K::SIZE..]);
                }
            }
        } else {
            for (j, r) in r.iter_mut().enumerate() {
                *r = e.get::<K>(start + j);
            }
            for i in (8..full).step_by(8) {
                for (j, r) in r.iter_mut().enumerate() {
                    *r += e.get::<K>(start + i + j);
                }
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for i in full..n {
            res += e.get::<K>(start + i);
        }
        return res;
    }
    let half = n / 2;
    let half = half - half % 8;
    pairwise::<K>(e, start, half) + pairwise::<K>(e, start + half, n - half)
}

/// [`pairwise`] of elements `start..start + n` with a look at `clock` before each block of
/// `block` elements: the same halves as `pairwise` down to the blocks, so the same additions in the
/// same order and the same bits, while a sum of gigabytes stops within a block of its deadline.
fn pairwise_checked<K: Load>(
    e: &Elems<'_>,
    start: usize,
    n: usize,
    block: usize,
    clock: Clock,
) -> Result<f64, HostStop> {
    if n <= block.max(128) {
        clock.check()?;
        if e.contiguous && start > 0 {
            // A block of a contiguous stretch as a stretch of its own, so native `f64`s take the fast path.
            let sub = Elems { bytes: &e.bytes[start * K::SIZE..], base: 0, stride: e.stride, contiguous: true };
            return Ok(pairwise::<K>(&sub, 0, n));
        }
        return Ok(pairwise::<K>(e, start, n));
    }
    let half = pairwise_half(n);
    Ok(pairwise_checked::<K>(e, start, half, block, clock)?
        + pairwise_checked::<K>(e, start + half, n - half, block, clock)?)
}

/// The smallest (`max == false`) or largest element of a stretch, and whether any was NaN; looks at
/// `clock` before each block of `block` elements.
fn extreme<K: Load>(
    e: &Elems<'_>,
    n: usize,
    max: bool,
    best: &mut f64,
    nan: &mut bool,
    (block, clock): (usize, Clock),
) -> Result<(), HostStop> {
    for from in (0..n).step_by(block.max(1)) {
        if n > block {
            clock.check()?;
        }
        for i in from..n.min(from.saturating_add(block)) {
            let v = e.get::<K>(i);
            *nan |= v.is_nan();
            if (max && v > *best) || (!max && v < *best) {
                *best = v;
            }
        }
    }
    Ok(())
}

fn to_usize(v: u64) -> Result<usize, Error> {
    usize::try_from(v).map_err(|_| Error::overflow(format!("{v} does not fit in this host's address space")))
}

fn to_isize(v: i64) -> Result<isize, Error> {
    isize::try_from(v).map_err(|_| Error::overflow(format!("stride {v} does not fit in this host's address space")))
}

/// One stretch of the selection as a range of the mapping's bytes.
struct StretchBytes {
    /// The lowest byte the stretch touches.
    low: usize,
    /// Bytes from `low` to the end of the stretch's highest element.
    len: usize,
    /// Where the stretch's first element starts, from `low`.
    base: isize,
    stride: isize,
    contiguous: bool,
    count: usize,
    /// Elements between two looks at the clock ([`meter::block_elements`] of the bytes each
    /// element is charged).
    block: usize,
}

impl StretchBytes {
    fn elems<'a>(&self, bytes: &'a [u8]) -> Elems<'a> {
        Elems { bytes, base: self.base, stride: self.stride, contiguous: self.contiguous }
    }
}

/// Calls `f` with each stretch of the selection, in numpy's order, charging `meter` for each stretch
/// before `f` reads it.
fn for_each_stretch_bytes(
    layout: &Layout,
    meter: &mut Meter<'_>,
    mut f: impl FnMut(&StretchBytes) -> Result<(), Error>,
) -> Result<(), Error> {
    let item = to_usize(layout.itemsize())?;
    let zeros = vec![0i64; layout.shape().len()];
    layout.for_each_stretch(&zeros, |stretch: Stretch| {
        let count = to_usize(stretch.count)?;
        let stride = to_isize(stretch.array_stride)?;
        let start = to_usize(stretch.array_offset)?;
        // The stretch covers `span` bytes below or above its first element, depending on the sign of
        // its stride.
        let span = isize::try_from(count.saturating_sub(1))
            .ok()
            .and_then(|c| c.checked_mul(stride))
            .ok_or_else(|| Error::overflow("a stretch of the selection spans more than the address space"))?;
        let low = if span < 0 {
            start
                .checked_sub(span.unsigned_abs())
                .ok_or_else(|| Error::overflow(format!("a stretch reaches below byte 0 from byte {start}")))?
        } else {
            start
        };
        let len = span
            .unsigned_abs()
            .checked_add(item)
            .ok_or_else(|| Error::overflow("a stretch of the selection spans more than the address space"))?;
        let base = isize::try_from(start - low).map_err(|_| Error::overflow("stretch offset"))?;
        let contiguous = usize::try_from(stride).is_ok_and(|s| s == item);
        let per_element = meter::element_bytes(layout.itemsize(), stretch.array_stride);
        meter.charge_stretch(stretch.count, per_element)?;
        let block = meter::block_elements(per_element);
        f(&StretchBytes { low, len, base, stride, contiguous, count, block })
    })
}

/// Runs `f` on each stretch of the selection, read in place.
fn for_each_elems(
    map: &Access<'_>,
    layout: &Layout,
    meter: &mut Meter<'_>,
    mut f: impl FnMut(&Elems<'_>, usize, usize) -> Result<(), HostStop>,
) -> Result<(), Error> {
    for_each_stretch_bytes(layout, meter, |stretch| {
        Ok(map.with_bytes(stretch.low, stretch.len, |bytes| f(&stretch.elems(bytes), stretch.count, stretch.block))??)
    })
}

/// Contiguous stretches of at least this many bytes are summed on several threads (see
/// [`sum_stretch`]): below it, starting threads costs more than it saves.
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// How many parts a large stretch is summed in: numpy's top-level halves (2) or quarters (4), the
/// largest that the machine's CPUs (`available_parallelism`) can run at once, at most 4 (the
/// memory bandwidth of one socket is shared by more threads than that without gain).
///
/// Asked once per process: `available_parallelism` reads cgroup files (several system calls),
/// which once per stretch made a sum of a strided view take seconds per million stretches.
fn parallel_parts() -> usize {
    static PARTS: OnceLock<usize> = OnceLock::new();
    *PARTS.get_or_init(|| match std::thread::available_parallelism().map_or(1, std::num::NonZero::get) {
        0 | 1 => 1,
        2 | 3 => 2,
        _ => 4,
    })
}

/// numpy's first split of a pairwise sum of `n` (> 128) elements: the first half, rounded down to
/// a multiple of 8.
fn pairwise_half(n: usize) -> usize {
    let half = n / 2;
    half - half % 8
}

/// The pairwise sum of one stretch. A large contiguous stretch is cut where [`pairwise`] itself would cut
/// it (its top-level halves, or their halves) and the parts are summed on separate threads, then
/// added in `pairwise`'s order: the same additions in the same order, so the same bits, while the
/// page faults and the reading of the parts overlap.
///
/// A stretch of more than one block ([`meter::block_elements`]) looks at `clock` between blocks.
fn sum_stretch<K: Load>(map: &Access<'_>, stretch: &StretchBytes, clock: Clock) -> Result<f64, Error> {
    let parts = parallel_parts();
    let block = stretch.block;
    if stretch.count <= block {
        return map
            .with_bytes(stretch.low, stretch.len, |bytes| pairwise::<K>(&stretch.elems(bytes), 0, stretch.count));
    }
    if !stretch.contiguous || stretch.len < PARALLEL_MIN_BYTES || parts < 2 || stretch.count <= 4 * 128 {
        let sum = map.with_bytes(stretch.low, stretch.len, |bytes| {
            pairwise_checked::<K>(&stretch.elems(bytes), 0, stretch.count, block, clock)
        })??;
        return Ok(sum);
    }
    let ranges = split_ranges(stretch.count, parts);
    let byte_ranges: Vec<(usize, usize)> =
        ranges.iter().map(|&(start, n)| (stretch.low + start * K::SIZE, n * K::SIZE)).collect();
    let sums = map.with_bytes_parallel(&byte_ranges, |bytes| {
        let elems = Elems { bytes, base: 0, stride: stretch.stride, contiguous: true };
        pairwise_checked::<K>(&elems, 0, bytes.len() / K::SIZE, block, clock)
    })?;
    Ok(combine(&sums.into_iter().collect::<Result<Vec<f64>, HostStop>>()?))
}

/// The element ranges `(start, count)` of `count` (> 512) elements cut in `parts` (2 or 4) where
/// [`pairwise`] cuts them: its two top-level halves, or their halves.
fn split_ranges(count: usize, parts: usize) -> Vec<(usize, usize)> {
    let half = pairwise_half(count);
    let mut ranges = Vec::with_capacity(4);
    for (start, n) in [(0, half), (half, count - half)] {
        if parts == 4 {
            let quarter = pairwise_half(n);
            ranges.extend([(start, quarter), (start + quarter, n - quarter)]);
        } else {
            ranges.push((start, n));
        }
    }
    ranges
}

/// The sums of the parts of [`split_ranges`] added as [`pairwise`] adds them.
fn combine(sums: &[f64]) -> f64 {
    match *sums {
        [a, b] => a + b,
        [a, b, c, d] => (a + b) + (c + d),
        _ => sums.iter().sum(),
    }
}

/// [`reduce`] of elements loaded by `K`.
fn reduce_as<K: Load>(map: &Access<'_>, layout: &Layout, op: Reduction, meter: &mut Meter<'_>) -> Result<f64, Error> {
    let size = layout.size();
    let clock = meter.clock();
    match op {
        Reduction::Sum | Reduction::Mean => {
            let mut acc = 0.0;
            for_each_stretch_bytes(layout, meter, |stretch| {
                acc += sum_stretch::<K>(map, stretch, clock)?;
                Ok(())
            })?;
            if op == Reduction::Sum {
                return Ok(acc);
            }
            // `u64 -> f64` rounds like numpy's division by the element count.
            #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
            let count = size as f64;
            Ok(acc / count)
        }
        Reduction::Min | Reduction::Max => {
            if size == 0 {
                return Err(Error::invalid(format!(
                    "zero-size array to reduction operation {} which has no identity",
                    op.ufunc()
                )));
            }
            let max = op == Reduction::Max;
            let mut best = if max { f64::NEG_INFINITY } else { f64::INFINITY };
            let mut nan = false;
            for_each_elems(map, layout, meter, |e, n, block| {
                extreme::<K>(e, n, max, &mut best, &mut nan, (block, clock))
            })?;
            Ok(if nan { f64::NAN } else { best })
        }
    }
}

/// Reduces the selection `layout` of `map`, whose elements are `dtype`, charging `meter`.
///
/// # Errors
/// `invalid-argument` for a complex array and for `min`/`max` of an empty selection (numpy's
/// message); `io` when the file no longer covers its mapping; a trap past the deadline or the host
/// fuel of `meter`.
pub(crate) fn reduce(
    map: &Backing,
    layout: &Layout,
    dtype: Dtype,
    op: Reduction,
    meter: &mut Meter<'_>,
) -> Result<f64, Error> {
    let access = &map.reader()?;
    let dtype = DType::from(dtype);
    if dtype.kind().is_complex() {
        return Err(Error::invalid(format!(
            "{} of a {} array is not supported by the host; read the values and reduce them in the plugin",
            match op {
                Reduction::Sum => "sum",
                Reduction::Min => "min",
                Reduction::Max => "max",
                Reduction::Mean => "mean",
            },
            dtype.name()
        )));
    }
    let big = dtype.byte_order() == ByteOrder::Big;
    with_kind!(dtype.kind(), T => if big {
        reduce_as::<Stored<T, true>>(access, layout, op, meter)
    } else {
        reduce_as::<Stored<T, false>>(access, layout, op, meter)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_split_for_threads_has_the_bits_of_the_whole_pairwise_sum() {
        // A fixed pseudo-random sequence of values of mixed magnitudes, so that the order of the
        // additions shows in the last bits.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let values: Vec<f64> = (0..300_007)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                // 52 random mantissa bits in [-0.5, 0.5), times 1 to 1e8.
                let mantissa = f64::from_bits((state >> 12) | 0x3ff0_0000_0000_0000) - 1.5;
                mantissa * 10f64.powi(i32::try_from(state % 9).unwrap())
            })
            .collect();
        for n in [520, 1000, 4097, 100_001, 262_151, 300_007] {
            let whole = pairwise_f64(&values[..n]);
            for parts in [2, 4] {
                let ranges = split_ranges(n, parts);
                assert_eq!(ranges.iter().map(|r| r.1).sum::<usize>(), n);
                let sums: Vec<f64> = ranges.iter().map(|&(start, k)| pairwise_f64(&values[start..start + k])).collect();
                assert_eq!(combine(&sums).to_bits(), whole.to_bits(), "{n} elements in {parts} parts");
            }
        }
    }

    #[test]
    fn half_precision_values_convert_exactly() {
        let f16_to_f64 = |bits: u16| Stored::<wasm_memmap_numpy_core::half::f16, false>::load(&bits.to_le_bytes());
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x7bff), 65504.0);
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(f16_to_f64(0x7c00), f64::INFINITY);
        assert!(f16_to_f64(0x7e00).is_nan());
        // The same bits stored big-endian.
        assert_eq!(Stored::<wasm_memmap_numpy_core::half::f16, true>::load(&0x3c00u16.to_be_bytes()), 1.0);
    }
}
