//! Scans over typed slices built for speed inside a plugin: wide loop bodies (32 elements per
//! iteration, so the engine's interruption check at each loop head is paid once per 32 elements)
//! and, when the plugin is built with `-C target-feature=+simd128` (this repository's guests and
//! `examples/plugin-template` are), WebAssembly SIMD. Feed them the blocks of
//! [`Memmap::scan`](crate::Memmap::scan) or the slice of a [`Window`](crate::Window).
//!
//! Floating-point addition is not associative, so a sum depends on the order it adds in. The
//! order here is fixed and documented, the same with and without SIMD (the scalar code keeps the
//! same 16 lanes), so a result never depends on how the plugin was built or where the slice
//! lies in memory. It is not numpy's pairwise order: the two agree within rounding (both have an
//! error bound of a few ulps times the number of blocks), not bit for bit.

/// Elements per loop iteration.
pub const BLOCK: usize = 32;

/// Lanes: independent partial sums.
const LANES: usize = 16;

/// The sum of `values`, like `np.sum(values)` within rounding (see the module's notes on order).
///
/// The order, exactly: 16 partial sums `s[0..16]` start at `+0.0`; for each whole block of 32
/// elements starting at `b`, in order, `s[k] += values[b + k]` and then `s[k] += values[b + 16 + k]`
/// for every `k`. The lanes are then folded in halves, `s[k] += s[k + 8]` (for `k < 8`), `s[k] +=
/// s[k + 4]` (`k < 4`), `s[k] += s[k + 2]` (`k < 2`), giving `s[0] + s[1]`; the last `len % 32`
/// elements are added to that one after another, in order.
///
/// # Examples
/// ```
/// use wasm_memmap_sdk::kernels::sum_f64;
/// let values: Vec<f64> = (1..=100).map(f64::from).collect();
/// assert_eq!(sum_f64(&values), 5050.0);
/// assert_eq!(sum_f64(&[]), 0.0);
/// ```
pub fn sum_f64(values: &[f64]) -> f64 {
    let blocks = values.chunks_exact(BLOCK);
    let tail = blocks.remainder();
    let lanes = lanes::sum(blocks);
    tail.iter().fold(lanes, |total, &v| total + v)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{f64x2, f64x2_add, f64x2_extract_lane, v128};

    use super::{BLOCK, LANES};

    /// The lanes as 8 registers of two: lane `2j + i` is register `j`, lane `i`.
    pub(super) fn sum(blocks: core::slice::ChunksExact<'_, f64>) -> f64 {
        const REGISTERS: usize = LANES / 2;
        let mut acc = [f64x2(0.0, 0.0); REGISTERS];
        for block in blocks {
            let Ok(block) = <&[f64; BLOCK]>::try_from(block) else { continue };
            for half in 0..2 {
                for (j, reg) in acc.iter_mut().enumerate() {
                    let at = half * LANES + 2 * j;
                    // Two neighbours: the compiler makes them one `v128.load`.
                    *reg = f64x2_add(*reg, f64x2(block[at], block[at + 1]));
                }
            }
        }
        let fold = |acc: &mut [v128; REGISTERS], width: usize| {
            for j in 0..width {
                acc[j] = f64x2_add(acc[j], acc[j + width]);
            }
        };
        fold(&mut acc, 4);
        fold(&mut acc, 2);
        fold(&mut acc, 1);
        f64x2_extract_lane::<0>(acc[0]) + f64x2_extract_lane::<1>(acc[0])
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    use super::{BLOCK, LANES};

    /// The same lanes and the same order as the SIMD code, one at a time.
    pub(super) fn sum(blocks: core::slice::ChunksExact<'_, f64>) -> f64 {
        let mut s = [0.0f64; LANES];
        for block in blocks {
            let Ok(block) = <&[f64; BLOCK]>::try_from(block) else { continue };
            for half in block.chunks_exact(LANES) {
                s.iter_mut().zip(half).for_each(|(lane, &v)| *lane += v);
            }
        }
        // Folding halves of the 16 lanes is, lane for lane, folding halves of 8 pairs.
        for width in [8, 4, 2] {
            for k in 0..width {
                s[k] += s[k + width];
            }
        }
        s[0] + s[1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented order, written out plainly.
    fn documented(values: &[f64]) -> f64 {
        let whole = values.len() / BLOCK * BLOCK;
        let mut s = [0.0f64; LANES];
        for (i, &v) in values[..whole].iter().enumerate() {
            s[i % LANES] += v;
        }
        let mut width = LANES / 2;
        while width >= 2 {
            for k in 0..width {
                s[k] += s[k + width];
            }
            width /= 2;
        }
        values[whole..].iter().fold(s[0] + s[1], |t, &v| t + v)
    }

    #[test]
    fn sums_in_the_documented_order() {
        // Values whose sum depends on the order (large and small magnitudes mixed).
        let values: Vec<f64> =
            (0..1000u32).map(|i| f64::from(i).sin() * 10f64.powi(i32::try_from(i % 17).unwrap_or(0) - 8)).collect();
        for len in [0, 1, 31, 32, 33, 64, 100, 999, 1000] {
            assert_eq!(sum_f64(&values[..len]).to_bits(), documented(&values[..len]).to_bits(), "len {len}");
        }
        assert_eq!(sum_f64(&[1.0; 1000]), 1000.0);
        assert!(sum_f64(&[1.0, f64::NAN]).is_nan());
    }
}
