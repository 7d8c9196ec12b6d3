//! Bad input, one case per line: each prints the error the plugin got as JSON
//! (`{"case", "code", "message"}`), and at the end the plugin shows it can still work normally.
//!
//! Expects a granted directory `.` that holds `small.f8` (8 bytes) and a symbolic link `link-out`
//! to a file outside the grant.

use wasm_memmap_sdk::{Error, Memmap, code_name, s};

fn report(case: &str, result: Result<(), Error>) {
    let line = match result {
        Ok(()) => serde_json::json!({ "case": case, "code": "ok", "message": "" }),
        Err(e) => serde_json::json!({ "case": case, "code": code_name(e.code()), "message": e.message() }),
    };
    println!("{line}");
}

fn f8(path: &str, mode: &str, shape: &[u64]) -> Result<Memmap, Error> {
    Memmap::options().dtype("float64").mode(mode).shape(shape).open(path)
}

fn main() {
    report("missing-file", f8("missing.f8", "r", &[3]).map(drop));
    report("w+-without-shape", Memmap::options().dtype("float64").mode("w+").open("new.f8").map(drop));
    report("write-read-only", f8("small.f8", "r", &[1]).and_then(|m| m.write(s![..], &[1.0f64])));
    report("file-too-short", f8("small.f8", "r", &[10]).map(drop));
    report("index-out-of-bounds", f8("grid.f8", "w+", &[5, 10]).and_then(|m| m.view(s![.., 12]).map(drop)));
    report("negative-index-out-of-bounds", f8("grid.f8", "r", &[5, 10]).and_then(|m| m.read::<f64>(s![-6]).map(drop)));
    report("too-many-indices", f8("grid.f8", "r", &[5, 10]).and_then(|m| m.view(s![0, 0, 0]).map(drop)));
    report("zero-step", f8("grid.f8", "r", &[5, 10]).and_then(|m| m.view(s![..;0]).map(drop)));
    report("shape-overflows", f8("huge.f8", "w+", &[1 << 62, 4]).map(drop));
    report("bad-broadcast", f8("grid.f8", "r+", &[5, 10]).and_then(|m| m.assign(s![..], &[1.0f64; 3], &[3])));
    report("bad-dtype", Memmap::options().dtype("float65").open("grid.f8").map(drop));
    report("bad-mode", Memmap::options().dtype("float64").mode("rw").open("grid.f8").map(drop));
    report("wrong-length", f8("grid.f8", "r+", &[5, 10]).and_then(|m| m.write(s![..], &[1.0f64; 3])));
    report("wrong-kind", f8("grid.f8", "r+", &[5, 10]).and_then(|m| m.write(s![0, 0], &[1i32])));
    report("escape-dotdot", f8("../outside.f8", "r", &[1]).map(drop));
    report("escape-absolute", f8("/etc/passwd", "r", &[1]).map(drop));
    report("escape-symlink", f8("link-out", "r", &[1]).map(drop));
    report("directory", f8(".", "r", &[1]).map(drop));
    report("directory-r+", f8(".", "r+", &[1]).map(drop));
    report("offset-past-end", Memmap::options().dtype("float64").mode("r").offset(24).open("small.f8").map(drop));
    // The plugin shrinks a file it has mapped (reopening it with `w+`); the first map must now
    // refuse to touch the pages past the new end instead of crashing the host with SIGBUS.
    report(
        "truncated-while-mapped",
        f8("t.f8", "w+", &[1024]).and_then(|m| {
            m.fill(s![..], 2.0f64)?;
            let _shorter = f8("t.f8", "w+", &[1])?;
            m.read::<f64>(s![-1]).map(drop)
        }),
    );
    // The host is still serving this plugin: a normal round trip works.
    report(
        "after",
        f8("grid.f8", "r+", &[5, 10]).and_then(|m| {
            m.fill(s![2], 7.25f64)?;
            let row: Vec<f64> = m.read(s![2])?;
            if row == [7.25; 10] {
                Ok(())
            } else {
                Err(Error::new(wasm_memmap_sdk::ErrorCode::Io, format!("read back {row:?}")))
            }
        }),
    );
}
