//! A plugin that sends the host huge strings and lists, to make it allocate in proportion before it
//! checks them (issue 10, finding 4). `amplify ATTACK` runs one attack and prints one JSON line
//! `{"case", "code", "message"}` (code `ok` when the host allowed it); a trap prints nothing.
//!
//! Attacks that must get an error: `path` (a 32 MiB path, `a/a/a/...`), `shape-create-npy` (a
//! 120 MiB shape list to `create-npy`, just under wasmtime's default hostcall fuel), `shape-open` (a 32 MiB shape list to `open`), `data-shape`
//! (a 48 MiB `data-shape` to `slice-write`), `indices` (a million new axes to `view`), `at` (8
//! million indices to `item`), `axes` (8 million axes to `transpose`). Those that need a file make
//! `cube.f8` (shape (5, 6, 7)) in the directory granted as `.`.
//!
//! `write BYTES` writes BYTES bytes of `uint8` in one `slice-write` to `big.u1` (made with that
//! length), for the hostcall fuel tests: under a transfer limit well below BYTES the host traps the
//! call before copying it; at or under the limit it is written (`{"case": "write", "code": "ok"}`).

use wasm_memmap_sdk::{Error, Index, Memmap, s};

fn report(case: &str, result: Result<(), Error>) {
    let line = match result {
        Ok(()) => serde_json::json!({ "case": case, "code": "ok", "message": "" }),
        Err(e) => serde_json::json!({
            "case": case,
            "code": wasm_memmap_sdk::code_name(e.code()),
            "message": e.message(),
        }),
    };
    println!("{line}");
}

fn cube() -> Result<Memmap, Error> {
    Memmap::options().dtype("float64").mode("w+").shape([5, 6, 7]).open("cube.f8")
}

fn attack(case: &str, arg: Option<&str>) -> Result<(), Error> {
    match case {
        // `grants.rs` once split this into 16 million `String`s before looking at it.
        "path" => Memmap::options().dtype("uint8").mode("r").shape([1]).open(&"a/".repeat(16 << 20)).map(drop),
        // `create-npy` once formatted the header of 15 million axes before counting them.
        "shape-create-npy" => Memmap::create_npy("x.npy", "float64", &vec![1u64; 15 << 20], "C").map(drop),
        "shape-open" => Memmap::open("x.f8", "float64", "w+", Some(&vec![1u64; 4 << 20])).map(drop),
        // The mismatch message once quoted the whole data-shape: 2 values for a shape of 1 element.
        "data-shape" => cube()?.assign(s![..], &[1.0f64, 2.0], &vec![1u64; 6 << 20]),
        "indices" => cube()?.view(vec![Index::NewAxis; 1 << 20]).map(drop),
        "at" => cube()?.item::<f64>(&vec![0i64; 8 << 20]).map(drop),
        "axes" => cube()?.transpose(&vec![0i64; 8 << 20]).map(drop),
        "write" => {
            let bytes: u64 = arg.and_then(|a| a.parse().ok()).expect("write BYTES");
            let big = Memmap::options().dtype("uint8").mode("w+").shape([bytes]).open("big.u1")?;
            let len = usize::try_from(bytes).expect("fits");
            big.write(s![..], &vec![7u8; len])
        }
        other => panic!("unknown attack {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let case = args.first().expect("amplify ATTACK");
    report(case, attack(case, args.get(1).map(String::as_str)));
}
