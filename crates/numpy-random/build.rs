//! Writes numpy's ziggurat tables (`data/numpy_ziggurat_tables.json`, extracted from numpy's
//! `random/src/distributions/ziggurat_constants.h`) as Rust constants, each double by its bits so
//! the tables are exact.

// A build script reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::PathBuf;

const TABLES: &str = "data/numpy_ziggurat_tables.json";

fn main() {
    println!("cargo:rerun-if-changed={TABLES}");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(manifest_dir.join(TABLES)).unwrap()).unwrap();
    let list = |key: &str| -> Vec<serde_json::Value> {
        let values = json[key].as_array().unwrap_or_else(|| panic!("{TABLES}: no array {key}")).clone();
        assert_eq!(values.len(), 256, "{TABLES}: {key} has {} entries, not 256", values.len());
        values
    };
    let double = |v: &serde_json::Value| format!("f64::from_bits({:#018x})", hex_float_bits(v.as_str().unwrap()));

    let mut src = String::new();
    let mut table = |name: &str, doc: &str, ty: &str, items: Vec<String>| {
        writeln!(src, "/// {doc}\npub(super) const {name}: [{ty}; 256] = [{}];", items.join(", ")).unwrap();
    };
    table(
        "KI",
        "`ki_double`: a 52-bit draw below `KI[i]` lies inside box `i` and is accepted at once.",
        "u64",
        list("ki_double").iter().map(|v| format!("{:#x}", v.as_u64().unwrap())).collect(),
    );
    table(
        "WI",
        "`wi_double`: the scale from a 52-bit draw to `x` in box `i`.",
        "f64",
        list("wi_double_hex").iter().map(double).collect(),
    );
    table(
        "FI",
        "`fi_double`: the density `exp(-x*x/2)` at the box edges.",
        "f64",
        list("fi_double_hex").iter().map(double).collect(),
    );
    writeln!(
        src,
        "/// `ziggurat_nor_r`: where the tail begins.\npub(super) const NOR_R: f64 = {};",
        double(&json["ziggurat_nor_r_hex"])
    )
    .unwrap();
    writeln!(
        src,
        "/// `ziggurat_nor_inv_r`: `1 / NOR_R`.\npub(super) const NOR_INV_R: f64 = {};",
        double(&json["ziggurat_nor_inv_r_hex"])
    )
    .unwrap();

    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("ziggurat_tables.rs");
    std::fs::write(out, src).unwrap();
}

/// The bits of a double written by Python's `float.hex()`: `[-]0x1.<hex digits>p<exp>`, or `0x0.0p+0`.
fn hex_float_bits(s: &str) -> u64 {
    let (sign, s) = s.strip_prefix('-').map_or((0, s), |rest| (1u64 << 63, rest));
    let (mantissa, exponent) =
        s.strip_prefix("0x").and_then(|m| m.split_once('p')).unwrap_or_else(|| panic!("not a hex float: {s}"));
    let (lead, frac) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    assert!(frac.len() <= 13, "more than 52 fraction bits: {s}");
    let frac_bits = u64::from_str_radix(&format!("{frac:0<13}"), 16).unwrap();
    match lead {
        "0" => {
            assert_eq!(frac_bits, 0, "subnormal doubles are not expected: {s}");
            sign
        }
        "1" => {
            let biased = u64::try_from(exponent.parse::<i64>().unwrap() + 1023).unwrap();
            assert!((1..2047).contains(&biased), "exponent out of range: {s}");
            sign | (biased << 52) | frac_bits
        }
        _ => panic!("not a normalised hex float: {s}"),
    }
}
