//! `log1p` exactly as numpy's `npy_log1p` computes it on x86-64 Linux, so the ziggurat's tail draws
//! are numpy's to the last bit on every target.
//!
//! numpy calls the C library's `log1p`. glibc's is fdlibm's algorithm with the polynomial evaluated
//! in a pipelined order (Naohiko Shimizu, 1997), and on a CPU with FMA (x86-64 since 2013, the CI
//! machines included) glibc runs a build of it compiled with FMA, where the compiler fused
//! `a * b + c` into one rounding at the places below (read from the machine code of Debian 12's
//! glibc 2.36 `libm.so.6`). musl's (wasi-libc's, so `f64::ln_1p` on `wasm32-wasip2`) and the `libm`
//! crate's evaluate the polynomial by Horner's rule without fusing, and differ in the last bit for
//! about one input in 1,200 of the ziggurat's, which can change a tail value. This function does
//! glibc's arithmetic operation for operation; `f64::mul_add` is a correctly rounded fused
//! multiply-add on every target. (numpy with glibc on an x86-64 CPU without FMA runs the unfused
//! build, whose tail values can differ from these in the last bit, rarely.)
//!
//! The method and constants are fdlibm's: Copyright (C) 1993 by Sun Microsystems, Inc. All rights
//! reserved. Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use, copy,
//! modify, and distribute this software is freely granted, provided that this notice is preserved.

/// `ln 2`, split so that `k * LN2_HI` is exact for `|k| < 2000`.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// The minimax polynomial for `R(z)`, `log(1+f) = 2s + s*R(s^2)` with `s = f / (2 + f)`.
const LP1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
const LP2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
const LP3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
const LP4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
const LP5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
const LP6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
const LP7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);

/// The high 32 bits of `x`'s representation, as the signed word fdlibm compares.
fn high_word(x: f64) -> i32 {
    i32::from_be_bytes(x.to_bits().to_be_bytes()[..4].try_into().unwrap_or([0; 4]))
}

/// `x` with its high word replaced by `high` (low word kept).
fn with_high_word(x: f64, high: i32) -> f64 {
    let high = u64::from(u32::from_be_bytes(high.to_be_bytes()));
    f64::from_bits((high << 32) | (x.to_bits() & 0xffff_ffff))
}

/// `a * b + c` with one rounding, where glibc's FMA build fuses.
fn fma(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

/// `ln(1 + x)`, like C's `log1p` in glibc (FMA build).
pub(super) fn log1p(x: f64) -> f64 {
    let hx = high_word(x);
    let ax = hx & 0x7fff_ffff;
    let mut k = 1;
    let mut f = 0.0;
    let mut c = 0.0;
    let mut hu = 0;
    if hx < 0x3fda_827a {
        // x < 0.41422
        if ax >= 0x3ff0_0000 {
            // x <= -1
            return if x == -1.0 { f64::NEG_INFINITY } else { f64::NAN };
        }
        if ax < 0x3e20_0000 {
            // |x| < 2^-29: the series' first terms are exact enough.
            return if ax < 0x3c90_0000 { x } else { fma(-(x * x), 0.5, x) };
        }
        if hx > 0 || hx <= i32::from_be_bytes(0xbfd2_bec3_u32.to_be_bytes()) {
            // -0.2929 < x < 0.41422: no reduction, f = x exactly.
            k = 0;
            f = x;
            hu = 1;
        }
    } else if hx >= 0x7ff0_0000 {
        return x + x;
    }
    if k != 0 {
        let mut u;
        if hx < 0x4340_0000 {
            u = 1.0 + x;
            hu = high_word(u);
            k = (hu >> 20) - 1023;
            // What rounding `1 + x` lost, relative to `u`.
            c = if k > 0 { 1.0 - (u - x) } else { x - (u - 1.0) };
            c /= u;
        } else {
            u = x;
            hu = high_word(u);
            k = (hu >> 20) - 1023;
            c = 0.0;
        }
        hu &= 0x000f_ffff;
        if hu < 0x6a09e {
            u = with_high_word(u, hu | 0x3ff0_0000);
        } else {
            k += 1;
            u = with_high_word(u, hu | 0x3fe0_0000);
            hu = (0x0010_0000 - hu) >> 2;
        }
        f = u - 1.0;
    }
    let kf = f64::from(k);
    let hfsq = 0.5 * f * f;
    if hu == 0 {
        // |f| < 2^-20
        if f == 0.0 {
            return if k == 0 { 0.0 } else { fma(kf, LN2_HI, fma(kf, LN2_LO, c)) };
        }
        let r = hfsq * fma(-f, 0.666_666_666_666_666_6, 1.0);
        return if k == 0 { f - r } else { fma(kf, LN2_HI, -((r - fma(kf, LN2_LO, c)) - f)) };
    }
    let s = f / (2.0 + f);
    let z = s * s;
    // glibc's order: three independent pairs and their sum, not Horner's rule.
    let z2 = z * z;
    let z4 = z2 * z2;
    let z6 = z2 * z4;
    let r = fma(z6, fma(z, LP7, LP6), fma(z4, fma(z, LP5, LP4), fma(z, LP1, z2 * fma(z, LP3, LP2))));
    let t = s * (hfsq + r);
    if k == 0 { f - (hfsq - t) } else { fma(kf, LN2_HI, -((hfsq - (t + fma(kf, LN2_LO, c))) - f)) }
}

#[cfg(all(test, target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::log1p;

    /// Natively on x86-64 glibc, `f64::ln_1p` is the `log1p` numpy calls: the oracle, for the
    /// ziggurat's inputs `-U` (`U` a 53-bit uniform) and for tiny ones down to 2^-100.
    #[test]
    fn equals_glibcs_log1p_bit_for_bit() {
        // glibc picks its FMA build only where the CPU has FMA and AVX2; without them the oracle
        // is the unfused build, which this function does not claim to match.
        if !(std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2")) {
            eprintln!("this CPU runs glibc's unfused log1p; nothing to compare");
            return;
        }
        let mut bits = super::super::Pcg64::new(&super::super::SeedSequence::from_int(1));
        let mut differ = Vec::new();
        for i in 0..2_000_000u32 {
            let u = bits.next_double();
            let x = if i % 8 == 0 { -u * 2f64.powi(-i32::try_from(i % 101).unwrap_or(0)) } else { -u };
            if log1p(x).to_bits() != x.ln_1p().to_bits() {
                differ.push(x);
            }
        }
        assert!(differ.is_empty(), "{} inputs differ, e.g. {:?}", differ.len(), &differ[..differ.len().min(5)]);
        for x in [0.0, -0.0, -1.0, -0.5, 0.4142, 1e300, f64::INFINITY, -2.0] {
            assert!(log1p(x).to_bits() == x.ln_1p().to_bits() || (log1p(x).is_nan() && x.ln_1p().is_nan()), "{x}");
        }
    }
}
