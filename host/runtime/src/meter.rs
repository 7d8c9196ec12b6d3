//! Bounds on the host's own work inside a plugin's calls: the run's deadline and a budget of host
//! fuel, checked between blocks of a reduction, a copy or a fill.
//!
//! A host call is native code that wasmtime's epoch interruption and fuel metering never see: one
//! `sum` over a 64 GiB mapping, or a strided copy of millions of runs, would run to its end
//! whatever the plugin's `--timeout` or `--fuel`. So the long loops of `reduce.rs` and
//! `elements.rs` charge a [`Meter`] for each run of elements before they touch it, and look at the
//! clock every [`CHECK_BYTES`] bytes or [`CHECK_RUNS`] runs (one `clock_gettime` through the vDSO,
//! no system call, about 20 ns per megabyte). Past the deadline or the budget the call traps with
//! wasmtime's own [`Trap::Interrupt`] or [`Trap::OutOfFuel`], so an embedder (and
//! `run::limit_trap_message`) reports it exactly as a limit hit in the plugin's code.

use std::time::Instant;

use wasmtime::Trap;

use crate::error::HostError;

/// How many bytes of host work one unit of fuel pays for: a reduction, copy or fill that reads or
/// writes `n` bytes costs `n / 64` units (rounded up), plus one unit per run of elements (a stretch
/// of the selection with one stride). An element of a strided run counts as 64 bytes, the cache
/// line the host loads for it. Deterministic: the same calls on the same selections always cost
/// the same fuel.
///
/// One unit of wasm fuel is about one wasm instruction (under a nanosecond); the host reads 64
/// bytes of a mapping in a few nanoseconds, so a unit buys the host a little more time than it buys
/// the plugin, never orders of magnitude more.
pub const HOST_BYTES_PER_FUEL: u64 = 64;

/// The bytes a long call reads or writes between two looks at the clock: 1 MiB, about 0.1 ms of
/// native work, so a call overshoots its deadline by well under a millisecond per thread.
pub(crate) const CHECK_BYTES: u64 = 1 << 20;

/// The runs of elements between two looks at the clock, however short the runs.
const CHECK_RUNS: u64 = 4096;

/// Why the host stopped a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The run's deadline passed.
    Time,
    /// The host fuel ran out.
    Fuel,
}

impl Stop {
    /// The trap that ends the plugin: wasmtime's own trap for the limit, with what the host was
    /// doing as context.
    pub(crate) fn trap(self) -> wasmtime::Error {
        let (trap, what) = match self {
            Stop::Time => (Trap::Interrupt, "the plugin's time limit passed during a memmap call"),
            Stop::Fuel => (Trap::OutOfFuel, "a memmap call needed more host work than the plugin's fuel pays for"),
        };
        wasmtime::Error::new(trap).context(what)
    }
}

impl From<Stop> for HostError {
    fn from(stop: Stop) -> Self {
        HostError::trap(stop.trap())
    }
}

/// The deadline alone: `Copy`, so the threads of a parallel reduction can each check it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Clock {
    deadline: Option<Instant>,
}

impl Clock {
    /// Fails once the deadline has passed.
    #[inline]
    pub(crate) fn check(self) -> Result<(), Stop> {
        match self.deadline {
            Some(deadline) if Instant::now() >= deadline => Err(Stop::Time),
            _ => Ok(()),
        }
    }
}

/// Counts one host call's work against the plugin's deadline and host fuel (see the module docs).
pub(crate) struct Meter<'a> {
    clock: Clock,
    /// The fuel left, shared by all the plugin's calls; `None` when fuel is not metered.
    fuel: &'a mut Option<u64>,
    /// Bytes (in units of [`HOST_BYTES_PER_FUEL`], before rounding) and runs not charged yet.
    bytes: u64,
    runs: u64,
}

impl<'a> Meter<'a> {
    pub(crate) fn new(deadline: Option<Instant>, fuel: &'a mut Option<u64>) -> Self {
        Self { clock: Clock { deadline }, fuel, bytes: 0, runs: 0 }
    }

    /// The deadline, for checks inside one long run.
    pub(crate) fn clock(&self) -> Clock {
        self.clock
    }

