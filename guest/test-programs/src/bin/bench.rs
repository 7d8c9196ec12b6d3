//! The guest side of the benchmark (`bench/`): runs one workload against a granted file, times it
//! inside the plugin, and prints `<seconds> <checksum>` on one line.
//!
//! Usage: `bench <workload> <path> [n]`:
//! - `noop`: nothing (plugin start-up);
//! - `scan-chunks PATH`: sum of a 10000x10000 float64 file through `Memmap::chunks`;
//! - `scan-block PATH N`: the same, reading the file as one axis in blocks of `N` elements;
//! - `scan-host PATH`: the same through the host's native `sum`;
//! - `scan-scan PATH`: the same through `Memmap::scan` (each block read straight into a buffer the
//!   SDK keeps) summed by `kernels::sum_f64` (simd128);
//! - `scan-window PATH`: the same through a zero-copy window onto the file (`Memmap::window`, the
//!   host must enable windows) summed in place by `kernels::sum_f64`; the window is closed after
//!   the clock stops, as numpy's map is unmapped after its;
//! - `scan-window-warm PATH`: the same window summed twice, the second pass timed (its pages are
//!   mapped by then);
//! - `take PATH INDICES`: `a.flat[idx]` of the file as one axis, for the little-endian int64
//!   positions in the file `INDICES` (read before the clock starts), through `Memmap::take`;
//! - `read PATH BYTES` / `write PATH BYTES`: one contiguous block of `BYTES` bytes (float64) through
//!   the one-copy paths (`Memmap::read_bytes`, `Memmap::write`, both over `read-bytes`/`write-bytes`),
//!   repeated until about 256 MiB moved; prints seconds per call;
//! - `read-column PATH`, `read-every-other-row PATH`: `a[:, 0]` of 10000x10000, `a[:1000:2]`;
//! - `read-one PATH N` / `write-one PATH N`: `N` one-element calls (`a.item(i)`, `a[i] = v` through
//!   `Memmap::item` / `Memmap::set_item`); prints seconds per call;
//! - `read-one-flat PATH N` / `write-one-flat PATH N`: the same by flat position
//!   (`Memmap::item_flat` / `Memmap::set_item_flat`, WIT `item-flat` / `set-item-flat`).

use std::process::ExitCode;
use std::time::Instant;

use wasm_memmap_sdk::{Error, Memmap, kernels, s};

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
        "scan-scan" => {
            let a = square(path, "r").map_err(e)?;
            let start = Instant::now();
            let mut total = 0.0;
            a.scan::<f64>(|block| total += kernels::sum_f64(block)).map_err(e)?;
            return Ok((start.elapsed().as_secs_f64(), total));
        }
        "scan-window" | "scan-window-warm" => {
            let mut a = square(path, "r").map_err(e)?;
            let mut start = Instant::now();
            let window = a.window::<f64>().map_err(e)?;
            if workload == "scan-window-warm" {
                std::hint::black_box(kernels::sum_f64(&window));
                start = Instant::now();
            }
            let total = kernels::sum_f64(&window);
            let seconds = start.elapsed().as_secs_f64();
            window.close().map_err(e)?;
            return Ok((seconds, total));
        }
        "take" => {
            let file = args.get(2).ok_or("take needs the index file")?;
            let raw = std::fs::read(file).map_err(|err| format!("{file}: {err}"))?;
            let indices: Vec<i64> =
                raw.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect();
            let a = Memmap::open(path, "float64", "r", None).map_err(e)?;
            let start = Instant::now();
            let picked = a.take::<f64>(&indices).map_err(e)?;
            let seconds = start.elapsed().as_secs_f64();
            return Ok((seconds, kernels::sum_f64(&picked)));
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
                    // The one-copy path: the host lends the mapping and wasmtime copies it into the
                    // plugin's memory once (`read-bytes`).
                    check += f64::from(a.read_bytes(s![0..n]).map_err(e)?[0]);
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
        "read-one" | "write-one" | "read-one-flat" | "write-one-flat" => {
            let n = number(args.get(2), "N")?;
            let write = workload.starts_with("write");
            let flat = workload.ends_with("-flat");
            let a = Memmap::open(path, "float64", if write { "r+" } else { "r" }, None).map_err(e)?;
            let len = i64::try_from(a.shape()[0].min(1 << 16)).map_err(|_| "length")?;
            let n = i64::try_from(n).map_err(|_| "N too large")?;
            let start = Instant::now();
            let mut check = 0.0;
            for i in 0..n {
                let at = i % len;
                match (write, flat) {
                    (true, false) => a.set_item(&[at], 2.5).map_err(e)?,
                    (true, true) => a.set_item_flat(at, 2.5).map_err(e)?,
                    (false, false) => check += a.item::<f64>(&[at]).map_err(e)?,
                    (false, true) => check += a.item_flat::<f64>(at).map_err(e)?,
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
