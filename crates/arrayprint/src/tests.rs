//! Properties that numpy cannot check for us; the text itself is compared with real numpy in
//! `tests/tests/print_parity.rs`.

use super::dragon4::{self, Args, Trim};
use super::float_bits::{encode, round_to};
use super::*;

fn opts() -> PrintOptions {
    PrintOptions::default()
}

/// A small deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 ^ (self.0 >> 29)
    }
}

#[test]
#[should_panic(expected = "keeps 36 elements, but 35 were given")]
fn wrong_kept_length_panics() {
    let kept = vec![Scalar::Float(0.0, FloatKind::F64); 35];
    let _ = repr("memmap", &[10_000, 10_000], &kept, &DtypeInfo::FLOAT64, &opts());
}

#[test]
#[should_panic(expected = "is not of the array's dtype")]
fn element_of_another_dtype_panics() {
    let kept = [Scalar::Float(1.0, FloatKind::F32)];
    let _ = str(&[1], &kept, &DtypeInfo::FLOAT64, &opts());
}

#[test]
fn session_text_layout() {
    let o = PrintOptions { precision: 4, suppress: true, legacy: Legacy::V2_1, ..opts() };
    let kept = vec![Scalar::Float(0.0, FloatKind::F64); 36];
    let text = repr("memmap", &[10_000, 10_000], &kept, &DtypeInfo::FLOAT64, &o);
    let row = "[0., 0., 0., ..., 0., 0., 0.]";
    let expected = format!(
        "memmap([{row},\n        {row},\n        {row},\n        ...,\n        {row},\n        {row},\n        {row}])"
    );
    assert_eq!(text, expected);
}

#[test]
fn dtype_names_and_suffixes() {
    assert_eq!(DtypeInfo::from_name(">f8").map(|d| d.short_repr()), Some("'>f8'".to_string()));
    assert_eq!(DtypeInfo::from_name("uint64").map(|d| d.short_repr()), Some("uint64".to_string()));
    assert_eq!(DtypeInfo::from_name(">i1"), Some(DtypeInfo::INT8));
    assert!(DtypeInfo::FLOAT64.is_implied() && !DtypeInfo::FLOAT32.is_implied());
    assert!(!DtypeInfo::FLOAT64.with_big_endian(!cfg!(target_endian = "big")).is_implied());
    assert_eq!(DtypeInfo::new(DtypeKind::Float, 3), None);
    assert_eq!(DtypeInfo::COMPLEX64.float_kind(), FloatKind::F32);
}

#[test]
fn float32_bits_round_trip_and_round_to_nearest_even() {
    let mut rng = Lcg(7);
    for _ in 0..20_000 {
        let bits = u32::try_from(rng.next() >> 32).expect("32 bits");
        let x = f32::from_bits(bits);
        if x.is_nan() {
            continue;
        }
        assert_eq!(encode(f64::from(x), FloatKind::F32), u64::from(bits), "{x:e}");
    }
    // halfway between 1 and the next float32 rounds to even (down), just above rounds up
    let ulp = 2f64.powi(-23);
    assert_eq!(round_to(1.0 + ulp / 2.0, FloatKind::F32), 1.0);
    assert_eq!(round_to(1.0 + ulp * 1.5, FloatKind::F32), 1.0 + 2.0 * ulp);
    assert_eq!(round_to(1e39, FloatKind::F32), f64::INFINITY);
    assert_eq!(round_to(65520.0, FloatKind::F16), f64::INFINITY);
    assert_eq!(round_to(65519.0, FloatKind::F16), 65504.0);
    assert_eq!(round_to(2f64.powi(-25), FloatKind::F16), 0.0);
    assert_eq!(round_to(2f64.powi(-25) * 1.01, FloatKind::F16), 2f64.powi(-24));
}

