//! Bounds on the host's own work inside a plugin's calls: the run's deadline and a budget of host
//! fuel, checked between blocks of a reduction, a copy or a fill.
//!
//! A host call is native code that wasmtime's epoch interruption and fuel metering never see: one
//! `sum` over a 64 GiB mapping, or a strided copy of millions of stretches, would run to its end
//! whatever the plugin's time or fuel limit. So the long loops of `reduce.rs` and
//! `elements.rs` charge a [`Meter`] for each stretch of elements before they touch it, and look at the
//! clock every [`CHECK_BYTES`] bytes or [`CHECK_STRETCHES`] stretches (one `clock_gettime` through the vDSO,
//! no system call, about 20 ns per megabyte). Past the deadline or the budget the call traps with
//! wasmtime's own [`Trap::Interrupt`] or [`Trap::OutOfFuel`], so an embedder (and
//! `InstanceLimits::stop`) reports it exactly as a limit hit in the plugin's code.

use std::time::Instant;

use wasmtime::Trap;

use crate::error::HostError;

/// How many bytes of host work one unit of fuel pays for: a reduction, copy or fill that reads or
/// writes `n` bytes costs `n / 64` units (rounded up), plus one unit per stretch of elements (a stretch
/// of the selection with one stride). An element of a strided stretch counts as its stride, clamped to
/// 64 bytes (the cache line the host loads for it) at least and 4096 bytes (a page, which the
/// kernel may have to fault in or read from disk for it) at most. So a
/// strided view `a[::4096]` of a `uint8` file costs a page per element, as much as reading the
/// file whole, which is what touching every page of it costs the host. Deterministic: the same
/// calls on the same selections always cost the same fuel, on every host.
///
/// One unit of wasm fuel is about one wasm instruction (under a nanosecond); the host reads 64
/// bytes of a mapping in a few nanoseconds, so a unit buys the host a little more time than it buys
/// the plugin, never orders of magnitude more.
pub const HOST_BYTES_PER_FUEL: u64 = 64;

/// The bytes a long call reads or writes between two looks at the clock: 1 MiB, about 0.1 ms of
/// native work, so a call overshoots its deadline by well under a millisecond per thread.
pub(crate) const CHECK_BYTES: u64 = 1 << 20;

/// The stretches of elements between two looks at the clock, however short the stretches: each may start
/// on a page of its own (a fault, or a disk read when the page is not cached), so 256 stretches are up
/// to 1 MiB of pages, as [`CHECK_BYTES`]. A look costs about 20 ns, under 1% of 256 stretches' work.
const CHECK_STRETCHES: u64 = 256;

/// The most bytes one element is charged (see [`HOST_BYTES_PER_FUEL`]): the page size of x86-64
/// and most `aarch64` Linux hosts. Fixed rather than read from the host, so that fuel stays
/// deterministic.
pub(crate) const PAGE_BYTES: u64 = 4096;

/// The bytes one element of `item` bytes is charged in a stretch whose elements lie `stride` bytes
/// apart in the mapping: `item` when the stretch is contiguous and ascending (`stride == item`, copied
/// or summed as one block), else the stride's size clamped to `64..=4096` ([`HOST_BYTES_PER_FUEL`]
/// to [`PAGE_BYTES`]), and never less than `item`. A stride of a page or more touches a new page
/// with every element, which is what the host pays for (a fault, or a disk read), whatever the
/// element's size.
pub(crate) fn element_bytes(item: u64, stride: i64) -> u64 {
    if u64::try_from(stride).is_ok_and(|s| s == item) {
        item
    } else {
        stride.unsigned_abs().clamp(HOST_BYTES_PER_FUEL, PAGE_BYTES).max(item)
    }
}

/// Why the host stopped a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostStop {
    /// The run's deadline passed.
    Time,
    /// The host fuel ran out.
    Fuel,
}

impl HostStop {
    /// The trap that ends the plugin: wasmtime's own trap for the limit, with what the host was
    /// doing as context.
    pub(crate) fn trap(self) -> wasmtime::Error {
        let (trap, what) = match self {
            HostStop::Time => (Trap::Interrupt, "the plugin's time limit passed during a memmap call"),
            HostStop::Fuel => (Trap::OutOfFuel, "a memmap call needed more host work than the plugin's fuel pays for"),
        };
        wasmtime::Error::new(trap).context(what)
    }
}

