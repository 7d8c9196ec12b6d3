//! numpy's random numbers in Rust: `default_rng(seed)` draws exactly what `np.random.default_rng(seed)`
//! draws, for every method here, on every platform.
//!
//! The pieces are numpy's: [`SeedSequence`] mixes the seed (`numpy/random/bit_generator.pyx`),
//! [`Pcg64`] is the bit generator (`rand_pcg`'s PCG XSL RR 128/64, seeded as numpy's `_pcg64.pyx`
//! seeds it, implementing `rand_core`'s traits), and [`Generator`] holds numpy's samplers
//! (`random/src/distributions/distributions.c`): the 53-bit double, the ziggurat normal and Lemire's
//! bounded integers. Each method fills a whole shape in C order, like numpy's `size=`.
//!
//! The crate depends on neither WebAssembly bindings nor a runtime, so a host and a plugin draw the
//! same numbers: the guest SDK re-exports it as `wasm_memmap_sdk::random`.
//!
//! | numpy                                           | this module                                   |
//! |-------------------------------------------------|-----------------------------------------------|
//! | `rng = np.random.default_rng(12345)`            | `let mut rng = default_rng(12345);`           |
//! | `rng.random((2, 3))`                            | `rng.random(&[2, 3])`                         |
//! | `rng.standard_normal((5, 10000))`               | `rng.standard_normal(&[5, 10000])`            |
//! | `rng.normal(10, 2, (3,))`                       | `rng.normal(10.0, 2.0, &[3])?`                |
//! | `rng.integers(-5, 5, (4,))`                     | `rng.integers(-5, 5, &[4], false)?`           |
//! | `rng.bit_generator.random_raw(4)`               | `rng.bit_generator_mut().random_raw(4)`       |
//!
//! # Examples
//! ```
//! use wasm_memmap_numpy_random::default_rng;
//! let mut rng = default_rng(12345);
//! // np.random.default_rng(12345).standard_normal(2)
//! assert_eq!(rng.standard_normal(&[2]), [-1.4238250364546312, 1.2637284581291104]);
//! ```

mod bounded;
mod exp;
mod exp_table;
mod log1p;
mod pcg64;
mod seed_sequence;
mod ziggurat;
mod ziggurat_tables;

use std::fmt;

pub use pcg64::Pcg64;
pub use seed_sequence::SeedSequence;
pub use ziggurat::NormalBranches;

/// numpy's `Generator` over [`Pcg64`], like the object `np.random.default_rng(seed)` returns.
#[derive(Clone, Debug)]
pub struct Generator {
    bits: Pcg64,
    branches: NormalBranches,
}

/// A generator seeded with the integer `seed`, like `np.random.default_rng(seed)`.
///
/// For seeds wider than 64 bits use [`SeedSequence::from_int`] or [`SeedSequence::new`] with
/// [`Generator::new`].
pub fn default_rng(seed: u64) -> Generator {
    Generator::new(Pcg64::new(&SeedSequence::from_int(u128::from(seed))))
}

/// A bad argument, with numpy's `ValueError` message (`"low >= high"`, `"scale < 0"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError(pub &'static str);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ValueError {}

/// Checks `scale` as `rng.normal` does: `"scale < 0"` when it is negative (`-0.0` too; NaN is
/// allowed).
///
/// # Errors
/// `"scale < 0"`.
pub fn check_normal(scale: f64) -> Result<(), ValueError> {
    if scale.is_sign_negative() && !scale.is_nan() {
        return Err(ValueError("scale < 0"));
    }
    Ok(())
}

/// Checks the bounds of `rng.integers(low, high, endpoint=endpoint)` and returns the largest value
/// it can draw (`high`, or `high - 1` without `endpoint`).
///
/// # Errors
/// numpy's messages: `"low >= high"` for an empty range (`"high <= 0"` when `low` is 0), or
/// `"low > high"` with `endpoint`.
pub fn check_integers(low: i64, high: i64, endpoint: bool) -> Result<i64, ValueError> {
    let high_closed = if endpoint { Some(high) } else { high.checked_sub(1) };
    match high_closed {
        Some(h) if h >= low => Ok(h),
        _ if endpoint => Err(ValueError("low > high")),
        _ if low == 0 => Err(ValueError("high <= 0")),
        _ => Err(ValueError("low >= high")),
    }
}

