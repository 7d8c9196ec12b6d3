//! Runs into each `memmap` limit and carries on after it. Prints one JSON line per case:
//! `{"case", "done", "code", "message"}`, where `done` counts the steps that worked before the error.
//!
//! The host test runs it with `max_handles` 50, `max_transfer_bytes` 64 KiB and `max_mapped_bytes`
//! 4 MiB, in an empty writable directory.

use wasm_memmap_sdk::{Error, Memmap, s};

fn report(case: &str, done: usize, result: Result<(), Error>) {
    let (code, message) = match &result {
        Ok(()) => ("ok".to_string(), String::new()),
        Err(e) => (wasm_memmap_sdk::code_name(e.code()).to_string(), e.message().to_string()),
    };
    println!("{}", serde_json::json!({ "case": case, "done": done, "code": code, "message": message }));
}

/// Calls `step` until it fails (or 100,000 times), keeping what it returns alive.
fn until_error<T>(mut step: impl FnMut() -> Result<T, Error>) -> (Vec<T>, Result<(), Error>) {
    let mut kept = Vec::new();
    for _ in 0..100_000 {
        match step() {
            Ok(v) => kept.push(v),
            Err(e) => return (kept, Err(e)),
        }
    }
    (kept, Ok(()))
}

fn main() -> Result<(), Error> {
    let grid = Memmap::options().dtype("float64").mode("w+").shape([4, 4]).open("grid.f8")?;
    let (views, result) = until_error(|| grid.view(s![1..]));
    report("views", views.len(), result);
    drop(views);
    report("view-after-dropping", 0, grid.view(s![1..]).map(drop));

    let big = Memmap::options().dtype("uint8").mode("w+").shape([1 << 20]).open("big.u1")?;
    report("read-whole", 0, big.read::<u8>(s![..]).map(drop));
    report("broadcast-fill", 0, big.fill(s![..], 7u8));
    report("fill-in-limit", 0, big.fill(s![..65536], 7u8));
    report("write-whole", 0, big.write(s![..], &vec![1u8; 1 << 20]));

    let (maps, result) = until_error(|| Memmap::options().dtype("uint8").mode("r").open("big.u1"));
    report("maps", maps.len(), result);
    drop(maps);
    report("map-after-dropping", 0, Memmap::options().dtype("uint8").mode("r").open("big.u1").map(drop));
    Ok(())
}
