//! numpy's open semantics that leave files behind or print: empty and odd-sized files, the private
//! copy of mode `c`, `r+` growing a short file, zero-size arrays and views. Each case prints one
//! JSON line: `repr` of the array (and `values` read back where written), or the error's `code`
//! and `message`. Expects in `.`: `empty.bin` (0 bytes), `odd.bin` (12 bytes), `data.f8` and
//! `cow.f8` (4 float64 values each), `short.f8` (8 bytes).

use wasm_memmap_sdk::{Error, Memmap, code_name, s};

fn open(path: &str, mode: &str, shape: Option<&[u64]>, offset: u64) -> Result<Memmap, Error> {
    let options = Memmap::options().dtype("float64").mode(mode).offset(offset);
    match shape {
        Some(shape) => options.shape(shape).open(path),
        None => options.open(path),
    }
}

fn report(case: &str, result: Result<serde_json::Value, Error>) {
    let line = match result {
        Ok(v) => serde_json::json!({ "case": case, "ok": v }),
        Err(e) => serde_json::json!({ "case": case, "code": code_name(e.code()), "message": e.message() }),
    };
    println!("{line}");
}

fn repr(a: Result<Memmap, Error>) -> Result<serde_json::Value, Error> {
    Ok(a?.repr()?.into())
}

fn main() {
    report("empty-r", repr(open("empty.bin", "r", None, 0)));
    report("empty-c", repr(open("empty.bin", "c", None, 0)));
    report("empty-r-shape", repr(open("empty.bin", "r", Some(&[0]), 0)));
    report("not-a-multiple", repr(open("odd.bin", "r", None, 0)));
    report("offset-inferred", repr(open("data.f8", "r", None, 8)));
    report("offset-unaligned", repr(open("odd.bin", "r", None, 4)));
    report(
        "copy-on-write",
        (|| {
            let a = open("cow.f8", "c", Some(&[4]), 0)?;
            a.fill(s![1..3], 9.5)?;
            a.flush()?;
            Ok(a.repr()?.into())
        })(),
    );
    report("reopen-after-c", repr(open("cow.f8", "r", None, 0)));
    report(
        "r+-extends",
        (|| {
            let a = open("short.f8", "r+", Some(&[2, 3]), 0)?;
            a.fill(s![1, 2], 4.0)?;
            Ok(a.repr()?.into())
        })(),
    );
    report("zero-size-w+", repr(open("zero.f8", "w+", Some(&[0]), 0)));
    report("zero-size-w+-offset", repr(open("zero_off.f8", "w+", Some(&[0, 3]), 10)));
    report("zero-size-r", repr(open("data.f8", "r", Some(&[0, 3]), 0)));
    report("zero-size-view", repr(open("data.f8", "r", Some(&[4]), 0).and_then(|a| a.view(s![2..2]))));
    report("zero-size-view-2d", repr(open("data.f8", "r", Some(&[2, 2]), 0).and_then(|a| a.view(s![.., 5..]))));
}
