//! `wasm-memmap show ... | head`: a reader that stops early ends `show` quietly, with status 141
//! (128 + SIGPIPE, as a shell reports for `cat file | head`) and nothing on stderr (it once panicked "failed printing to stdout: Broken pipe").

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};

#[test]
fn show_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.bin");
    // np.arange(2000, dtype='<f8').tofile(file): a summarised print of several lines.
    let bytes: Vec<u8> = (0..2000u32).flat_map(|i| f64::from(i).to_le_bytes()).collect();
    std::fs::write(&file, bytes).unwrap();
    // The pipe's reader is closed before `show` writes, as `head` closes it once it has its lines.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_wasm-memmap"))
        .args(["show", file.to_str().unwrap(), "--dtype", "f8"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "stderr {stderr:?}");
    assert!(stderr.is_empty(), "stderr: {stderr:?}");
}
