//! A hostile plugin. `hostile suite` tries every attack that the host must answer with an error,
//! one JSON line each (`{"case", "code", "message"}`, code `ok` when it was allowed), then shows
//! the host still serves it. `hostile ATTACK` runs one attack the host must stop with a trap:
//! `grow-memory`, `spin`, `trap-mid-write`, `use-after-drop`, `double-drop`, `forged-handle`.
//!
//! The host test grants `.` (read-write) holding `small.f8` (8 bytes), `sub/` (a directory),
//! `fifo` (a named pipe), `null` (a character device, when the test may make one), symbolic links `link-out` (to `../outside.f8`), `link-abs` (to the
//! absolute path of `outside.f8`), `dir-out` (to `..`) and `dev-zero` (to `/dev/zero`), and
//! `/ro` (read-only) holding `frozen.f8` (8 bytes) and `good.npy`, and malformed `.npy` files named
//! for their fault (`npy-bad-magic.npy`, ...). It sets the limits to 1000 handles, 16 MiB
//! mapped, 1 MiB per file and 64 KiB per call.
// Attacks on the canonical ABI need the raw imports, which only `unsafe` can call.
#![allow(unsafe_code)]

use wasm_memmap_sdk::{Error, ErrorCode, Index, Memmap, Slice, code_name, s};

fn report(case: &str, result: Result<(), Error>) {
    let line = match result {
        Ok(()) => serde_json::json!({ "case": case, "code": "ok", "message": "" }),
        Err(e) => serde_json::json!({ "case": case, "code": code_name(e.code()), "message": e.message() }),
    };
    println!("{line}");
}

fn io(e: std::io::Error) -> Error {
    Error::new(ErrorCode::Io, format!("WASI: {e}"))
}

fn open(path: &str, dtype: &str, mode: &str, shape: &[u64]) -> Result<Memmap, Error> {
    Memmap::options().dtype(dtype).mode(mode).shape(shape).open(path)
}

fn f8(path: &str, mode: &str, shape: &[u64]) -> Result<Memmap, Error> {
    open(path, "float64", mode, shape)
}

fn at(i: i64) -> Index {
    Index::At(i)
}

fn step(step: i64) -> Index {
    Index::Slice(Slice { start: None, stop: None, step: Some(step) })
}

fn slice(start: i64, stop: i64, step: i64) -> Index {
    Index::Slice(Slice { start: Some(start), stop: Some(stop), step: Some(step) })
}

/// Reads a selection and checks how many values came back.
fn count(map: &Memmap, index: &[Index], expected: usize) -> Result<(), Error> {
    let got = map.read::<f64>(index)?.len();
    if got == expected { Ok(()) } else { Err(Error::new(ErrorCode::Io, format!("read {got} values, not {expected}"))) }
}

fn paths() {
    report("dotdot", f8("../outside.f8", "r", &[1]).map(drop));
    report("dotdot-inside-path", f8("sub/../../outside.f8", "r", &[1]).map(drop));
    report("dotdot-that-stays-inside", f8("sub/../small.f8", "r", &[1]).map(drop));
    report("absolute", f8("/etc/passwd", "r", &[1]).map(drop));
    report("absolute-dotdot-out-of-ro", f8("/ro/../outside.f8", "r", &[1]).map(drop));
    report("symlink-relative-out", f8("link-out", "r", &[1]).map(drop));
    report("symlink-absolute-out", f8("link-abs", "r", &[1]).map(drop));
    report("symlink-dir-out", f8("dir-out/outside.f8", "r", &[1]).map(drop));
    report("symlink-to-device", f8("dev-zero", "r", &[1]).map(drop));
    report("fifo", f8("fifo", "r+", &[1]).map(drop));
    report("device-in-grant", f8("null", "r+", &[1]).map(drop));
    report("directory-r", f8("sub", "r", &[1]).map(drop));
    report("directory-w+", f8("sub", "w+", &[1]).map(drop));
    report("empty-path", f8("", "r", &[1]).map(drop));
    report("nul-in-path", f8("small.f8\0../outside.f8", "r", &[1]).map(drop));
    report("wasi-hardlink-out", std::fs::hard_link("../outside.f8", "made-hard").map_err(io));
}

/// Opens `swap.f8` again and again while the host test swaps it between a file inside the grant
/// (holding 2.5) and a symbolic link out of it (to a file holding 1.0). Prints how many opens read
/// 2.5, were refused as an escape, or saw anything else.
fn swap_loop() {
    let (mut inside, mut refused, mut other) = (0u32, 0u32, Vec::new());
    for _ in 0..3000 {
        match f8("swap.f8", "r", &[1]).and_then(|m| m.read::<f64>(s![..])) {
            Ok(v) if v == [2.5] => inside += 1,
            Err(e) if e.code() == ErrorCode::AccessDenied => refused += 1,
            // The swap renames over the path, so an open can miss it for a moment.
            Err(e) if e.code() == ErrorCode::NotFound => inside += 0,
            Ok(v) => other.push(format!("read {v:?}")),
            Err(e) => other.push(format!("{}: {}", code_name(e.code()), e.message())),
        }
    }
    println!("{}", serde_json::json!({ "inside": inside, "refused": refused, "other": other }));
}

