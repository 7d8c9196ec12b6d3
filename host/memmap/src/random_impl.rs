//! The `random` interface: numpy's `Generator(PCG64(SeedSequence(seed)))`, drawn by the host
//! with the `numpy-random` crate (the code the SDK's `random` module runs in a plugin), so every
//! plugin language draws numpy's exact streams.
//!
//! Each generator is a handle like a `memmap` one and counts against the same limit on live
//! handles ([`MemmapLimits::max_handles`](crate::MemmapLimits::max_handles)), so a plugin cannot
//! fill the host with them. `draw` is bounded by the per-call transfer limit before anything is
//! drawn; `fill` writes into the map block by block, never holding the selection's values at once,
//! and both are charged to the meter and stop at the run's deadline.

use std::io::Read as _;
use std::sync::Arc;

use wasm_memmap_arrayprint::{FloatKind, cast_bits};
use wasm_memmap_numpy_core::{DType, Kind, KindClass};
use wasm_memmap_numpy_random::{self as numpy_random, Pcg64, SeedSequence, ValueError};
use wasmtime::component::Resource;

use crate::WasmMemmap;
use crate::ctx::MemmapStats;
use crate::elements;
use crate::error::{Error, HostError};
use crate::generated::random::{Distribution, Host, HostGenerator, IntegerParams, NormalParams};
use crate::generated::types::Index;
use crate::handle::Memmap;

/// The value behind a plugin's `generator` handle: numpy's `Generator`, and the counters its life
/// is counted in (it is a live handle until dropped).
pub struct Generator {
    rng: numpy_random::Generator,
    stats: Arc<MemmapStats>,
}

impl Generator {
    fn new(rng: numpy_random::Generator, stats: Arc<MemmapStats>) -> Self {
        stats.handle_opened();
        Self { rng, stats }
    }
}

impl Drop for Generator {
    fn drop(&mut self) {
        self.stats.handle_closed();
    }
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator").finish_non_exhaustive()
    }
}

/// Values drawn between two looks at the clock: 1 MiB of float64 or int64.
const BLOCK: usize = 1 << 17;

/// The kinds of values a distribution draws.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Drawn {
    Float,
    Int,
}

fn name(distribution: &Distribution) -> &'static str {
    match distribution {
        Distribution::Random => "random",
        Distribution::StandardNormal => "standard-normal",
        Distribution::Normal(_) => "normal",
        Distribution::Integers(_) => "integers",
    }
}

fn drawn(distribution: &Distribution) -> Drawn {
    if matches!(distribution, Distribution::Integers(_)) { Drawn::Int } else { Drawn::Float }
}

fn value_error(e: ValueError) -> Error {
    Error::invalid(e.0)
}

/// Checks the distribution's parameters as numpy does before it draws `count` values: a
/// negative scale always, the bounds of `integers` only when something is drawn.
fn check(distribution: &Distribution, count: u64) -> Result<(), Error> {
    match *distribution {
        Distribution::Normal(NormalParams { scale, .. }) => numpy_random::check_normal(scale).map_err(value_error),
        Distribution::Integers(IntegerParams { low, high, endpoint }) if count > 0 => {
            numpy_random::check_integers(low, high, endpoint).map(|_| ()).map_err(value_error)
        }
        _ => Ok(()),
    }
}

/// Scratch buffers for drawing a block at a time.
#[derive(Default)]
struct Scratch {
    floats: Vec<f64>,
    ints: Vec<i64>,
}

impl Scratch {
    /// Draws `n` values of `distribution` (checked) into the buffer of its kind.
    fn draw(&mut self, rng: &mut numpy_random::Generator, distribution: &Distribution, n: usize) -> Result<(), Error> {
        match *distribution {
            Distribution::Random => rng.fill_random(resized(&mut self.floats, n)),
            Distribution::StandardNormal => rng.fill_standard_normal(resized(&mut self.floats, n)),
            Distribution::Normal(NormalParams { loc, scale }) => {
                rng.fill_normal(loc, scale, resized(&mut self.floats, n)).map_err(value_error)?;
            }
            Distribution::Integers(IntegerParams { low, high, endpoint }) => {
                rng.fill_integers(low, high, endpoint, resized(&mut self.ints, n)).map_err(value_error)?;
            }
        }
        Ok(())
    }
}

fn resized<T: Default + Clone>(buffer: &mut Vec<T>, n: usize) -> &mut [T] {
    buffer.resize(n, T::default());
    buffer
}

/// The range of values an integer kind holds.
fn int_range(kind: Kind) -> Option<(i128, i128)> {
    Some(match kind {
        Kind::Int8 => (i128::from(i8::MIN), i128::from(i8::MAX)),
        Kind::Int16 => (i128::from(i16::MIN), i128::from(i16::MAX)),
        Kind::Int32 => (i128::from(i32::MIN), i128::from(i32::MAX)),
        Kind::Int64 => (i128::from(i64::MIN), i128::from(i64::MAX)),
        Kind::Uint8 => (0, i128::from(u8::MAX)),
        Kind::Uint16 => (0, i128::from(u16::MAX)),
        Kind::Uint32 => (0, i128::from(u32::MAX)),
        Kind::Uint64 => (0, i128::from(u64::MAX)),
        _ => return None,
    })
}

