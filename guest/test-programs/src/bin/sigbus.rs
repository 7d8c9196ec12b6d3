//! A plugin that truncates files it has mapped and then touches them (issue 10, finding 2), and one
//! that closes maps and uses them afterwards. Each subcommand prints one JSON object.
//!
//! - `sigbus attack`: the exact attack. Maps `big.u8` (`w+`, uint8 `[32768, 8192]`, 256 MiB
//!   sparse), truncates it to 0 bytes through WASI (`set_len(0)`, allowed by the read-write grant)
//!   and takes `m.view(s![.., 0]).max()`, which touches every other page. The host must answer
//!   `io`, again on a second try, and still serve a new map (`other`).
//! - `sigbus variants ROWS [TRUNCATIONS]`: for each truncation (`0`, `middle`: half the file, a
//!   page boundary, `odd`: half the file plus 1234 bytes, inside a page; all three unless a
//!   comma-separated list is given) and each operation an attacker would try, maps a fresh `v.u8`
//!   (uint8 `[ROWS, 8192]`), truncates it through WASI, runs the operation twice and reports
//!   `{"case", "code", "message", "again"}` per entry of the `cases` list. Then checks that a new
//!   map still works.
//! - `sigbus close`: opens `c.f8` (`w+`, float64 `[4, 256]`, 8 KiB), writes 1.5 everywhere, takes a
//!   view, closes the map, and reports every operation on the map and on the view after that
//!   (`{"case", "code", "message"}`), a second close, the attributes that still answer, and a map
//!   of `d.f8` opened after the close (the host test sets a mapped-bytes limit that two such maps
//!   would break, so it only fits because close gave the bytes back).

use wasm_memmap_sdk::{Error, ErrorCode, Index, Memmap, code_name, s};

fn io(e: &std::io::Error) -> Error {
    Error::new(ErrorCode::Io, format!("WASI: {e}"))
}

/// A result as JSON: `{"code": "ok"}` or the error's code and message.
fn outcome<T>(result: &Result<T, Error>) -> serde_json::Value {
    match result {
        Ok(_) => serde_json::json!({ "code": "ok", "message": "" }),
        Err(e) => serde_json::json!({ "code": code_name(e.code()), "message": e.message() }),
    }
}

fn truncate(path: &str, len: u64) -> Result<(), Error> {
    let file = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| io(&e))?;
    file.set_len(len).map_err(|e| io(&e))
}

fn u8_map(path: &str, rows: u64) -> Result<Memmap, Error> {
    Memmap::options().dtype("uint8").mode("w+").shape([rows, 8192]).open(path)
}

/// A new map of another file works after a truncated one was refused: write, read back.
fn other_map_works() -> bool {
    let check = || -> Result<bool, Error> {
        let m = Memmap::options().dtype("float64").mode("w+").shape([1000]).open("other.f8")?;
        m.fill(s![..], 2.5f64)?;
        m.flush()?;
        Ok(m.read::<f64>(s![..])? == vec![2.5; 1000] && m.sum()? == 2500.0)
    };
    matches!(check(), Ok(true))
}

fn attack() -> Result<serde_json::Value, String> {
    let m = u8_map("big.u8", 32768).map_err(|e| e.to_string())?;
    truncate("big.u8", 0).map_err(|e| e.to_string())?;
    let first = m.view(s![.., 0]).and_then(|column| column.max());
    let again = m.view(s![.., 0]).and_then(|column| column.max());
    Ok(serde_json::json!({ "first": outcome(&first), "again": outcome(&again), "other": other_map_works() }))
}

type Op = fn(&Memmap) -> Result<(), Error>;

/// What an attacker would try on a truncated map of uint8 `[rows, 8192]`.
const OPS: &[(&str, Op)] = &[
    ("max-column", |m| m.view(s![.., 0])?.max().map(drop)),
    ("min-column", |m| m.view(s![.., 1])?.min().map(drop)),
    ("sum-column", |m| m.view(s![.., 2])?.sum().map(drop)),
    ("mean-column", |m| m.view(s![.., -1])?.mean().map(drop)),
    ("sum-reversed-rows", |m| m.view(s![..;-1, 3])?.sum().map(drop)),
    ("max-every-other-row-reversed", |m| m.view(s![..;-2, ..;-4096])?.max().map(drop)),
    ("sum-transposed", |m| m.t()?.view(s![0])?.sum().map(drop)),
    ("sum-parallel-8MiB", |m| m.view(s![-1024..])?.sum().map(drop)),
    ("sum-all", |m| m.sum().map(drop)),
    ("read-column", |m| m.read::<u8>(s![.., 0]).map(drop)),
    ("read-strided-view-reversed", |m| m.view(s![.., 7])?.read::<u8>(s![..;-1]).map(drop)),
    ("read-last-rows", |m| m.read::<u8>(s![-2..]).map(drop)),
    ("write-column", |m| m.write(s![.., 1], &vec![1u8; usize::try_from(m.shape()[0]).unwrap_or(0)])),
    ("fill-column", |m| m.fill(s![.., 2], 9u8)),
    ("fill-last-rows", |m| m.fill(s![-2..], 9u8)),
    ("assign-row-broadcast", |m| m.assign(s![-4..], &[3u8; 8192], &[8192])),
    ("item-last", |m| m.item::<u8>(&[-1, -1]).map(drop)),
    ("set-item-last", |m| m.set_item(&[-1, 0], 5u8)),
];