/// The number of values `shape` holds.
///
/// # Panics
/// When it does not fit in memory's address space, as numpy raises `MemoryError`.
fn count(shape: &[u64]) -> usize {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(usize::try_from(d).ok()?))
        .unwrap_or_else(|| panic!("cannot allocate an array of shape {shape:?}: it holds more values than memory can"))
}

impl Generator {
    /// A generator drawing from `bits`, like `np.random.Generator(bits)`.
    pub fn new(bits: Pcg64) -> Self {
        Self { bits, branches: NormalBranches::default() }
    }

    /// The bit generator, like `rng.bit_generator` (for `random_raw`).
    pub fn bit_generator_mut(&mut self) -> &mut Pcg64 {
        &mut self.bits
    }

    /// Uniform samples in `[0, 1)` filling `shape`, like `rng.random(shape)`: each is the top 53 bits
    /// of one 64-bit output.
    pub fn random(&mut self, shape: &[u64]) -> Vec<f64> {
        let mut out = vec![0.0; count(shape)];
        self.fill_random(&mut out);
        out
    }

    /// Standard-normal samples filling `shape` in C order, like `rng.standard_normal(shape)`.
    pub fn standard_normal(&mut self, shape: &[u64]) -> Vec<f64> {
        let mut out = vec![0.0; count(shape)];
        self.fill_standard_normal(&mut out);
        out
    }

    /// Normal samples with mean `loc` and standard deviation `scale` filling `shape`, like
    /// `rng.normal(loc, scale, shape)`: `loc + scale * z` for each standard-normal `z`.
    ///
    /// # Errors
    /// `"scale < 0"` when `scale` is negative (`-0.0` too, as in numpy; NaN is allowed).
    pub fn normal(&mut self, loc: f64, scale: f64, shape: &[u64]) -> Result<Vec<f64>, ValueError> {
        check_normal(scale)?;
        let mut out = vec![0.0; count(shape)];
        self.fill_normal(loc, scale, &mut out)?;
        Ok(out)
    }

    /// `int64` integers from `low` to `high` filling `shape`, like
    /// `rng.integers(low, high, shape, endpoint=endpoint)`: `high` is excluded unless `endpoint`.
    /// `integers(i64::MIN, i64::MAX, shape, true)` covers every `i64`.
    ///
    /// # Errors
    /// numpy's messages: `"low >= high"` for an empty range (`"high <= 0"` when `low` is 0), or
    /// `"low > high"` with `endpoint`.
    pub fn integers(&mut self, low: i64, high: i64, shape: &[u64], endpoint: bool) -> Result<Vec<i64>, ValueError> {
        let n = count(shape);
        if n == 0 {
            // numpy returns an empty array before it looks at the bounds.
            return Ok(Vec::new());
        }
        let mut out = vec![0; n];
        self.fill_integers(low, high, endpoint, &mut out)?;
        Ok(out)
    }

    /// Fills `out` with what [`random`](Self::random) draws for as many values, like
    /// `rng.random(out=out)`. Filling a buffer in pieces draws the same values as filling it at once,
    /// so a large array can be drawn a block at a time.
    pub fn fill_random(&mut self, out: &mut [f64]) {
        for v in out {
            *v = self.bits.next_double();
        }
    }

    /// Fills `out` with what [`standard_normal`](Self::standard_normal) draws, like
    /// `rng.standard_normal(out=out)`; in pieces as at once.
    pub fn fill_standard_normal(&mut self, out: &mut [f64]) {
        for v in out {
            *v = ziggurat::standard_normal(&mut self.bits, &mut self.branches);
        }
    }

    /// Fills `out` with what [`normal`](Self::normal) draws; in pieces as at once.
    ///
    /// # Errors
    /// As [`normal`](Self::normal) (checked before anything is drawn, even for an empty `out`).
    pub fn fill_normal(&mut self, loc: f64, scale: f64, out: &mut [f64]) -> Result<(), ValueError> {
        check_normal(scale)?;
        self.fill_standard_normal(out);
        for v in out {
            *v = loc + scale * *v;
        }
        Ok(())
    }

