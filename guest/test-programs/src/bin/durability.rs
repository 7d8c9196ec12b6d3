//! Writes data and then leaves without calling `flush`, in one of four ways, so the host test can
//! check the data reached the file anyway.
//!
//! `durability (drop|forget|exit|trap) PATH`: creates PATH as a 10x100 float64 array (`w+`), writes
//! `1.5 * k` at element k, then:
//! - `drop`: drops the handle (the SDK's `Drop` and the host's handle drop flush);
//! - `forget`: leaks the handle with `mem::forget` and returns (the host flushes at teardown);
//! - `exit`: calls `exit(3)` while holding it (teardown again);
//! - `trap`: panics while holding it, which traps the instance (teardown again).

use wasm_memmap_sdk::{Memmap, s};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [how, path] = args.as_slice() else {
        eprintln!("usage: durability (drop|forget|exit|trap) PATH");
        std::process::exit(2);
    };
    let mmap = Memmap::options().dtype("float64").mode("w+").shape([10, 100]).open(path).expect("open");
    let values: Vec<f64> = (0..1000u32).map(|k| 1.5 * f64::from(k)).collect();
    mmap.write(s![..], &values).expect("write");
    match how.as_str() {
        "drop" => drop(mmap),
        "forget" => std::mem::forget(mmap),
        "exit" => std::process::exit(3),
        "trap" => panic!("trapping on purpose while holding a written memmap"),
        other => {
            eprintln!("unknown way to leave: {other}");
            std::process::exit(2);
        }
    }
}
