//! Moves typed values between numpy-written files and files this host writes, for the interop
//! matrix (every dtype x byte order x order x offset, raw and `.npy`). One run does every case:
//! the granted directory holds `manifest.txt`, one case per line:
//!
//! - `raw-read FILE DTYPE ORDER OFFSET SHAPE OUT`: `np.memmap(FILE, DTYPE, 'r', OFFSET, SHAPE,
//!   ORDER)`, all elements in C order written to OUT as a native 1-D array of the same kind.
//! - `raw-write SRC FILE DTYPE ORDER OFFSET SHAPE`: the native 1-D values of SRC written into a new
//!   `np.memmap(FILE, DTYPE, 'w+', OFFSET, SHAPE, ORDER)` (C order of SHAPE).
//! - `npy-read FILE OUT`: `np.load(FILE, mmap_mode='r')`, its elements written to OUT as above.
//! - `npy-write SRC FILE DTYPE ORDER SHAPE`: `open_memmap(FILE, 'w+', DTYPE, SHAPE, fortran_order)`
//!   filled with the values of SRC.
//!
//! Prints `ok N` after N cases, or the failing line and error (and exits 1).

use wasm_memmap_sdk::{DType, Element, Error, Memmap};

fn copy<T: Element>(from: &Memmap, to: &Memmap) -> Result<(), Error> {
    to.write([], &from.to_vec::<T>()?)
}

/// Copies every element of `from` into `to` (same kind, same size), in C order.
fn copy_all(from: &Memmap, to: &Memmap) -> Result<(), Error> {
    wasm_memmap_sdk::with_kind!(from.dtype().kind(), T => copy::<T>(from, to))
}

fn shape(s: &str) -> Result<Vec<u64>, String> {
    s.split(',').map(|d| d.parse().map_err(|_| format!("bad shape '{s}'"))).collect()
}

fn native_out(path: &str, like: &Memmap) -> Result<Memmap, Error> {
    Memmap::options().dtype(DType::native(like.dtype().kind())).mode("w+").shape([like.size()]).open(path)
}

fn native_in(path: &str, dtype: DType) -> Result<Memmap, Error> {
    Memmap::options().dtype(DType::native(dtype.kind())).mode("r").open(path)
}

fn case(words: &[&str]) -> Result<(), String> {
    let e = |e: Error| e.to_string();
    match words {
        ["raw-read", file, dtype, order, offset, dims, out] => {
            let offset = offset.parse().map_err(|_| "bad offset")?;
            let a = Memmap::options()
                .dtype(*dtype)
                .mode("r")
                .order(*order)
                .offset(offset)
                .shape(shape(dims)?)
                .open(file)
                .map_err(e)?;
            copy_all(&a, &native_out(out, &a).map_err(e)?).map_err(e)
        }
        ["raw-write", src, file, dtype, order, offset, dims] => {
            let offset = offset.parse().map_err(|_| "bad offset")?;
            let a = Memmap::options()
                .dtype(*dtype)
                .mode("w+")
                .order(*order)
                .offset(offset)
                .shape(shape(dims)?)
                .open(file)
                .map_err(e)?;
            copy_all(&native_in(src, a.dtype()).map_err(e)?, &a).map_err(e)
        }
        ["npy-read", file, out] => {
            let a = Memmap::open_npy(file, "r").map_err(e)?;
            copy_all(&a, &native_out(out, &a).map_err(e)?).map_err(e)
        }
        ["npy-write", src, file, dtype, order, dims] => {
            let a = Memmap::create_npy(file, *dtype, &shape(dims)?, *order).map_err(e)?;
            copy_all(&native_in(src, a.dtype()).map_err(e)?, &a).map_err(e)
        }
        _ => Err("unknown case".into()),
    }
}

fn main() {
    let manifest = std::fs::read_to_string("manifest.txt").expect("manifest.txt in the granted directory");
    let mut done = 0;
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Err(err) = case(&words) {
            println!("FAILED {line}: {err}");
            std::process::exit(1);
        }
        done += 1;
    }
    println!("ok {done}");
}