    /// Fills `out` with what [`integers`](Self::integers) draws; in pieces as at once (the 32-bit
    /// halves numpy buffers live in the bit generator, so they carry over from piece to piece as
    /// from value to value).
    ///
    /// # Errors
    /// As [`integers`](Self::integers), for a non-empty `out` (an empty one is not checked, as numpy
    /// does not check the bounds of an empty draw).
    pub fn fill_integers(&mut self, low: i64, high: i64, endpoint: bool, out: &mut [i64]) -> Result<(), ValueError> {
        if out.is_empty() {
            return Ok(());
        }
        let high_closed = check_integers(low, high, endpoint)?;
        // numpy: `rng = (uint64)(high - low)`, `off = (uint64)low`; both wrap into u64 as in C.
        let rng = high_closed.abs_diff(low);
        let off = u64::from_ne_bytes(low.to_ne_bytes());
        bounded::fill(&mut self.bits, off, rng, out);
        Ok(())
    }

    /// How many [`standard_normal`](Self::standard_normal) (and [`normal`](Self::normal)) draws
    /// so far took the ziggurat's tail and wedge branches.
    pub fn normal_branches(&self) -> NormalBranches {
        self.branches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Printed by numpy 2.x for seed 12345; the
    // end-to-end tests compare millions of draws with numpy run in the test.
    #[test]
    fn seed_12345_gives_numpys_first_outputs() {
        let mut rng = default_rng(12345);
        assert_eq!(
            rng.bit_generator_mut().random_raw(4),
            [4193609425186963869, 5843160025838961886, 14708796524633321433, 12474696839993944336]
        );
        assert_eq!(
            default_rng(12345).standard_normal(&[4]),
            [-1.4238250364546312, 1.2637284581291104, -0.8706617379590857, -0.2591732349343976]
        );
    }

    /// Drawing a buffer in pieces draws what one call draws, for every method (the integers'
    /// buffered 32-bit halves included).
    #[test]
    fn filling_in_pieces_draws_the_same_values() {
        let whole = default_rng(7).integers(-3, 1000, &[1001], false).expect("bounds");
        let mut rng = default_rng(7);
        let mut pieces = vec![0i64; 1001];
        for chunk in pieces.chunks_mut(77) {
            rng.fill_integers(-3, 1000, false, chunk).expect("bounds");
        }
        assert_eq!(pieces, whole);
        let whole = default_rng(7).normal(1.0, 2.0, &[1001]).expect("scale");
        let mut rng = default_rng(7);
        let mut pieces = vec![0.0; 1001];
        for chunk in pieces.chunks_mut(100) {
            rng.fill_normal(1.0, 2.0, chunk).expect("scale");
        }
        assert_eq!(pieces, whole);
        let whole = default_rng(7).random(&[333]);
        let mut rng = default_rng(7);
        let mut pieces = vec![0.0; 333];
        for chunk in pieces.chunks_mut(10) {
            rng.fill_random(chunk);
        }
        assert_eq!(pieces, whole);
    }

    #[test]
    fn bad_bounds_give_numpys_messages() {
        let mut rng = default_rng(0);
        assert_eq!(rng.integers(5, 5, &[1], false), Err(ValueError("low >= high")));
        assert_eq!(rng.integers(0, 0, &[1], false), Err(ValueError("high <= 0")));
        assert_eq!(rng.integers(3, 2, &[1], true), Err(ValueError("low > high")));
        assert_eq!(rng.integers(3, 2, &[0], true), Ok(vec![]));
        assert_eq!(rng.normal(0.0, -0.0, &[1]), Err(ValueError("scale < 0")));
        assert!(rng.normal(0.0, f64::NAN, &[1]).is_ok_and(|v| v[0].is_nan()));
        assert_eq!(rng.integers(7, 7, &[3], true), Ok(vec![7, 7, 7]));
    }
}
