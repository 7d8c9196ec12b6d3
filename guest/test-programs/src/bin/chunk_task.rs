//! One task of a Dask graph over a Zarr array: the plugin a scheduler runs once per chunk (or
//! block of chunks), each run granted the array with writes restricted to its block
//! (`wasm-memmap run --region`).
//!
//! `chunk_task LOCATION START:STOP[,START:STOP...] [--write]`: opens the Zarr array at LOCATION
//! (`r`, or `r+` with `--write`), with `--write` first stores at each element of the block its
//! position in the whole array flattened in C order (`np.arange(a.size).reshape(a.shape)[block]`,
//! as `float64` or `int64`, whichever the array is), flushes, then prints one line of JSON:
//! `{"block": [[start, stop], ...], "sum": S, "bits": "16 hex digits of S"}` where S is
//! `a[block].sum(dtype=np.float64)`. Errors are printed to stderr as `code: message` (`access-denied:
//! ...` for a write outside the granted region), with exit status 1; a bad command line is status 2.

use std::process::ExitCode;

use wasm_memmap_sdk::{Error, Index, Kind, Memmap, Slice, code_name};

struct Task {
    location: String,
    block: Vec<(u64, u64)>,
    write: bool,
}

fn parse(args: &[String]) -> Result<Task, String> {
    let usage = "usage: chunk_task LOCATION START:STOP[,START:STOP...] [--write]";
    let (location, block, write) = match args {
        [location, block] => (location, block, false),
        [location, block, flag] if flag == "--write" => (location, block, true),
        _ => return Err(usage.to_string()),
    };
    let block = block
        .split(',')
        .map(|part| {
            let (start, stop) =
                part.trim().split_once(':').ok_or_else(|| format!("'{part}' is not START:STOP; {usage}"))?;
            let number = |t: &str| t.trim().parse::<u64>().map_err(|_| format!("'{t}' is not a position; {usage}"));
            Ok((number(start)?, number(stop)?))
        })
        .collect::<Result<_, String>>()?;
    Ok(Task { location: location.clone(), block, write })
}

fn index_of(block: &[(u64, u64)]) -> Result<Vec<Index>, Error> {
    let int = |v: u64| i64::try_from(v).map_err(|_| Error::new(wasm_memmap_sdk::ErrorCode::Overflow, format!("{v}")));
    block
        .iter()
        .map(|&(start, stop)| Ok(Index::Slice(Slice { start: Some(int(start)?), stop: Some(int(stop)?), step: None })))
        .collect()
}

/// The flat C-order positions of the block's elements, in C order of the block (clipped to the
/// array, as the slice is).
fn positions(shape: &[u64], block: &[(u64, u64)]) -> Vec<u64> {
    let clipped: Vec<(u64, u64)> =
        block.iter().zip(shape).map(|(&(start, stop), &len)| (start.min(len), stop.min(len))).collect();
    let mut out = vec![0u64];
    for (axis, &(start, stop)) in clipped.iter().enumerate() {
        let stride: u64 = shape[axis + 1..].iter().product();
        out = out.iter().flat_map(|&base| (start..stop).map(move |i| base + i * stride)).collect();
    }
    out
}

/// `p` as a float64, exactly (positions of arrays of up to 2**53 elements).
fn to_f64(p: u64) -> Result<f64, Error> {
    let (high, low) = (u32::try_from(p >> 32), u32::try_from(p & 0xffff_ffff));
    match (high, low) {
        (Ok(high), Ok(low)) if p < (1 << 53) => Ok(f64::from(high) * 4_294_967_296.0 + f64::from(low)),
        _ => Err(Error::new(wasm_memmap_sdk::ErrorCode::Overflow, format!("position {p} is not exact in float64"))),
    }
}

fn run(task: &Task) -> Result<(), Error> {
    let mode = if task.write { "r+" } else { "r" };
    let a = Memmap::open_zarr(&task.location, mode)?;
    if task.block.len() != a.ndim() {
        return Err(Error::new(
            wasm_memmap_sdk::ErrorCode::InvalidArgument,
            format!("the block has {} ranges but the array has {} axes", task.block.len(), a.ndim()),
        ));
    }
    let index = index_of(&task.block)?;
    if task.write {
        let flat = positions(a.shape(), &task.block);
        match a.dtype().kind() {
            Kind::Float64 => a.write(&index, &flat.iter().map(|&p| to_f64(p)).collect::<Result<Vec<f64>, _>>()?)?,
            Kind::Int64 => {
                let values = flat
                    .iter()
                    .map(|&p| {
                        i64::try_from(p).map_err(|_| Error::new(wasm_memmap_sdk::ErrorCode::Overflow, "position"))
                    })
                    .collect::<Result<Vec<i64>, _>>()?;
                a.write(&index, &values)?;
            }
            other => {
                return Err(Error::new(
                    wasm_memmap_sdk::ErrorCode::Mismatch,
                    format!("--write stores float64 or int64 positions, not {other:?}"),
                ));
            }
        }
        a.flush()?;
    }
    let sum = a.view(&index)?.sum()?;
    let block: Vec<[u64; 2]> = task.block.iter().map(|&(start, stop)| [start, stop]).collect();
    println!("{{\"block\": {block:?}, \"sum\": {sum:?}, \"bits\": \"{:016x}\"}}", sum.to_bits());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse(&args) {
        Ok(task) => task,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(&task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {}", code_name(e.code()), e.message());
            ExitCode::FAILURE
        }
    }
}
