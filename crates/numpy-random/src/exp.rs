//! `exp` exactly as numpy's glibc computes it on x86-64 with FMA, for the ziggurat's wedge test.
//!
//! glibc's `exp` (since 2.28; musl's too) is Szabolcs Nagy's table method from Arm's
//! optimized-routines: `x = k ln2/128 + r`, `exp(x) = 2^(k/128) * exp(r)` with a 128-entry table
//! ([`TABLE`]) and a degree-5 polynomial. On a CPU with FMA and AVX2, glibc runs a build of it in which
//! the compiler fused `a * b + c` at the places below (read from the machine code of Debian 12's
//! glibc 2.36 `libm.so.6`); wasi-libc's build, which `f64::exp` calls on `wasm32-wasip2`, fuses nothing
//! and differs by one ulp for about 7 inputs in 10,000 of the wedge test's. The wedge test only decides
//! whether a draw is kept, but a different decision would shift the whole stream after it, so this
//! does glibc's arithmetic operation for operation (`f64::mul_add` is correctly rounded everywhere).

use super::exp_table::TABLE;

/// `128 / ln 2`.
const INV_LN2_N: f64 = f64::from_bits(0x4067_1547_652b_82fe);
/// `-ln 2 / 128`, split so that `k * NEG_LN2_HI_N` is exact.
const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf76_2e42_fefa_0000);
const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0c_f79a_bc9e_3b3a);
/// `1.5 * 2^52`: adding it rounds to an integer held in the low bits.
const SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000);
/// The polynomial for `exp(r) - 1 - r`, `r` in `[-ln2/256, ln2/256]`.
const C2: f64 = f64::from_bits(0x3fdf_ffff_ffff_fdbd);
const C3: f64 = f64::from_bits(0x3fc5_5555_5555_543c);
const C4: f64 = f64::from_bits(0x3fa5_5555_cf17_2b91);
const C5: f64 = f64::from_bits(0x3f81_1111_67a4_d017);

/// `a * b + c` with one rounding, where glibc's FMA build fuses.
fn fma(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

/// `e^x`, like glibc's `exp` (FMA build), for `2^-54 <= |x| < 512`, which holds every argument the
/// wedge test passes (`-x*x/2` for `x` in the boxes, about `-6.7` to `-0.03`). Outside that range it
/// is the target's `exp`; glibc handles those arguments in other branches this port leaves out.
pub(super) fn exp(x: f64) -> f64 {
    let abstop = (x.to_bits() >> 52) & 0x7ff;
    if abstop.wrapping_sub(0x3c9) > 0x3e {
        return x.exp();
    }
    // k = round(x * 128 / ln2), read from the low bits of `kd + SHIFT`.
    let shifted = fma(x, INV_LN2_N, SHIFT);
    let ki = shifted.to_bits();
    let kd = shifted - SHIFT;
    let r = fma(kd, NEG_LN2_LO_N, fma(kd, NEG_LN2_HI_N, x));
    let idx = usize::try_from(2 * (ki % 128)).unwrap_or(0);
    let tail = f64::from_bits(TABLE[idx]);
    let scale = f64::from_bits(TABLE[idx + 1].wrapping_add(ki << 45));
    let r2 = r * r;
    let tmp = fma(r2 * r2, fma(r, C5, C4), fma(fma(r, C3, C2), r2, tail + r));
    fma(scale, tmp, scale)
}

#[cfg(all(test, target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::exp;

    /// Natively on x86-64 glibc, `f64::exp` is the `exp` numpy calls: the oracle, for the wedge
    /// test's arguments and for the rest of the range this function covers.
    #[test]
    fn equals_glibcs_exp_bit_for_bit() {
        if !(std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2")) {
            eprintln!("this CPU runs glibc's unfused exp; nothing to compare");
            return;
        }
        let mut bits = super::super::Pcg64::new(&super::super::SeedSequence::from_int(2));
        let mut differ = Vec::new();
        for i in 0..2_000_000u32 {
            let u = bits.next_double();
            let x = if i % 4 == 0 {
                (u - 0.5) * 1020.0
            } else {
                let t = 3.7 * u;
                -0.5 * t * t
            };
            if exp(x).to_bits() != x.exp().to_bits() {
                differ.push(x);
            }
        }
        assert!(differ.is_empty(), "{} inputs differ, e.g. {:?}", differ.len(), &differ[..differ.len().min(5)]);
    }
}