fn variants(rows: u64, only: Option<&str>) -> Result<serde_json::Value, String> {
    let size = rows.checked_mul(8192).ok_or("rows too large")?;
    let truncations = [("0", 0), ("middle", size / 2), ("odd", size / 2 + 1234)];
    let mut cases = Vec::new();
    for (name, len) in truncations {
        if only.is_some_and(|list| !list.split(',').any(|t| t == name)) {
            continue;
        }
        for (op_name, op) in OPS {
            type Twice = (Result<(), Error>, Result<(), Error>);
            let run = || -> Result<Twice, Error> {
                let m = u8_map("v.u8", rows)?;
                truncate("v.u8", len)?;
                let first = op(&m);
                let again = op(&m);
                Ok((first, again))
            };
            let (first, again) = run().map_err(|e| format!("{name}/{op_name}: {e}"))?;
            let mut line = outcome(&first);
            line["case"] = format!("{name}/{op_name}").into();
            line["again"] = outcome(&again);
            cases.push(line);
        }
    }
    Ok(serde_json::json!({ "cases": cases, "other": other_map_works() }))
}

/// Each call a plugin can make that uses a closed map's bytes, by name.
const AFTER_CLOSE: &[(&str, Op)] = &[
    ("read", |m| m.read::<f64>(s![..]).map(drop)),
    ("read-bad-index", |m| m.read::<f64>(&[Index::At(99)]).map(drop)),
    ("write", |m| m.write(s![0, 0], &[2.0f64])),
    ("fill", |m| m.fill(s![..], 3.0f64)),
    ("item", |m| m.item::<f64>(&[0, 0]).map(drop)),
    ("set-item", |m| m.set_item(&[0, 0], 4.0f64)),
    ("sum", |m| m.sum().map(drop)),
    ("min", |m| m.min().map(drop)),
    ("max", |m| m.max().map(drop)),
    ("mean", |m| m.mean().map(drop)),
    ("flush", Memmap::flush),
    ("view", |m| m.view(s![..]).map(drop)),
    ("transpose", |m| m.t().map(drop)),
    ("permute", |m| m.transpose(&[0, 1]).map(drop)),
    ("repr", |m| m.repr().map(drop)),
];

fn close() -> Result<serde_json::Value, String> {
    let run = || -> Result<serde_json::Value, Error> {
        let m = Memmap::options().dtype("float64").mode("w+").shape([4, 256]).open("c.f8")?;
        m.fill(s![..], 1.5f64)?;
        let view = m.view(s![1..3, ..;2])?;
        let closed = m.close();
        let mut cases = Vec::new();
        for (who, handle) in [("map", &m), ("view", &view)] {
            for (name, op) in AFTER_CLOSE {
                let mut line = outcome(&op(handle));
                line["case"] = format!("{who}/{name}").into();
                cases.push(line);
            }
        }
        let attributes = serde_json::json!({
            "shape": view.shape(), "strides": view.strides(), "path": view.path(), "dtype": view.dtype().name(),
        });
        let close_again = m.close();
        let close_view = view.close();
        // Mapping this file fits under the test's limit only once `c.f8`'s 8 KiB were given back.
        let next = Memmap::options().dtype("float64").mode("w+").shape([4, 256]).open("d.f8").and_then(|d| {
            d.fill(s![..], 2.5f64)?;
            d.close()?;
            d.close()
        });
        drop(view);
        drop(m);
        Ok(serde_json::json!({
            "close": outcome(&closed),
            "cases": cases,
            "attributes": attributes,
            "close_again": outcome(&close_again),
            "close_view": outcome(&close_view),
            "next": outcome(&next),
        }))
    };
    run().map_err(|e| e.to_string())
}

fn main() {
    wasm_memmap_test_programs::print_json(|args| match args {
        [cmd] if cmd == "attack" => attack(),
        [cmd, rows, rest @ ..] if cmd == "variants" && rest.len() <= 1 => {
            variants(rows.parse().map_err(|_| format!("bad row count {rows}"))?, rest.first().map(String::as_str))
        }
        [cmd] if cmd == "close" => close(),
        _ => Err(format!("unknown arguments {args:?}")),
    });
}