fn grants() {
    report("r+-in-read-only-grant", f8("/ro/frozen.f8", "r+", &[1]).map(drop));
    report("w+-in-read-only-grant", f8("/ro/frozen.f8", "w+", &[1]).map(drop));
    report("w+-new-file-in-read-only-grant", f8("/ro/new.f8", "w+", &[1]).map(drop));
    report(
        "c-in-read-only-grant",
        f8("/ro/frozen.f8", "c", &[1]).and_then(|m| {
            m.write(s![..], &[99.0f64])?;
            count(&m, &[], 1)
        }),
    );
    report("wasi-write-in-read-only-grant", std::fs::write("/ro/frozen.f8", [0u8; 8]).map_err(io));
    report("write-through-r", f8("small.f8", "r", &[1]).and_then(|m| m.write(s![..], &[5.0f64])));
    report("fill-through-r-view", f8("small.f8", "r", &[1]).and_then(|m| m.view(s![..])?.fill(s![..], 5.0f64)));
}

fn arithmetic() {
    report("shape-product-overflows-u64", f8("huge.f8", "w+", &[1 << 62, 4]).map(drop));
    report("shape-product-overflows-with-itemsize", open("huge.c16", "complex128", "w+", &[1 << 60]).map(drop));
    report("shape-of-zeros-and-huge", f8("zero.f8", "w+", &[0, u64::MAX]).map(drop));
    report("offset-huge", Memmap::options().dtype("float64").mode("r").offset(u64::MAX).open("small.f8").map(drop));
    report(
        "offset-plus-size-overflows",
        Memmap::options().dtype("float64").mode("w+").offset(u64::MAX - 7).shape([2]).open("off.f8").map(drop),
    );
    report("too-many-axes", f8("axes.f8", "w+", &[1; 100]).map(drop));
    let Ok(cube) = f8("cube.f8", "w+", &[5, 6, 7]) else {
        return report("cube", Err(Error::new(ErrorCode::Io, "cube")));
    };
    for (axis, len) in [(0usize, 5i64), (1, 6), (2, 7)] {
        let mut index = vec![at(0); axis];
        index.push(at(len));
        report(&format!("index-past-end-axis-{axis}"), cube.view(&index).map(drop));
        index[axis] = at(-len - 1);
        report(&format!("negative-index-past-start-axis-{axis}"), cube.view(&index).map(drop));
        index[axis] = at(i64::MIN);
        report(&format!("index-i64-min-axis-{axis}"), cube.read::<f64>(&index).map(drop));
        index[axis] = step(0);
        report(&format!("zero-step-axis-{axis}"), cube.view(&index).map(drop));
        index[axis] = step(i64::MAX);
        // One position on this axis, all of the later ones.
        let rest = [42, 7, 1][axis];
        report(&format!("huge-step-axis-{axis}"), count(&cube, &index, rest));
        index[axis] = step(i64::MIN);
        report(&format!("i64-min-step-axis-{axis}"), count(&cube, &index, rest));
        index[axis] = slice(i64::MIN, i64::MAX, -1);
        report(&format!("extreme-bounds-backwards-axis-{axis}"), count(&cube, &index, 0));
    }
    report("too-many-indices", cube.view(vec![at(0); 100_000]).map(drop));
    report("two-ellipses", cube.view([Index::Ellipsis, Index::Ellipsis]).map(drop));
    report("new-axes-without-end", cube.view(vec![Index::NewAxis; 100_000]).map(drop));
    report("data-shape-overflows", cube.assign(s![..], &[1.0f64; 4], &[u64::MAX, u64::MAX, 4]));
    report("data-shape-lies", cube.assign(s![..], &[1.0f64; 4], &[5, 6, 7]));
    report(
        "views-of-views-strides",
        (|| {
            let mut v = cube.view(s![..;-1, ..;2, ..;-3])?;
            for _ in 0..50 {
                v = v.view(s![..;-1])?;
            }
            count(&v, &[], 5 * 3 * 3)
        })(),
    );
}