/// Stores one drawn integer as an element of `kind` in the host's byte order; the caller checked
/// that `kind` holds every value the draw can give.
fn store_int(kind: Kind, v: i64, out: &mut [u8]) -> Result<(), Error> {
    let lost = || Error::overflow(format!("{v} does not fit in {}", kind.name()));
    macro_rules! store {
        ($t:ty) => {
            out.copy_from_slice(&<$t>::try_from(v).map_err(|_| lost())?.to_ne_bytes())
        };
    }
    match kind {
        Kind::Int8 => store!(i8),
        Kind::Int16 => store!(i16),
        Kind::Int32 => store!(i32),
        Kind::Int64 => store!(i64),
        Kind::Uint8 => store!(u8),
        Kind::Uint16 => store!(u16),
        Kind::Uint32 => store!(u32),
        Kind::Uint64 => store!(u64),
        _ => return Err(lost()),
    }
    Ok(())
}

/// Stores one drawn float64 as an element of `kind`, rounded as numpy's cast rounds it.
fn store_float(kind: Kind, v: f64, out: &mut [u8]) -> Result<(), Error> {
    let lost = || Error::overflow(format!("a float cannot be stored in {}", kind.name()));
    match kind {
        Kind::Float16 => {
            out.copy_from_slice(&u16::try_from(cast_bits(v, FloatKind::F16)).map_err(|_| lost())?.to_ne_bytes());
        }
        Kind::Float32 => {
            out.copy_from_slice(&u32::try_from(cast_bits(v, FloatKind::F32)).map_err(|_| lost())?.to_ne_bytes());
        }
        Kind::Float64 => out.copy_from_slice(&v.to_ne_bytes()),
        _ => return Err(lost()),
    }
    Ok(())
}

/// Checks that the values of `distribution` can be stored in an array of `dtype`, as `a[index] =
/// draws` stores them without changing their value: floats in a float array, integers in an
/// integer array that holds the whole range (when `count` values are drawn).
fn check_target(distribution: &Distribution, dtype: DType, count: u64) -> Result<(), Error> {
    let kind = dtype.kind();
    let what = name(distribution);
    match *distribution {
        Distribution::Integers(IntegerParams { low, high, endpoint }) => {
            let Some((min, max)) = int_range(kind) else {
                return Err(Error::mismatch(format!(
                    "cannot fill a memmap of {} with the int64 values of integers; an integer array is needed",
                    kind.name()
                )));
            };
            if count == 0 {
                return Ok(());
            }
            let top = numpy_random::check_integers(low, high, endpoint).map_err(value_error)?;
            if i128::from(low) < min || i128::from(top) > max {
                return Err(Error::mismatch(format!(
                    "integers from {low} to {top} do not fit in a memmap of {}, which holds {min} to {max}",
                    kind.name()
                )));
            }
            Ok(())
        }
        _ if kind.class() == KindClass::Float => Ok(()),
        _ => Err(Error::mismatch(format!(
            "cannot fill a memmap of {} with the float64 values of {what}; a float16, float32 or float64 array is needed",
            kind.name()
        ))),
    }
}

/// 128 bits of the host's entropy as four seed words, as `SeedSequence()` takes
/// `secrets.randbits(128)`.
fn os_entropy() -> Result<[u32; 4], Error> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| Error::from_io(&e, "/dev/urandom"))?;
    let mut words = [0u32; 4];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        *word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    Ok(words)
}