impl From<HostStop> for HostError {
    fn from(stop: HostStop) -> Self {
        HostError::trap(stop.trap())
    }
}

/// The deadline alone: `Copy`, so the threads of a parallel reduction can each check it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Clock {
    deadline: Option<Instant>,
}

impl Clock {
    /// A clock for `deadline` (tests of the copies that take one).
    #[cfg(test)]
    pub(crate) fn at(deadline: Option<Instant>) -> Self {
        Self { deadline }
    }

    /// Fails once the deadline has passed.
    #[inline]
    pub(crate) fn check(self) -> Result<(), HostStop> {
        match self.deadline {
            Some(deadline) if Instant::now() >= deadline => Err(HostStop::Time),
            _ => Ok(()),
        }
    }
}

/// Counts one host call's work against the plugin's deadline and host fuel (see the module docs).
pub(crate) struct Meter<'a> {
    clock: Clock,
    /// The fuel left, shared by all the plugin's calls; `None` when fuel is not metered.
    fuel: &'a mut Option<u64>,
    /// Bytes (in units of [`HOST_BYTES_PER_FUEL`], before rounding) and stretches not charged yet.
    bytes: u64,
    stretches: u64,
}

impl<'a> Meter<'a> {
    pub(crate) fn new(deadline: Option<Instant>, fuel: &'a mut Option<u64>) -> Self {
        Self { clock: Clock { deadline }, fuel, bytes: 0, stretches: 0 }
    }

    /// The deadline, for checks inside one long stretch.
    pub(crate) fn clock(&self) -> Clock {
        self.clock
    }

    /// Charges one stretch of `elements` elements of `per_element` bytes each (its [`element_bytes`])
    /// before the stretch is touched. Every [`CHECK_BYTES`] bytes charged or [`CHECK_STRETCHES`] stretches it
    /// settles the fuel and checks the clock: a stretch larger than that is charged whole before it
    /// starts (so a call the fuel cannot pay for stops before doing anything); its caller checks
    /// the clock inside it, every [`block_elements`] elements, which is also every
    /// [`CHECK_BYTES`] bytes charged.
    #[inline]
    pub(crate) fn charge_stretch(&mut self, elements: u64, per_element: u64) -> Result<(), HostStop> {
        self.bytes = self.bytes.saturating_add(elements.saturating_mul(per_element));
        self.stretches += 1;
        if self.bytes >= CHECK_BYTES || self.stretches >= CHECK_STRETCHES { self.settle(true) } else { Ok(()) }
    }

    /// Charges what is still uncharged; with `look`, also checks the clock.
    fn settle(&mut self, look: bool) -> Result<(), HostStop> {
        let cost = self.bytes.div_ceil(HOST_BYTES_PER_FUEL).saturating_add(self.stretches);
        self.bytes = 0;
        self.stretches = 0;
        if let Some(fuel) = self.fuel.as_mut() {
            if cost > *fuel {
                *fuel = 0;
                return Err(HostStop::Fuel);
            }
            *fuel -= cost;
        }
        if look { self.clock.check() } else { Ok(()) }
    }

    /// Ends the call: charges the rest of its work (without looking at the clock: the call is
    /// done, and the plugin's own code is stopped by wasmtime's epoch checks).
    pub(crate) fn finish(mut self) -> Result<(), HostStop> {
        self.settle(false)
    }
}