fn handles_and_quotas() {
    report(
        "view-outlives-parent",
        f8("parent.f8", "w+", &[4]).and_then(|parent| {
            parent.fill(s![..], 3.0f64)?;
            let view = parent.view(s![1..])?;
            drop(parent);
            view.fill(s![..], 4.0f64)?;
            count(&view, &[], 3)
        }),
    );
    let (views, refused) = match f8("many.f8", "w+", &[2]) {
        Ok(map) => {
            let mut views = Vec::new();
            let refused = loop {
                match map.view(s![..]) {
                    Ok(v) => views.push(v),
                    Err(e) => break Err(e),
                }
                if views.len() > 20_000 {
                    break Ok(());
                }
            };
            (views.len(), refused)
        }
        Err(e) => (0, Err(e)),
    };
    report(&format!("thousands-of-handles-{views}-made"), refused);
    report("file-past-size-quota-w+", open("big.u1", "uint8", "w+", &[(1 << 20) + 1]).map(drop));
    report(
        "file-past-size-quota-r+",
        open("grow.u1", "uint8", "w+", &[10]).and_then(|m| {
            drop(m);
            open("grow.u1", "uint8", "r+", &[(1 << 20) + 1]).map(drop)
        }),
    );
    report(
        "file-past-size-quota-by-offset",
        Memmap::options().dtype("uint8").mode("w+").offset(1 << 20).shape([1]).open("offset.u1").map(drop),
    );
    let mut maps = Vec::new();
    let refused = loop {
        match open("mib.u1", "uint8", if maps.is_empty() { "w+" } else { "r" }, &[1 << 20]) {
            Ok(m) => maps.push(m),
            Err(e) => break Err(e),
        }
        if maps.len() > 100 {
            break Ok(());
        }
    };
    report(&format!("mapped-past-quota-{}-made", maps.len()), refused);
    drop(maps);
    let big = open("mib.u1", "uint8", "r+", &[1 << 20]);
    report("read-past-transfer-quota", big.as_ref().map_err(Clone::clone).and_then(|m| m.read::<u8>(s![..]).map(drop)));
    report(
        "write-past-transfer-quota",
        big.as_ref().map_err(Clone::clone).and_then(|m| m.write(s![..], &vec![1u8; 1 << 20])),
    );
    report("fill-past-transfer-quota", big.as_ref().map_err(Clone::clone).and_then(|m| m.fill(s![..], 1u8)));
    report(
        "truncated-through-wasi-while-mapped",
        f8("shrink.f8", "w+", &[4096]).and_then(|m| {
            m.fill(s![..10], 1.0f64)?;
            std::fs::OpenOptions::new().write(true).open("shrink.f8").and_then(|f| f.set_len(8)).map_err(io)?;
            count(&m, &[at(-1)], 1)
        }),
    );
}

fn npy() {
    for name in ["npy-bad-magic", "npy-header-past-end", "npy-shape-overflows", "npy-negative-shape", "npy-not-a-dict"]
    {
        report(name, Memmap::open_npy(&format!("{name}.npy"), "r").map(drop));
    }
    report("npy-r+-in-read-only-grant", Memmap::open_npy("/ro/good.npy", "r+").map(drop));
}

fn after() {
    report(
        "after",
        f8("small.f8", "r", &[1]).and_then(|m| {
            let v: Vec<f64> = m.read(s![..])?;
            if v == [2.5] { Ok(()) } else { Err(Error::new(ErrorCode::Io, format!("read {v:?}"))) }
        }),
    );
}

#[link(wasm_import_module = "wasm-memmap:array/mmap@0.1.0")]
unsafe extern "C" {
    #[link_name = "[resource-drop]memmap"]
    fn raw_drop(handle: i32);
    #[link_name = "[method]memmap.flush"]
    fn raw_flush(handle: i32, ret: *mut u8);
}

/// Calls `flush` on a raw handle number.
fn flush_raw(handle: i32) {
    let mut ret = [0u64; 4];
    // SAFETY: `ret` is 32 bytes, 8-aligned: room for `result<_, error>`'s flattened return area.
    // The handle may be stale or forged: that is the attack, and the host traps on it.
    unsafe { raw_flush(handle, ret.as_mut_ptr().cast()) };
}

fn trap(attack: &str) {
    match attack {
        "grow-memory" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 << 20]);
                println!("{} MiB", hoard.len() * 16);
            }
        }
        "spin" => {
            // Writes a pattern, then spins: the data must survive the stop.
            let map = f8("spin.f8", "w+", &[1000]).expect("open");
            map.write(s![..], &(0..1000u32).map(|k| 1.5 * f64::from(k)).collect::<Vec<_>>()).expect("write");
            let mut x = 0u64;
            loop {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        "trap-mid-write" => {
            let map = f8("mid.f8", "w+", &[1000]).expect("open");
            for k in 0..1000u32 {
                if k == 500 {
                    panic!("trapping in the middle of writing");
                }
                map.write([at(i64::from(k))], &[1.5 * f64::from(k)]).expect("write");
            }
        }
        "use-after-drop" => {
            // The first handle of a fresh instance is number 1.
            let map = f8("uad.f8", "w+", &[1]).expect("open");
            drop(map);
            flush_raw(1);
        }
        "double-drop" => {
            let map = f8("dd.f8", "w+", &[1]).expect("open");
            drop(map);
            // SAFETY: dropping a handle that is already gone: the attack.
            unsafe { raw_drop(1) };
        }
        "forged-handle" => {
            let _map = f8("forged.f8", "w+", &[1]).expect("open");
            flush_raw(12345);
        }
        other => {
            eprintln!("unknown attack {other}");
            std::process::exit(2);
        }
    }
    println!("survived {attack}");
}

fn main() {
    let attack = std::env::args().nth(1).unwrap_or_default();
    if attack == "swap-loop" {
        return swap_loop();
    }
    if attack != "suite" {
        return trap(&attack);
    }
    paths();
    grants();
    arithmetic();
    handles_and_quotas();
    npy();
    after();
}
