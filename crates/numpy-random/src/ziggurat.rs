//! numpy's standard-normal sampler, `random_standard_normal` in
//! `numpy/random/src/distributions/distributions.c`: a 256-box ziggurat on 52-bit draws, with
//! Marsaglia's tail method beyond the last box and an `exp` test in the wedges.

use super::Pcg64;
use super::exp::exp;
use super::log1p::log1p;
use super::ziggurat_tables::{FI, KI, NOR_INV_R, NOR_R, WI};

/// How many draws left the ziggurat's fast path, and by which branch.
///
/// Most draws (about 99.3%) are accepted from one 64-bit output; the rest go to the tail (box 0)
/// or to a wedge (the other boxes), the branches that use `log1p` and `exp`. A test that must show
/// those branches ran reads these counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NormalBranches {
    /// Draws that ended in the tail (values beyond numpy's `ziggurat_nor_r`, about 3.65).
    pub tail: u64,
    /// Draws that ended in a wedge, accepted by the `exp` test.
    pub wedge: u64,
    /// Wedge tests that rejected a draw, which then started over.
    pub wedge_rejected: u64,
}

/// Mask of the 52 bits a box draw uses.
const MASK52: u64 = (1 << 52) - 1;

/// One standard-normal value, drawing 64-bit outputs and doubles from `bits` exactly as numpy does.
pub(super) fn standard_normal(bits: &mut Pcg64, branches: &mut NormalBranches) -> f64 {
    loop {
        let r = bits.next_raw();
        let idx = usize::try_from(r & 0xff).unwrap_or(0);
        let r = r >> 8;
        let negative = r & 1 == 1;
        let rabs = (r >> 1) & MASK52;
        // Exact: `rabs` has 52 bits, which a double holds.
        #[allow(clippy::cast_precision_loss, clippy::as_conversions)]
        let mut x = rabs as f64 * WI[idx];
        if negative {
            x = -x;
        }
        if rabs < KI[idx] {
            return x;
        }
        if idx == 0 {
            // The tail: numpy draws `1 - U` through `log1p(-U)` so it never takes `log(0)`.
            loop {
                let xx = -NOR_INV_R * log1p(-bits.next_double());
                let yy = -log1p(-bits.next_double());
                if yy + yy > xx * xx {
                    branches.tail += 1;
                    return if (rabs >> 8) & 1 == 1 { -(NOR_R + xx) } else { NOR_R + xx };
                }
            }
        }
        if (FI[idx - 1] - FI[idx]) * bits.next_double() + FI[idx] < exp(-0.5 * x * x) {
            branches.wedge += 1;
            return x;
        }
        branches.wedge_rejected += 1;
    }
}
