//! numpy's `PCG64` bit generator (`numpy/random/_pcg64.pyx`, `src/pcg64/pcg64.h`): `rand_pcg`'s
//! PCG XSL RR 128/64 stream, seeded from a [`SeedSequence`] as numpy seeds it, with numpy's buffered
//! 32-bit draws.

use core::convert::Infallible;

use rand_core::TryRng;

use super::SeedSequence;

/// The PCG64 bit generator, like `np.random.PCG64(seed)`.
///
/// It implements `rand_core`'s [`TryRng`] (and so [`rand_core::Rng`]): `next_u64` is numpy's
/// `next_uint64` (`random_raw`), and `next_u32` is numpy's `next_uint32`, which hands out both halves
/// of one 64-bit output, low half first, before drawing the next.
///
/// # Examples
/// ```
/// use rand_core::Rng;
/// use wasm_memmap_numpy_random::{Pcg64, SeedSequence};
/// // np.random.PCG64(12345).random_raw()
/// let mut bits = Pcg64::new(&SeedSequence::from_int(12345));
/// assert_eq!(bits.next_u64(), 4193609425186963869);
/// ```
#[derive(Clone, Debug)]
pub struct Pcg64 {
    pcg: rand_pcg::Pcg64,
    /// The high half of the last 64-bit output when only its low half was used (`has_uint32`,
    /// `uinteger`).
    buffered: Option<u32>,
}

impl Pcg64 {
    /// A generator seeded from `seed` as `np.random.PCG64(seed)` is.
    pub fn new(seed: &SeedSequence) -> Self {
        // numpy: `val = generate_state(4, uint64)`, state `val[0] << 64 | val[1]`, increment
        // `val[2] << 64 | val[3]`, then `pcg64_set_seed`, which `Lcg128Xsl64::new` matches step for step
        // (state 0, inc = seq << 1 | 1, step, add the state, step).
        let val = seed.generate_state_u64(4);
        let state = (u128::from(val[0]) << 64) | u128::from(val[1]);
        let stream = (u128::from(val[2]) << 64) | u128::from(val[3]);
        Self { pcg: rand_pcg::Pcg64::new(state, stream), buffered: None }
    }

    /// The next 64-bit output, like `bit_generator.random_raw()`.
    pub fn next_raw(&mut self) -> u64 {
        rand_core::Rng::next_u64(&mut self.pcg)
    }

    /// `n` raw 64-bit outputs, like `bit_generator.random_raw(n)`.
    pub fn random_raw(&mut self, n: usize) -> Vec<u64> {
        (0..n).map(|_| self.next_raw()).collect()
    }

    /// numpy's `next_uint32`: half of a 64-bit output, the low half first.
    pub fn next_uint32(&mut self) -> u32 {
        if let Some(high) = self.buffered.take() {
            return high;
        }
        let next = self.next_raw();
        let [low, high] = [next, next >> 32].map(|half| u32::try_from(half & u64::from(u32::MAX)).unwrap_or(0));
        self.buffered = Some(high);
        low
    }

    /// numpy's `next_double`: the top 53 bits of a 64-bit output, scaled to `[0, 1)`.
    pub fn next_double(&mut self) -> f64 {
        // Exact: a 53-bit integer converts to `f64` without rounding, and the scale is a power of two.
        #[allow(clippy::cast_precision_loss, clippy::as_conversions)]
        let top = (self.next_raw() >> 11) as f64;
        top * (1.0 / 9_007_199_254_740_992.0)
    }
}

impl TryRng for Pcg64 {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_uint32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_raw())
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_raw().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}