/// Elements of a stretch between two looks at the clock: [`CHECK_BYTES`] worth when each element is
/// charged `per_element` bytes (its [`element_bytes`]: 256 elements a page apart, 1 MiB of
/// contiguous bytes), at least 128 (numpy's pairwise-sum block), and a multiple of 8. The blocks
/// of a sum do not change its bits: a pairwise sum cuts a stretch at the same places however long its
/// blocks are (see `reduce::pairwise_checked`).
pub(crate) fn block_elements(per_element: u64) -> usize {
    let per_block = CHECK_BYTES / per_element.max(1);
    usize::try_from(per_block).unwrap_or(usize::MAX).max(128) & !7
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuel_is_charged_by_bytes_and_runs_and_stops_the_call_that_overdraws_it() {
        let mut fuel = Some(100);
        let mut meter = Meter::new(None, &mut fuel);
        // 10 stretches of 64 contiguous bytes: 10 units of bytes + 10 of stretches.
        for _ in 0..10 {
            meter.charge_stretch(8, element_bytes(8, 8)).unwrap();
        }
        meter.finish().unwrap();
        assert_eq!(fuel, Some(80));
        // A strided stretch costs a cache line per element: 100 elements = 100 units + 1 > 80.
        let mut meter = Meter::new(None, &mut fuel);
        meter.charge_stretch(100, element_bytes(1, 2)).unwrap();
        assert_eq!(meter.finish(), Err(HostStop::Fuel));
        assert_eq!(fuel, Some(0));
    }

    #[test]
    fn a_run_larger_than_a_block_is_charged_before_it_starts() {
        let mut fuel = Some(1000);
        let mut meter = Meter::new(None, &mut fuel);
        assert_eq!(meter.charge_stretch(8 << 30, element_bytes(1, 1)), Err(HostStop::Fuel));
    }

    #[test]
    fn a_passed_deadline_stops_at_the_next_check() {
        let mut fuel = None;
        let mut meter = Meter::new(Some(Instant::now()), &mut fuel);
        // Short stretches only look at the clock every CHECK_STRETCHES stretches.
        let stopped =
            (0..CHECK_STRETCHES).map(|_| meter.charge_stretch(2, element_bytes(1, 2))).position(|r| r.is_err());
        assert_eq!(stopped, Some(usize::try_from(CHECK_STRETCHES).unwrap() - 1));
        assert_eq!(Clock { deadline: Some(Instant::now()) }.check(), Err(HostStop::Time));
        assert_eq!(Clock::default().check(), Ok(()));
    }

    #[test]
    fn blocks_are_whole_multiples_of_eight_elements() {
        for (item, stride) in [(1, 1), (8, 8), (16, 16), (1, 2), (8, -8), (8, 4096), (8, 1 << 40), (1 << 30, 1 << 30)] {
            let n = block_elements(element_bytes(item, stride));
            assert!(n >= 128 && n.is_multiple_of(8), "{item} {stride}: {n}");
        }
    }

    /// A strided element costs its stride between a cache line and a page, and never less than
    /// its own size; a contiguous one its size.
    #[test]
    fn a_strided_element_is_charged_its_stride_from_a_cache_line_to_a_page() {
        let cases = [
            ((8, 8), 8),
            ((8, -8), 64),
            ((1, 2), 64),
            ((8, 800), 800),
            ((8, -800), 800),
            ((1, 4096), 4096),
            ((1, 1 << 20), 4096),
            ((8, i64::MIN), 4096),
            ((8, 0), 64),
            ((16, 0), 64),
        ];
        for ((item, stride), bytes) in cases {
            assert_eq!(element_bytes(item, stride), bytes, "item {item}, stride {stride}");
        }
        // Blocks between looks at the clock are 1 MiB of charged bytes: 256 page-strided elements.
        assert_eq!(block_elements(element_bytes(1, 1 << 20)), 256);
        assert_eq!(block_elements(element_bytes(8, 8)), 1 << 17);
    }

    /// A strided pass with a page between elements (each element a page fault, or a disk read):
    /// one page charged per element, so a million of them cost what reading 4 GiB does, and with
    /// a passed deadline the meter stops it at its first look, after 1 MiB of charged work.
    #[test]
    fn a_page_strided_pass_is_charged_per_page_and_stops_at_the_deadline_after_bounded_work() {
        let page = element_bytes(8, 1 << 16);
        let mut fuel = Some(u64::MAX);
        let mut meter = Meter::new(None, &mut fuel);
        meter.charge_stretch(1_000_000, page).unwrap();
        meter.finish().unwrap();
        assert_eq!(fuel, Some(u64::MAX - (1_000_000 * 4096 / HOST_BYTES_PER_FUEL + 1)));
        // Two-element stretches a page apart, with a passed deadline: the meter looks at the clock once
        // 1 MiB (128 stretches of 2 pages) has been charged.
        let mut fuel = None;
        let mut meter = Meter::new(Some(Instant::now()), &mut fuel);
        let stopped = (0..10_000).map(|_| meter.charge_stretch(2, page)).position(|r| r.is_err());
        assert_eq!(stopped, Some(127));
    }
}
