//! The one-copy byte path (`read-bytes` lent from the mapping, `write-bytes` read in place) under
//! truncation, and its speed.
//!
//! - `onecopy truncate FILE N`: maps FILE (N float64 values, mode `r`), truncates it to 4096 bytes
//!   through WASI, then reads it with `read-bytes`, `take` and `item-flat`: each must fail.
//! - `onecopy race FILE N ROUNDS`: reads FILE (mode `r`, N float64 values whose bytes are never
//!   zero) whole, ROUNDS times, checking every byte of each read; stops at the first error. The
//!   host truncates the file meanwhile. Prints `{"rounds": n}` or `{"error": [..], "round": r}`,
//!   or `{"zeros": r}` if a read gave zeros without an error (the failure this guards against).
//! - `onecopy bench FILE ROUNDS SIZE...`: nanoseconds per `read-bytes` / `write-bytes` of SIZE
//!   bytes of FILE (mode `r+`), per guest `memcpy` of SIZE bytes, and per `item-flat` /
//!   `set-item-flat` (and `dtype`, a call that does next to nothing in the host).

use std::time::Instant;

use serde_json::{Value, json};
use wasm_memmap_sdk::raw::types;
use wasm_memmap_sdk::{Index, Memmap, Slice, code_name};

fn wit_error(e: &types::Error) -> Value {
    json!([code_name(e.code), e.message])
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize) -> Result<T, String> {
    args.get(i).and_then(|a| a.parse().ok()).ok_or_else(|| format!("argument {i} missing or bad"))
}

fn open(path: &str, n: u64, mode: &str) -> Result<Memmap, String> {
    Memmap::options().dtype("<f8").mode(mode).shape(vec![n]).open(path).map_err(|e| e.message().to_string())
}

fn truncate(args: &[String]) -> Result<Value, String> {
    let (path, n) = (args[1].as_str(), arg::<u64>(args, 2)?);
    let map = open(path, n, "r")?;
    std::fs::OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(4096)).map_err(|e| e.to_string())?;
    let read = map.raw().read_bytes(&[]).map(|b| b.len());
    let again = map.raw().read_bytes(&[]).map(|b| b.len());
    let taken = map.raw().take(types::Indices::Flat(&[0, -1])).map(|b| b.len());
    let item = map.raw().item_flat(-1).map(|_| ());
    Ok(json!({
        "read": read.map_err(|e| wit_error(&e)).err(),
        "again": again.map_err(|e| wit_error(&e)).err(),
        "take": taken.map_err(|e| wit_error(&e)).err(),
        "item": item.map_err(|e| wit_error(&e)).err(),
    }))
}

fn race(args: &[String]) -> Result<Value, String> {
    let (path, n, rounds) = (args[1].as_str(), arg::<u64>(args, 2)?, arg::<u64>(args, 3)?);
    let map = open(path, n, "r")?;
    for round in 0..rounds {
        match map.raw().read_bytes(&[]) {
            Ok(bytes) => {
                if bytes.contains(&0) {
                    return Ok(json!({ "zeros": round }));
                }
            }
            Err(e) => return Ok(json!({ "error": wit_error(&e), "round": round })),
        }
    }
    Ok(json!({ "rounds": rounds }))
}

/// Nanoseconds per call of `f`, the best of five runs of `rounds` calls.
fn per_call(rounds: u64, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..rounds {
            f()?;
        }
        // A timing: u64 counts far below 2**53, so the conversions are exact enough.
        #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
        let ns = start.elapsed().as_secs_f64() * 1e9 / rounds as f64;
        best = best.min(ns);
    }
    Ok(best)
}

fn bench(args: &[String]) -> Result<Value, String> {
    let (path, rounds) = (args[1].as_str(), arg::<u64>(args, 2)?);
    let sizes: Vec<u64> = (3..args.len()).map(|i| arg(args, i)).collect::<Result<_, _>>()?;
    let largest = sizes.iter().copied().max().unwrap_or(8);
    let map = open(path, largest / 8, "r+")?;
    let raw = map.raw();
    let mut out = serde_json::Map::new();
    for size in sizes {
        let stop = i64::try_from(size / 8).map_err(|e| e.to_string())?;
        let index = [Index::Slice(Slice { start: Some(0), stop: Some(stop), step: None })];
        let rounds = (rounds * 65536 / size.max(1)).max(3);
        let data = vec![1u8; usize::try_from(size).map_err(|e| e.to_string())?];
        let mut dst = vec![0u8; data.len()];
        let read = per_call(rounds, || raw.read_bytes(&index).map(drop).map_err(|e| e.message))?;
        let write = per_call(rounds, || raw.write_bytes(&index, &data, None).map_err(|e| e.message))?;
        let memcpy = per_call(rounds, || {
            dst.copy_from_slice(std::hint::black_box(&data));
            std::hint::black_box(&dst);
            Ok(())
        })?;
        out.insert(format!("{size}"), json!({ "read_ns": read, "write_ns": write, "memcpy_ns": memcpy }));
    }
    let rounds = rounds * 100;
    let item = per_call(rounds, || raw.item_flat(3).map(drop).map_err(|e| e.message))?;
    let set = per_call(rounds, || raw.set_item_flat(3, types::Scalar::Float64(1.5)).map_err(|e| e.message))?;
    let item_at = per_call(rounds, || raw.item(&[3]).map(drop).map_err(|e| e.message))?;
    // The cost of a call that does next to nothing in the host (a handle lookup): what wasmtime's
    // transition costs, for comparison.
    let noop = per_call(rounds, || {
        std::hint::black_box(raw.dtype());
        Ok(())
    })?;
    out.insert("dtype_ns".into(), json!(noop));
    out.insert("item_flat_ns".into(), json!(item));
    out.insert("set_item_flat_ns".into(), json!(set));
    out.insert("item_ns".into(), json!(item_at));
    Ok(Value::Object(out))
}

/// `onecopy seq FILE SIZE [convert]`: `read-bytes` of consecutive SIZE-byte blocks through all
/// of FILE (float64, mode `r`), with `convert` each copied into a new `Vec<f64>` as a plugin
/// keeping typed values would; nanoseconds per block.
fn seq(args: &[String]) -> Result<Value, String> {
    let (path, size) = (args[1].as_str(), arg::<u64>(args, 2)?);
    let convert = args.get(3).is_some_and(|a| a == "convert");
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    let map = open(path, len / 8, "r")?;
    let per = i64::try_from(size / 8).map_err(|e| e.to_string())?;
    let blocks = i64::try_from(len / size).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut check = 0.0;
    for b in 0..blocks {
        let index = [Index::Slice(Slice { start: Some(b * per), stop: Some((b + 1) * per), step: None })];
        let bytes = map.raw().read_bytes(&index).map_err(|e| e.message)?;
        if convert {
            let values: Vec<f64> =
                bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default())).collect();
            check += values[0];
        } else {
            check += f64::from(bytes[0]);
        }
    }
    #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
    let ns = start.elapsed().as_secs_f64() * 1e9 / blocks.max(1) as f64;
    Ok(json!({ "ns_per_block": ns, "check": check }))
}

fn main() {
    wasm_memmap_test_programs::print_json(|args| match args.first().map(String::as_str) {
        Some("truncate") => truncate(args),
        Some("race") => race(args),
        Some("bench") => bench(args),
        Some("seq") => seq(args),
        _ => Err("usage: onecopy truncate|race|bench ...".into()),
    });
}
