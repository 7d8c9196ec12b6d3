//! Opens one small file as many maps as it can, holding them all, and carries on after dropping
//! them: `max_open_maps` bounds the host file descriptors a plugin's maps hold. Prints one JSON line
//! per case: `{"case", "done", "code", "message"}`, where `done` counts the opens that worked before
//! the error.
//!
//! `openfiles [N]` tries at most N opens per case (default 300, over the default limit of 256). The
//! host test runs it in an empty writable directory with the default limits.

use wasm_memmap_sdk::{Error, Memmap, s};

fn report(case: &str, done: usize, result: Result<(), Error>) {
    let (code, message) = match &result {
        Ok(()) => ("ok".to_string(), String::new()),
        Err(e) => (wasm_memmap_sdk::code_name(e.code()).to_string(), e.message().to_string()),
    };
    println!("{}", serde_json::json!({ "case": case, "done": done, "code": code, "message": message }));
}

/// Calls `step` until it fails or has worked `tries` times, keeping what it returns alive.
fn until_error<T>(tries: usize, mut step: impl FnMut() -> Result<T, Error>) -> (Vec<T>, Result<(), Error>) {
    let mut kept = Vec::new();
    for _ in 0..tries {
        match step() {
            Ok(v) => kept.push(v),
            Err(e) => return (kept, Err(e)),
        }
    }
    (kept, Ok(()))
}

fn open_small() -> Result<Memmap, Error> {
    Memmap::options().dtype("uint8").mode("r").open("small.u1")
}

fn main() -> Result<(), Error> {
    let tries: usize = std::env::args().nth(1).map_or(300, |n| n.parse().expect("openfiles [N]"));
    Memmap::options().dtype("uint8").mode("w+").shape([16]).open("small.u1")?.flush()?;

    // Numpy would open each: `[np.memmap('small.u1', mode='r') for _ in range(300)]`.
    let (maps, result) = until_error(tries, open_small);
    report("maps", maps.len(), result);
    drop(maps);
    report("map-after-dropping", 0, open_small().map(drop));

    // Views of one map hold no file of their own.
    let one = open_small()?;
    let (views, result) = until_error(tries, || one.view(s![1..]));
    report("views-of-one-map", views.len(), result);
    drop((views, one));

    // A closed map keeps its file open until its last view is dropped.
    let (views, result) = until_error(tries, || {
        let map = open_small()?;
        let view = map.view(s![..8])?;
        map.close()?;
        Ok(view)
    });
    report("closed-maps-with-views", views.len(), result);
    drop(views);
    report("map-after-dropping-views", 0, open_small().map(drop));
    Ok(())
}
