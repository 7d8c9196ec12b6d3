//! Random numbers for filling arrays, shaped like numpy's `Generator` methods (`size=` a shape).
//!
//! The stream is `rand`'s `StdRng` (ChaCha12) seeded with [`SeedableRng::seed_from_u64`], sampled
//! with `rand_distr`; it is reproducible for a seed, on every platform, but it is not numpy's
//! PCG64 stream: the same seed gives other numbers than `np.random.default_rng(seed)`.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal, StandardUniform};

/// A seeded random generator, like `np.random.default_rng(seed)`.
pub struct Generator {
    rng: StdRng,
}

/// A generator seeded with `seed`, like `np.random.default_rng(seed)`.
pub fn default_rng(seed: u64) -> Generator {
    Generator { rng: StdRng::seed_from_u64(seed) }
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
    fn fill<D: Distribution<f64>>(&mut self, shape: &[u64], dist: D) -> Vec<f64> {
        (0..count(shape)).map(|_| self.rng.sample(&dist)).collect()
    }

    /// Standard-normal samples filling `shape` in C order, like `rng.standard_normal(shape)`.
    pub fn standard_normal(&mut self, shape: &[u64]) -> Vec<f64> {
        self.fill(shape, StandardNormal)
    }

    /// Uniform samples in `[0, 1)` filling `shape`, like `rng.random(shape)`.
    pub fn random(&mut self, shape: &[u64]) -> Vec<f64> {
        self.fill(shape, StandardUniform)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_numbers_and_another_seed_others() {
        let a = default_rng(7).standard_normal(&[3, 4]);
        assert_eq!(a.len(), 12);
        assert_eq!(a, default_rng(7).standard_normal(&[3, 4]));
        assert_ne!(a, default_rng(8).standard_normal(&[3, 4]));
        let mean = default_rng(1).standard_normal(&[100_000]).iter().sum::<f64>() / 100_000.0;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!(default_rng(1).random(&[1000]).iter().all(|x| (0.0..1.0).contains(x)));
    }
}
