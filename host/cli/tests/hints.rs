//! Every limit that stops or refuses a plugin is named with the flag that sets it, and every
//! refusal of the grants with the flags that grant; the plugin itself reads the library's words,
//! which name no flag.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use wasm_memmap_guest_artifacts::test_programs::{SELECT, STALL};

fn wasm_memmap(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-memmap")).args(args).current_dir(cwd).output().expect("the CLI starts")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the demo in a fresh directory with `flags`; it must fail. Returns its stderr.
fn failing_demo(flags: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = ["--no-cache", "demo"].iter().chain(flags).copied().collect();
    let out = wasm_memmap(&args, dir.path());
    assert_eq!(out.status.code(), Some(1), "{flags:?}: {}", stderr(&out));
    stderr(&out)
}

#[test]
fn a_file_size_refusal_names_max_file_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = wasm_memmap(&["--no-cache", "demo", "--max-file-size", "1000000"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // The plugin's own report: the library's words.
    assert!(
        err.contains("mode 'w+' would make 'mymmap' 800000000 bytes long, over the limit of 1000000 bytes per file; map a smaller shape\n"),
        "{err}"
    );
    // The command line's: the limit's value and its flag.
    assert!(
        err.contains("wasm-memmap: the plugin was refused 1 call(s) by its limit of 1000000 bytes per file; raise it with --max-file-size"),
        "{err}"
    );
    assert!(!dir.path().join("mymmap").exists(), "the refused file was made");
}

#[test]
fn a_handle_refusal_names_max_handles() {
    let err = failing_demo(&["--max-handles", "1"]);
    assert!(err.contains("another memmap handle would make 2 live handles, over the limit of 1;"), "{err}");
    assert!(err.contains("by its limit of 1 memmap handles alive at once; raise it with --max-handles"), "{err}");
}

#[test]
fn fuel_time_and_memory_stops_name_their_flags() {
    let err = failing_demo(&["--fuel", "1000"]);
    assert!(err.contains("error: the plugin used up its fuel of 1000 (--fuel) and was stopped"), "{err}");
    // A plugin that sleeps far past the limit: the demo itself may finish inside 10 ms.
    let dir = tempfile::tempdir().unwrap();
    let out =
        wasm_memmap(&["--no-cache", "run", STALL, "--dir", ".", "--timeout", "0.01", "--", "sleep", "60"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: the plugin ran longer than its time limit of 0.010 s (--timeout) and was stopped"),
        "{err}"
    );
    // Enough memory to start (17 pages), not enough for the demo's buffers.
    let err = failing_demo(&["--max-memory", "1200KiB"]);
    assert!(err.contains("than its limit of 1228800 bytes"), "{err}");
    assert!(err.contains("(--max-memory) and was stopped"), "{err}");
    // Too little memory for the plugin to start at all.
    let err = failing_demo(&["--max-memory", "64KiB"]);
    assert!(err.contains("--max-memory"), "{err}");
}

/// `--dir /abs/data` without `::GUEST` grants the directory under its host path: a relative path is
/// told that name, and the command line says how to grant.
#[test]
fn a_relative_path_under_an_absolute_grant_is_told_the_guest_name() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("x.f8"), 2.5f64.to_le_bytes()).unwrap();
    let host = data.to_str().unwrap();

    let out = wasm_memmap(&["--no-cache", "run", SELECT, "--dir", host, "--", "x.f8", "1", "read", ":"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let got: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(
        got["error"],
        format!(
            "path 'x.f8' is not inside a granted directory (granted: '{host}'); a relative path reaches only a directory granted as '.' or under a relative name, and these are granted under absolute names: name the file by its granted directory, as in '{host}/x.f8'"
        )
    );
    let err = stderr(&out);
    assert!(err.contains("wasm-memmap: the plugin was refused 1 path(s) outside every granted directory; grant the directory with --dir or --ro-dir (HOST::GUEST"), "{err}");

    // The name the message suggests works.
    let path = format!("{host}/x.f8");
    let out = wasm_memmap(&["--no-cache", "run", SELECT, "--dir", host, "--", &path, "1", "read", ":"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{:016x}", 2.5f64.to_bits())));
}