impl HostGenerator for WasmMemmap<'_> {
    fn create(&mut self, seed: Option<Vec<u32>>) -> Result<Resource<Generator>, HostError> {
        self.ctx.check_new_handle_for("another random generator")?;
        let seed = match seed {
            Some(words) => {
                // Mixing a seed is linear in its words, like reading them.
                self.ctx.check_transfer(u64::try_from(words.len()).unwrap_or(u64::MAX).saturating_mul(4), "a seed")?;
                let mut meter = self.ctx.meter();
                meter.charge_stretch(u64::try_from(words.len()).unwrap_or(u64::MAX), 4)?;
                meter.finish()?;
                SeedSequence::new(&words)
            }
            None => SeedSequence::new(&os_entropy()?),
        };
        let rng = numpy_random::Generator::new(Pcg64::new(&seed));
        Ok(self.table.push(Generator::new(rng, self.ctx.stats()))?)
    }

    fn draw(
        &mut self,
        this: Resource<Generator>,
        distribution: Distribution,
        count: u64,
    ) -> Result<Vec<u8>, HostError> {
        let bytes = count.saturating_mul(8);
        self.ctx.check_transfer(bytes, "a draw")?;
        check(&distribution, count)?;
        let len =
            usize::try_from(bytes).map_err(|_| Error::overflow(format!("{count} values do not fit in memory")))?;
        let rng = &mut self.table.get_mut(&this)?.rng;
        let mut meter = self.ctx.meter();
        let clock = meter.clock();
        let mut out = vec![0u8; len];
        let mut scratch = Scratch::default();
        for (i, chunk) in out.chunks_mut(BLOCK * 8).enumerate() {
            if i > 0 {
                clock.check()?;
            }
            let n = chunk.len() / 8;
            meter.charge_stretch(u64::try_from(n).unwrap_or(u64::MAX), 8)?;
            scratch.draw(rng, &distribution, n)?;
            match drawn(&distribution) {
                Drawn::Float => {
                    for (dst, v) in chunk.chunks_exact_mut(8).zip(&scratch.floats) {
                        dst.copy_from_slice(&v.to_ne_bytes());
                    }
                }
                Drawn::Int => {
                    for (dst, v) in chunk.chunks_exact_mut(8).zip(&scratch.ints) {
                        dst.copy_from_slice(&v.to_ne_bytes());
                    }
                }
            }
        }
        meter.finish()?;
        Ok(out)
    }

    fn fill(
        &mut self,
        this: Resource<Generator>,
        distribution: Distribution,
        array: Resource<Memmap>,
        index: Vec<Index>,
    ) -> Result<(), HostError> {
        // The generator's state is drawn from a copy and put back after, as the map is borrowed
        // from the same table meanwhile.
        let mut rng = self.table.get(&this)?.rng.clone();
        let handle = self.table.get(&array)?;
        handle.map().check_open()?;
        let layout = handle.layout().view(&index)?;
        let count = layout.size();
        check(&distribution, count)?;
        let dtype = handle.origin().dtype;
        let kind = DType::from(dtype).kind();
        check_target(&distribution, DType::from(dtype), count)?;
        let item = kind.itemsize();
        let mut scratch = Scratch::default();
        let mut meter = self.ctx.meter();
        let written = elements::write_generated(handle.map(), &layout, dtype, &mut meter, |block| {
            let n = block.len() / item;
            scratch.draw(&mut rng, &distribution, n)?;
            match drawn(&distribution) {
                Drawn::Float => {
                    for (dst, &v) in block.chunks_exact_mut(item).zip(&scratch.floats) {
                        store_float(kind, v, dst)?;
                    }
                }
                Drawn::Int => {
                    for (dst, &v) in block.chunks_exact_mut(item).zip(&scratch.ints) {
                        store_int(kind, v, dst)?;
                    }
                }
            }
            Ok(())
        });
        let finished = meter.finish();
        // What was drawn stays drawn, as in numpy, even when the fill stopped part way.
        self.table.get_mut(&this)?.rng = rng;
        written?;
        Ok(finished?)
    }

    fn drop(&mut self, this: Resource<Generator>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl Host for WasmMemmap<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A draw is stored as numpy's assignment stores it: float64 rounded once to float16 (the
    /// bits numpy 2.4 gives, including a value a cast through float32 would round twice).
    #[test]
    fn floats_are_rounded_to_float16_as_numpy_rounds_them() {
        // np.array([x]).astype(np.float16).view(np.uint16)
        let cases = [
            (1.0 + 2f64.powi(-11), 0x3c00),
            (1.0 + 3.0 * 2f64.powi(-11), 0x3c02),
            (1.0 + 2f64.powi(-11) + 2f64.powi(-40), 0x3c01),
            (65520.0, 0x7c00),
            (2f64.powi(-25) * 1.01, 0x0001),
            (-0.0, 0x8000),
        ];
        for (x, bits) in cases {
            let mut out = [0u8; 2];
            store_float(Kind::Float16, x, &mut out).expect("a float16");
            assert_eq!(u16::from_ne_bytes(out), bits, "{x}");
        }
    }

    /// Integers go only into integer arrays that hold every value the draw can give; floats only
    /// into float arrays.
    #[test]
    fn targets_must_hold_what_is_drawn() {
        let ints = |low, high, endpoint| Distribution::Integers(IntegerParams { low, high, endpoint });
        let ok = |d: &Distribution, kind: Kind| check_target(d, DType::native(kind), 1).is_ok();
        assert!(ok(&ints(0, 256, false), Kind::Uint8));
        assert!(!ok(&ints(0, 256, true), Kind::Uint8));
        assert!(!ok(&ints(-1, 5, false), Kind::Uint64));
        assert!(ok(&ints(i64::MIN, i64::MAX, true), Kind::Int64));
        assert!(!ok(&ints(0, 2, false), Kind::Bool));
        assert!(!ok(&ints(0, 2, false), Kind::Float64));
        assert!(ok(&Distribution::StandardNormal, Kind::Float16));
        assert!(!ok(&Distribution::Random, Kind::Complex128));
        assert!(!ok(&Distribution::Random, Kind::Int32));
        // An empty fill checks the array's kind, not the bounds numpy leaves unchecked.
        assert!(check_target(&ints(5, 5, false), DType::native(Kind::Int8), 0).is_ok());
        assert_eq!(
            check_target(&ints(5, 5, false), DType::native(Kind::Int8), 1).map_err(|e| e.message().to_string()),
            Err("low >= high".to_string())
        );
    }
}
