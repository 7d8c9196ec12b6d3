//! The document's session, replayed by the demo plugin, against numpy replaying it in python3.

use std::io::Read;

use wasm_memmap_guest_artifacts::DEMO_PATH;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

const ROWS: usize = 10_000;
const COLS: usize = 10_000;

/// The session in python3 + numpy (`examples/session.py`, which the README shows): with `--echo` it
/// is the demo's oracle. Its cell texts are the session's; every output is numpy's repr.
const NUMPY_SESSION: &str = include_str!("../../../examples/session.py");

/// Runs the demo (with `args`) and numpy's session with `seed`, each in its own directory; asserts
/// the transcripts are equal character for character and the files hold the same bytes.
fn demo_prints_what_numpy_prints(args: &[&str], seed: u64) {
    let ours = tempfile::tempdir().unwrap();
    let outcome = run_in(DEMO_PATH, args, ours.path());
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    let transcript = outcome.stdout_text();

    let theirs = tempfile::tempdir().unwrap();
    let numpy_transcript = numpy::run_in(NUMPY_SESSION, &["--echo", "--seed", &seed.to_string()], theirs.path());
    assert_eq!(transcript, numpy_transcript, "the demo's transcript differs from numpy's");

    // The file: exactly 10000 x 10000 float64 values, rows 0-4 the bytes of numpy's file (numpy's
    // draws), every other byte zero.
    let path = ours.path().join("mymmap");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 800_000_000);
    let mut file = std::fs::File::open(&path).unwrap();
    let mut head = vec![0u8; 5 * COLS * 8];
    file.read_exact(&mut head).unwrap();
    let mut numpy_head = vec![0u8; 5 * COLS * 8];
    std::fs::File::open(theirs.path().join("mymmap")).unwrap().read_exact(&mut numpy_head).unwrap();
    assert!(head == numpy_head, "rows 0-4 differ from numpy's draws for seed {seed}");
    let zeros = vec![0u8; 8 << 20];
    let mut chunk = vec![0u8; 8 << 20];
    let mut left = (ROWS - 5) * COLS * 8;
    while left > 0 {
        let n = left.min(chunk.len());
        file.read_exact(&mut chunk[..n]).unwrap();
        assert!(chunk[..n] == zeros[..n], "non-zero bytes after row 4");
        left -= n;
    }
}

#[test]
fn the_demo_with_its_default_seed_prints_numpys_session_with_seed_12345() {
    demo_prints_what_numpy_prints(&[], 12345);
}

#[test]
fn the_demo_with_another_seed_prints_numpys_session_with_that_seed() {
    demo_prints_what_numpy_prints(&["--seed", "7"], 7);
}
