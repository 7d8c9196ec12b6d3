//! `.npy` files through the SDK, one command per line of `npy.txt` (granted directory), one JSON
//! line of output each:
//!
//! - `create FILE DTYPE ORDER SHAPE`: `open_memmap(FILE, 'w+', DTYPE, SHAPE, fortran_order)`
//!   (SHAPE `()` for 0-d); prints the array's metadata.
//! - `open FILE MODE`: `np.load(FILE, mmap_mode=MODE)`; prints `dtype` (numpy's `dtype.str`),
//!   `shape`, `order`, `offset`, `mode` and `repr`.
//! - `fill FILE MODE VALUE`: opens a float64 `.npy` file with MODE, assigns VALUE to every element
//!   and flushes.
//!
//! An error prints its `code` and `message`.

use wasm_memmap_sdk::{Error, Memmap, Order, code_name, mode_str, s};

fn describe(a: &Memmap) -> Result<serde_json::Value, Error> {
    Ok(serde_json::json!({
        "dtype": a.dtype().str(),
        "shape": a.shape(),
        "order": if a.order() == Order::Fortran { "F" } else { "C" },
        "offset": a.offset(),
        "mode": mode_str(a.mode()),
        "repr": a.repr()?,
    }))
}

fn run(words: &[&str]) -> Result<serde_json::Value, Error> {
    match words {
        ["create", file, dtype, order, shape] => {
            let shape: Vec<u64> = shape
                .trim_matches(|c| c == '(' || c == ')')
                .split(',')
                .filter(|d| !d.is_empty())
                .map(|d| d.parse().unwrap_or(u64::MAX))
                .collect();
            describe(&Memmap::create_npy(file, *dtype, &shape, *order)?)
        }
        ["open", file, mode] => describe(&Memmap::open_npy(file, *mode)?),
        ["fill", file, mode, value] => {
            let a = Memmap::open_npy(file, *mode)?;
            a.fill(s![..], value.parse::<f64>().unwrap_or(f64::NAN))?;
            a.flush()?;
            Ok(serde_json::json!({ "ok": true }))
        }
        _ => Ok(serde_json::json!({ "unknown": words })),
    }
}

fn main() {
    let script = std::fs::read_to_string("npy.txt").expect("npy.txt in the granted directory");
    for line in script.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let out =
            run(&words).unwrap_or_else(|e| serde_json::json!({ "code": code_name(e.code()), "message": e.message() }));
        println!("{out}");
    }
}
