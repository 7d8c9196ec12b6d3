//! Flushes that must reach the disk, and the quotas on what a plugin may make: one case per run,
//! named by the first argument. Prints one JSON line per step, `{"case", "done", "code",
//! "message"}`, where `done` counts what worked before the error (as `limits.rs` does).
//!
//! - `sync create-npy|w+|w+-existing|r+|r+-fits`: makes or grows (or, `r+-fits`, only opens) one
//!   file without writing an element, calls `flush`, and keeps the handle (`mem::forget`) so that
//!   the host test sees what `flush` did before the instance is torn down; `sync
//!   create-npy-unflushed` keeps it without a flush, for the teardown to sync.
//! - `total`: creates and grows files past a total quota of 10,000 bytes.
//! - `copy-on-write`: maps `big.u1` (2 MiB, made by the test) copy-on-write past a 1 MiB limit.
//! - `descriptors`: opens `f.txt` through WASI (`std::fs::File::open`) until it fails, at most 2,000
//!   times, and carries on after.
//! - `cow-fill BYTES` and `many-files COUNT BYTES`: the attacks, for measuring (see their docs).

use std::fs::File;

use wasm_memmap_sdk::{Error, Memmap};

fn report(case: &str, done: usize, result: Result<(), Error>) {
    let (code, message) = match &result {
        Ok(()) => ("ok".to_string(), String::new()),
        Err(e) => (wasm_memmap_sdk::code_name(e.code()).to_string(), e.message().to_string()),
    };
    println!("{}", serde_json::json!({ "case": case, "done": done, "code": code, "message": message }));
}

/// `sync`: one file made or grown, flushed with no element written, and kept open.
fn sync(case: &str) -> Result<(), Error> {
    let map = match case {
        "create-npy" => Memmap::create_npy("made.npy", "float64", &[3, 4], "C")?,
        "w+" => Memmap::options().dtype("uint8").mode("w+").shape([3 * 4096]).open("new.u1")?,
        "w+-existing" => Memmap::options().dtype("uint8").mode("w+").shape([3 * 4096]).open("old.u1")?,
        "r+" => Memmap::options().dtype("float64").mode("r+").shape([100]).open("short.f8")?,
        "r+-fits" => Memmap::options().dtype("float64").mode("r+").shape([1]).open("short.f8")?,
        "create-npy-unflushed" => {
            std::mem::forget(Memmap::create_npy("made.npy", "float64", &[3, 4], "C")?);
            return Ok(());
        }
        other => return Err(Error::new(wasm_memmap_sdk::ErrorCode::InvalidArgument, format!("unknown case {other}"))),
    };
    map.flush()?;
    // Kept past `main`: the host's teardown must find nothing left to sync.
    std::mem::forget(map);
    Ok(())
}

fn w_plus(path: &str, len: u64) -> Result<Memmap, Error> {
    Memmap::options().dtype("uint8").mode("w+").shape([len]).open(path)
}

fn r_plus(path: &str, len: u64) -> Result<Memmap, Error> {
    Memmap::options().dtype("uint8").mode("r+").shape([len]).open(path)
}

/// `total`, under a quota of 10,000 bytes in all.
fn total() {
    report("a", 0, w_plus("a.u1", 4000).map(drop));
    report("b", 0, w_plus("b.u1", 4000).map(drop));
    report("c", 0, w_plus("c.u1", 4000).map(drop));
    // Replacing a file with one of the same size adds nothing.
    report("a-again", 0, w_plus("a.u1", 4000).map(drop));
    // Opening without growing adds nothing; growing adds the difference.
    report("b-same", 0, r_plus("b.u1", 4000).map(drop));
    report("b-grown", 0, r_plus("b.u1", 6000).map(drop));
    report("a-grown", 0, r_plus("a.u1", 4001).map(drop));
    report("npy", 0, Memmap::create_npy("c.npy", "float64", &[1], "C").map(drop));
}

/// `copy-on-write`, under a limit of 1 MiB mapped copy-on-write.
fn copy_on_write() {
    let c = |len: Option<u64>| {
        let options = Memmap::options().dtype("uint8").mode("c");
        match len {
            Some(len) => options.shape([len]).open("big.u1"),
            None => options.open("big.u1"),
        }
    };
    let first = c(Some(1 << 20));
    report("first", 0, first.as_ref().map(drop).map_err(Clone::clone));
    report("one-more-byte", 0, c(Some(1)).map(drop));
    // Read-only maps are not counted.
    report("read-only", 0, Memmap::options().dtype("uint8").mode("r").open("big.u1").map(drop));
    drop(first);
    // Without a shape: the whole 2 MiB file, refused once its size is known.
    report("whole-file", 0, c(None).map(drop));
    report("after-dropping", 0, c(Some(1 << 20)).map(drop));
}

/// `descriptors`: WASI opens until one fails, then the plugin carries on.
fn descriptors() {
    let mut files = Vec::new();
    let mut failure = None;
    for _ in 0..2000 {
        match File::open("f.txt") {
            Ok(f) => files.push(f),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let (kind, errno) = failure.map_or((String::new(), None), |e| (format!("{:?}", e.kind()), e.raw_os_error()));
    println!("{}", serde_json::json!({ "case": "opened", "done": files.len(), "kind": kind, "errno": errno }));
    // At the limit a memmap still opens: the two limits are separate.
    report("memmap-at-limit", 0, Memmap::options().dtype("uint8").mode("r").open("f.txt").map(drop));
    drop(files);
    let again = File::open("f.txt").map(drop).map_err(|e| e.to_string());
    println!("{}", serde_json::json!({ "case": "after-closing", "ok": again.is_ok() }));
}

/// `cow-fill BYTES`: maps the first BYTES of `big.u1` copy-on-write and writes every byte (in
/// 64 MiB steps), so each page becomes host memory; for measuring the host's peak memory.
fn cow_fill(bytes: u64) -> Result<(), Error> {
    let map = Memmap::options().dtype("uint8").mode("c").shape([bytes]).open("big.u1")?;
    let step = 64 << 20;
    let mut start = 0;
    while start < bytes {
        let end = bytes.min(start + step);
        map.fill(wasm_memmap_sdk::s![start..end], 7u8)?;
        start = end;
    }
    Ok(())
}

/// `many-files COUNT BYTES`: creates COUNT files of BYTES each with `w+` (sparse: nothing is
/// written), stopping at the first refusal.
fn many_files(count: u64, bytes: u64) {
    let mut made = 0;
    let mut result = Ok(());
    for k in 0..count {
        match w_plus(&format!("many-{k}.u1"), bytes) {
            Ok(_) => made += 1,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    report("many-files", made, result);
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["sync", case] => {
            let result = sync(case);
            report(case, 0, result);
        }
        ["total"] => total(),
        ["copy-on-write"] => copy_on_write(),
        ["descriptors"] => descriptors(),
        ["cow-fill", bytes] => {
            let result = bytes.parse().map_err(|_| Error::new(wasm_memmap_sdk::ErrorCode::InvalidArgument, "BYTES"));
            report("cow-fill", 0, result.and_then(cow_fill));
        }
        ["many-files", count, bytes] => match (count.parse(), bytes.parse()) {
            (Ok(count), Ok(bytes)) => many_files(count, bytes),
            _ => report("many-files", 0, Err(Error::new(wasm_memmap_sdk::ErrorCode::InvalidArgument, "COUNT BYTES"))),
        },
        _ => {
            eprintln!(
                "usage: durable (sync CASE | total | copy-on-write | descriptors | cow-fill BYTES | many-files COUNT BYTES)"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
