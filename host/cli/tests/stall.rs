//! `--timeout` and `--fuel` bound what a plugin makes the host do, as a user of the CLI sees it.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use wasm_memmap_guest_artifacts::test_programs::STALL;

fn wasm_memmap(args: &[&str], cwd: &Path) -> (Output, Duration) {
    let start = Instant::now();
    let out =
        Command::new(env!("CARGO_BIN_EXE_wasm-memmap")).args(args).current_dir(cwd).output().expect("the CLI starts");
    (out, start.elapsed())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `sleep 60` under `--timeout 0.5` ends with the time-out message and exit status 1 within
/// seconds (compiling the plugin included), with the values it wrote in its file.
#[test]
fn a_sleeping_plugin_is_stopped_by_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (out, took) =
        wasm_memmap(&["--no-cache", "run", STALL, "--dir", ".", "--timeout", "0.5", "--", "sleep", "60"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("error: the plugin ran longer than its time limit of 0.500 s (--timeout) and was stopped"),
        "{}",
        text(&out.stderr)
    );
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
    let bytes = std::fs::read(dir.path().join("stall.f8")).unwrap();
    let values: Vec<f64> = bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(values, (0..1000u32).map(|k| 1.5 * f64::from(k)).collect::<Vec<_>>());
}

/// A `sum` of an 8 GiB sparse file is more host work than `--fuel 100000000` pays for
/// (134,217,728 units at 64 bytes a unit): the fuel message, at once.
#[test]
fn a_sum_beyond_the_fuel_is_stopped_with_the_fuel_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::File::create(dir.path().join("sparse.u1")).unwrap().set_len(8 << 30).unwrap();
    let (out, took) = wasm_memmap(
        &[
            "--no-cache",
            "run",
            STALL,
            "--dir",
            ".",
            "--fuel",
            "100000000",
            "--",
            "sum",
            "sparse.u1",
            "uint8",
            "8589934592",
            ":",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("error: the plugin used up its fuel of 100000000 (--fuel) and was stopped"),
        "{}",
        text(&out.stderr)
    );
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
}