/// Dragon4's shortest digits must agree with Rust's own shortest round-trip formatting, except where
/// two shortest candidates are equally close: numpy then takes the even last digit, Rust the upper.
#[test]
fn unique_digits_match_rust_shortest_repr() {
    let mut rng = Lcg(11);
    let sci = |x: f64, kind| dragon4::scientific(x, kind, &Args { trim: Trim::DptZeros, ..Args::default() });
    let same_or_even_tie = |ours: &str, rust: &str| {
        if ours == rust {
            return true;
        }
        let (a, b) = (ours.as_bytes(), rust.as_bytes());
        let diff: Vec<usize> = (0..a.len().min(b.len())).filter(|&i| a[i] != b[i]).collect();
        a.len() == b.len() && diff.len() == 1 && a[diff[0]] + 1 == b[diff[0]] && a[diff[0]] % 2 == 0
    };
    for _ in 0..5_000 {
        let x = f64::from_bits(rng.next());
        if !x.is_finite() {
            continue;
        }
        let ours = sci(x, FloatKind::F64).replace("e+", "e").replace("e0", "e").replace("e-0", "e-");
        let rust = format!("{x:e}");
        assert!(same_or_even_tie(&ours, &rust), "bits {:#x}: {ours} vs {rust}", x.to_bits());
        let y = f32::from_bits(u32::try_from(rng.next() >> 32).expect("32 bits"));
        if y.is_finite() {
            let ours = sci(f64::from(y), FloatKind::F32).replace("e+", "e").replace("e0", "e").replace("e-0", "e-");
            let rust = format!("{y:e}");
            assert!(same_or_even_tie(&ours, &rust), "bits {:#x}: {ours} vs {rust}", y.to_bits());
        }
    }
}

/// float16 has no Rust formatting to compare with: its shortest digits must read back to the same
/// value, and one digit fewer must not.
#[test]
fn float16_unique_digits_round_trip_and_are_shortest() {
    for bits in 0u64..0x7c00 {
        let value = {
            let e = bits >> 10;
            let m = bits & 0x3ff;
            let sig = f64::from(u32::try_from(if e == 0 { m } else { m | 0x400 }).expect("11 bits"));
            sig * 2f64.powi(i32::try_from(e.max(1)).expect("5 bits") - 25)
        };
        assert_eq!(encode(value, FloatKind::F16), bits);
        let text = dragon4::scientific(value, FloatKind::F16, &Args { trim: Trim::DptZeros, ..Args::default() });
        let back: f64 = text.parse().expect("a number");
        assert_eq!(encode(back, FloatKind::F16), bits, "{text}");
        let (mantissa, exp) = text.split_once('e').expect("exponent");
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        if digits.len() > 1 {
            let shorter = &digits[..digits.len() - 1];
            let exp: i32 = exp.parse().expect("exponent");
            let candidates = [shorter.parse::<u64>().expect("digits"), shorter.parse::<u64>().expect("digits") + 1];
            for c in candidates {
                let v: f64 =
                    format!("{c}e{}", exp - i32::try_from(shorter.len()).expect("short") + 1).parse().expect("number");
                assert_ne!(encode(v, FloatKind::F16), bits, "{text} is not shortest: {c}");
            }
        }
    }
}

#[test]
fn rounding_is_of_the_exact_binary_value() {
    let pos = |x: f64, precision: i32| {
        dragon4::positional(x, FloatKind::F64, &Args { precision, trim: Trim::Zeros, ..Args::default() }, true)
    };
    // 0.125 is exact: a true tie, rounded to the even digit
    assert_eq!(pos(0.125, 2), "0.12");
    assert_eq!(pos(0.375, 2), "0.38");
    // 0.12345 and 1.00005 are stored a little above the tie, 1.005 and 2.675 a little below
    assert_eq!(pos(0.12345, 4), "0.1235");
    assert_eq!(pos(1.00005, 4), "1.0001");
    assert_eq!(pos(1.005, 2), "1.");
    assert_eq!(pos(2.675, 2), "2.67");
    assert_eq!(pos(2.5e-5, 4), "0.");
    assert_eq!(pos(0.30000000000000004, 8), "0.3");
    assert_eq!(pos(2.5, 0), "2.");
    assert_eq!(pos(9.9999, 2), "10.");
}

#[test]
fn numpy_scalars_convert_exactly_for_printing() {
    use wasm_memmap_numpy_core::{Scalar as N, half::f16, num_complex::Complex};
    // numpy prints each with its kind's float type: np.float16(1) is '1.0' after rounding to half.
    assert_eq!(Scalar::from(N::Bool(true)), Scalar::Bool(true));
    assert_eq!(Scalar::from(N::Uint64(u64::MAX)), Scalar::Int(18_446_744_073_709_551_615));
    assert_eq!(Scalar::from(N::Int16(-300)), Scalar::Int(-300));
    assert_eq!(Scalar::from(N::Float16(f16::from_bits(0x3555))), Scalar::Float(0.333251953125, FloatKind::F16));
    assert_eq!(Scalar::from(N::Float32(0.1)), Scalar::Float(f64::from(0.1f32), FloatKind::F32));
    assert_eq!(Scalar::from(N::Complex64(Complex::new(1.5, -2.0))), Scalar::Complex(1.5, -2.0, FloatKind::F32));
    assert_eq!(Scalar::from(N::Complex128(Complex::new(0.1, 0.2))), Scalar::Complex(0.1, 0.2, FloatKind::F64));
}
