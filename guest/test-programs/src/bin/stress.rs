//! Plugins for the durability and concurrency tests.
//!
//! - `stress truncated PATH`: maps PATH (`w+`, 262144 float64) and `other.f8`, creates `ready`, then
//!   reads and writes PATH in 64 KiB pieces until a call fails (another process truncates it) or 30
//!   s pass. Prints one JSON line: the failing call's code and message, the code of the next call,
//!   and whether `other.f8` still round-trips.
//! - `stress flush-marker PATH SEED`: writes `SEED * 1e6 + k` at element k of PATH (`w+`, 65536
//!   float64), flushes, prints `flushed`, then keeps writing other values to a second file without
//!   end (the test kills the host process).
//! - `stress region PATH PART PARTS`: opens PATH (`r+`, 65536 float64), writes `PART * 1e6 + k` to
//!   its PART-th of PARTS equal pieces a row at a time and flushes; also writes `own-PART.f8`.

use std::io::Write;
use std::time::{Duration, Instant};

use wasm_memmap_sdk::{Error, Memmap, code_name, s};

fn f8(path: &str, mode: &str, len: u64) -> Memmap {
    Memmap::options().dtype("float64").mode(mode).shape([len]).open(path).expect("open")
}

fn code(result: &Result<(), Error>) -> String {
    match result {
        Ok(()) => "ok".into(),
        Err(e) => code_name(e.code()).into(),
    }
}

fn truncated(path: &str) {
    const LEN: u64 = 1 << 18;
    const PIECE: u64 = 8192;
    let map = f8(path, "w+", LEN);
    let other = f8("other.f8", "w+", 1000);
    std::fs::write("ready", b"").expect("ready");
    let start = Instant::now();
    let mut calls = 0u64;
    let failure = loop {
        let at = (calls * PIECE) % LEN;
        let range = s![at..at + PIECE];
        let result =
            if calls.is_multiple_of(2) { map.read::<f64>(&range).map(drop) } else { map.write(range, &[2.5f64; 8192]) };
        calls += 1;
        if let Err(e) = result {
            break Some(e);
        }
        if start.elapsed() > Duration::from_secs(30) {
            break None;
        }
    };
    let again = map.read::<f64>(s![..PIECE]).map(drop);
    let other_ok = other.fill(s![..], 7.0f64).and_then(|()| other.read::<f64>(s![..])).map(|v| v == vec![7.0; 1000]);
    println!(
        "{}",
        serde_json::json!({
            "calls": calls,
            "code": failure.as_ref().map_or("none".into(), |e| code_name(e.code()).to_string()),
            "message": failure.as_ref().map_or(String::new(), |e| e.message().to_string()),
            "again": code(&again),
            "again_message": again.err().map(|e| e.message().to_string()),
            "other_ok": other_ok.unwrap_or(false),
        })
    );
}

fn flush_marker(path: &str, seed: u32) {
    let map = f8(path, "w+", 65536);
    let values: Vec<f64> = (0..65536u32).map(|k| f64::from(seed) * 1e6 + f64::from(k)).collect();
    map.write(s![..], &values).expect("write");
    map.flush().expect("flush");
    println!("flushed");
    std::io::stdout().flush().expect("stdout");
    let scratch = f8("scratch.f8", "w+", 65536);
    let mut x = 0.0f64;
    loop {
        x += 1.0;
        scratch.fill(s![..], x).expect("fill");
    }
}

fn region(path: &str, part: u64, parts: u64) {
    let map = f8(path, "r+", 65536);
    let piece = 65536 / parts;
    let own = f8(&format!("own-{part}.f8"), "w+", piece);
    for row in 0..piece / 256 {
        let first = part * piece + row * 256;
        let values: Vec<f64> = (first..first + 256)
            .map(|k| f64::from(u32::try_from(part * 1_000_000 + k).expect("fits in u32")))
            .collect();
        map.write(s![first..first + 256], &values).expect("write");
        own.write(s![row * 256..row * 256 + 256], &values).expect("write own");
    }
    map.flush().expect("flush");
    own.flush().expect("flush own");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["truncated", path] => truncated(path),
        ["flush-marker", path, seed] => flush_marker(path, seed.parse().expect("seed")),
        ["region", path, part, parts] => region(path, part.parse().expect("part"), parts.parse().expect("parts")),
        _ => {
            eprintln!("usage: see the module documentation");
            std::process::exit(2);
        }
    }
}
