//! The guest side of the benchmark (`bench/`): runs one workload against a granted file, times it
//! inside the plugin, and prints `<seconds> <checksum>` on one line.
//!
//! Usage: `bench <workload> <path> [n]`:
//! - `noop`: nothing (plugin start-up);
//! - `scan-chunks PATH`: sum of a 10000x10000 float64 file through `Memmap::chunks`;
//! - `scan-block PATH N`: the same, reading the file as one axis in blocks of `N` elements;
//! - `scan-host PATH`: the same through the host's native `sum`;
//! - `read PATH BYTES` / `write PATH BYTES`: one contiguous block of `BYTES` bytes (float64),
//!   repeated until about 256 MiB moved; prints seconds per call;
//! - `read-column PATH`, `read-every-other-row PATH`: `a[:, 0]` of 10000x10000, `a[:1000:2]`;
//! - `read-one PATH N` / `write-one PATH N`: `N` one-element calls (`a.item(i)`, `a[i] = v` through
//!   `Memmap::item` / `Memmap::set_item`); prints seconds per call.

use std::process::ExitCode;
use std::time::Instant;

use wasm_memmap_sdk::{Error, Memmap, s};

const SIDE: u64 = 10000;

/// A sum with 8 independent accumulators: a plain `iter().sum()` waits on each addition.
fn sum8(values: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut chunks = values.chunks_exact(8);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    acc.iter().sum::<f64>() + chunks.remainder().iter().sum::<f64>()
}

fn square(path: &str, mode: &str) -> Result<Memmap, Error> {
    Memmap::open(path, "float64", mode, Some(&[SIDE, SIDE]))
}

fn number(arg: Option<&String>, what: &str) -> Result<u64, String> {
    arg.and_then(|a| a.parse().ok()).ok_or_else(|| format!("{what} must be a non-negative integer"))
}

/// Repetitions of a block of `bytes` so that about 256 MiB move in all (at least 16 calls).
fn repetitions(bytes: u64) -> u64 {
    ((256u64 << 20) / bytes.max(1)).max(16)
}

fn run(args: &[String]) -> Result<(f64, f64), String> {
    let e = |err: Error| err.to_string();
    let workload = args.first().map(String::as_str).unwrap_or("");
    let path = args.get(1).map(String::as_str).unwrap_or("");
    let start = Instant::now();
    let checksum = match workload {
        "noop" => 0.0,
        // The scans time the scan alone, as numpy's side does (`a = np.memmap(...)` before its
        // clock starts, `del a` after it stops): the map is opened first and unmapped after.
        "scan-chunks" => {
            let a = square(path, "r").map_err(e)?;
            let start = Instant::now();
            let mut total = 0.0;
            for chunk in a.chunks::<f64>().map_err(e)? {
                total += sum8(&chunk.map_err(e)?);
            }
            return Ok((start.elapsed().as_secs_f64(), total));
        }
        "scan-block" => {
            let n = number(args.get(2), "N")?;
            let a = Memmap::open(path, "float64", "r", None).map_err(e)?;
            let start = Instant::now();
            let len = a.shape()[0];
            let mut total = 0.0;
            let mut at = 0;
            while at < len {
                let end = (at + n).min(len);
                total += sum8(&a.read::<f64>(s![at..end]).map_err(e)?);
                at = end;
            }
            return Ok((start.elapsed().as_secs_f64(), total));
        }
        "scan-host" => {
            let a = square(path, "r").map_err(e)?;
            let start = Instant::now();
            let total = a.sum().map_err(e)?;
            return Ok((start.elapsed().as_secs_f64(), total));
        }
        "read" | "write" => {
            let bytes = number(args.get(2), "BYTES")?;
            let n = bytes / 8;
            let a = Memmap::open(path, "float64", if workload == "read" { "r" } else { "r+" }, None).map_err(e)?;
            let reps = repetitions(bytes);
            let block = vec![1.5f64; usize::try_from(n).map_err(|_| "BYTES too large")?];
            let start = Instant::now();
            let mut check = 0.0;
            for _ in 0..reps {
                if workload == "read" {
                    check += a.read::<f64>(s![0..n]).map_err(e)?[0];
                } else {
                    a.write(s![0..n], &block).map_err(e)?;
                }
            }
            #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
            let per_call = start.elapsed().as_secs_f64() / reps as f64;
            return Ok((per_call, check));
        }
        "read-column" => sum8(&square(path, "r").map_err(e)?.read::<f64>(s![.., 0]).map_err(e)?),
        "read-every-other-row" => sum8(&square(path, "r").map_err(e)?.read::<f64>(s![..1000;2]).map_err(e)?),
        "read-one" | "write-one" => {
            let n = number(args.get(2), "N")?;
            let write = workload == "write-one";
            let a = Memmap::open(path, "float64", if write { "r+" } else { "r" }, None).map_err(e)?;
            let len = i64::try_from(a.shape()[0].min(1 << 16)).map_err(|_| "length")?;
            let n = i64::try_from(n).map_err(|_| "N too large")?;
            let start = Instant::now();
            let mut check = 0.0;
            for i in 0..n {
                let at = i % len;
                if write {
                    a.set_item(&[at], 2.5).map_err(e)?;
                } else {
                    check += a.item::<f64>(&[at]).map_err(e)?;
                }
            }
            #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
            let per_call = start.elapsed().as_secs_f64() / n.max(1) as f64;
            return Ok((per_call, check));
        }
        other => return Err(format!("unknown workload '{other}'")),
    };
    Ok((start.elapsed().as_secs_f64(), checksum))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok((seconds, checksum)) => {
            println!("{seconds:e} {checksum:?}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench: {message}");
            ExitCode::FAILURE
        }
    }
}