    /// Charges one run of `elements` elements of `item` bytes, `contiguous` or strided, before the
    /// run is touched. Every [`CHECK_BYTES`] bytes or [`CHECK_RUNS`] runs it settles the fuel and
    /// checks the clock: a run larger than that is charged whole before it starts (so a call the
    /// fuel cannot pay for stops before doing anything); its caller checks the clock inside it.
    #[inline]
    pub(crate) fn run(&mut self, elements: u64, item: u64, contiguous: bool) -> Result<(), Stop> {
        let per_element = if contiguous { item } else { item.max(HOST_BYTES_PER_FUEL) };
        self.bytes = self.bytes.saturating_add(elements.saturating_mul(per_element));
        self.runs += 1;
        if self.bytes >= CHECK_BYTES || self.runs >= CHECK_RUNS { self.settle(true) } else { Ok(()) }
    }

    /// Charges what is still uncharged; with `look`, also checks the clock.
    fn settle(&mut self, look: bool) -> Result<(), Stop> {
        let cost = self.bytes.div_ceil(HOST_BYTES_PER_FUEL).saturating_add(self.runs);
        self.bytes = 0;
        self.runs = 0;
        if let Some(fuel) = self.fuel.as_mut() {
            if cost > *fuel {
                *fuel = 0;
                return Err(Stop::Fuel);
            }
            *fuel -= cost;
        }
        if look { self.clock.check() } else { Ok(()) }
    }

    /// Ends the call: charges the rest of its work (without looking at the clock: the call is
    /// done, and the plugin's own code is stopped by wasmtime's epoch checks).
    pub(crate) fn finish(mut self) -> Result<(), Stop> {
        self.settle(false)
    }
}

/// Elements of a run of `item`-byte elements between two looks at the clock: [`CHECK_BYTES`] worth
/// (an element of a strided run counting as [`HOST_BYTES_PER_FUEL`] bytes), and at least 1024, a
/// multiple of 8 so that blocks of a pairwise sum fall where numpy's own splits fall.
pub(crate) fn block_elements(item: usize, contiguous: bool) -> usize {
    let per_element = if contiguous { item.max(1) } else { item.max(64) };
    let per_block = usize::try_from(CHECK_BYTES).unwrap_or(usize::MAX) / per_element;
    per_block.max(1024) & !7
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuel_is_charged_by_bytes_and_runs_and_stops_the_call_that_overdraws_it() {
        let mut fuel = Some(100);
        let mut meter = Meter::new(None, &mut fuel);
        // 10 runs of 64 contiguous bytes: 10 units of bytes + 10 of runs.
        for _ in 0..10 {
            meter.run(8, 8, true).unwrap();
        }
        meter.finish().unwrap();
        assert_eq!(fuel, Some(80));
        // A strided run costs a cache line per element: 100 elements = 100 units + 1 > 80.
        let mut meter = Meter::new(None, &mut fuel);
        meter.run(100, 1, false).unwrap();
        assert_eq!(meter.finish(), Err(Stop::Fuel));
        assert_eq!(fuel, Some(0));
    }

    #[test]
    fn a_run_larger_than_a_block_is_charged_before_it_starts() {
        let mut fuel = Some(1000);
        let mut meter = Meter::new(None, &mut fuel);
        assert_eq!(meter.run(8 << 30, 1, true), Err(Stop::Fuel));
    }

    #[test]
    fn a_passed_deadline_stops_at_the_next_check() {
        let mut fuel = None;
        let mut meter = Meter::new(Some(Instant::now()), &mut fuel);
        // Short runs only look at the clock every CHECK_RUNS runs.
        let stopped = (0..CHECK_RUNS).map(|_| meter.run(2, 1, false)).position(|r| r.is_err());
        assert_eq!(stopped, Some(usize::try_from(CHECK_RUNS).unwrap() - 1));
        assert_eq!(Clock { deadline: Some(Instant::now()) }.check(), Err(Stop::Time));
        assert_eq!(Clock::default().check(), Ok(()));
    }

    #[test]
    fn blocks_are_whole_multiples_of_eight_elements() {
        for (item, contiguous) in [(1, true), (8, true), (16, true), (1, false), (8, false), (1 << 30, true)] {
            let n = block_elements(item, contiguous);
            assert!(n >= 1024 && n.is_multiple_of(8), "{item} {contiguous}: {n}");
        }
    }
}
