//! The one-copy byte path under truncation: `read-bytes` lends the mapping to wasmtime, which
//! copies it into the plugin's memory after the host function returned. A file truncated before
//! the call (by the plugin itself, through WASI) is the `io` error of every other read; one
//! truncated by another process while a read is being copied either fails that read or traps the
//! plugin, never hands it zeros as data, and never kills the host.

use wasm_memmap_guest_artifacts::test_programs::ONECOPY;
use wasm_memmap_host::{FsPerms, MemmapLimits};
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_limited;

fn truncated(path: &str, len: u64, need: u64) -> serde_json::Value {
    serde_json::json!([
        "io",
        format!(
            "'{path}' was truncated to {len} bytes while mapped; the array needs {need} bytes of it, so it cannot be read or written any more"
        )
    ])
}

/// A file of `n` float64 values none of whose bytes is zero.
fn pattern(path: &std::path::Path, n: usize) {
    let bytes: Vec<u8> = (0..n * 8).map(|i| u8::try_from(i % 251 + 1).unwrap()).collect();
    std::fs::write(path, bytes).unwrap();
}

/// The plugin truncates the file it mapped, then reads all of it: the pages are probed inside the
/// `SIGBUS` guard before they are lent, so the read is the `io` error (without the probe the fault
/// would come during wasmtime's copy: a trap, not an error the plugin can handle).
#[test]
fn a_read_of_a_file_the_plugin_truncated_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let n = 1 << 17;
    pattern(&dir.path().join("t.f8"), n);
    let run = run_limited(
        ONECOPY,
        &["truncate", "t.f8", &n.to_string()],
        dir.path(),
        FsPerms::ReadWrite,
        MemmapLimits::default(),
    );
    assert!(matches!(run.status, Status::Exited(0)), "{:?}: {}\n{}", run.status, run.stdout_text(), run.stderr_text());
    let v: serde_json::Value = serde_json::from_str(run.stdout_text().trim()).unwrap();
    let expected = truncated("t.f8", 4096, 8 << 17);
    for call in ["read", "again", "take", "item"] {
        assert_eq!(v[call], expected, "{call}: {v}");
    }
}

/// Another process truncates the file while the plugin reads all of it again and again: each read
/// either returns the file's bytes, or fails with `io`, or (when the truncation lands while
/// wasmtime copies the lent pages) the plugin traps with the same message; it never receives zeros
/// without an error, and the host lives on. Several runs, with the truncation at different times.
#[test]
fn a_truncation_during_reads_never_gives_zeros_and_never_kills_the_host() {
    let n: usize = 4 << 20; // 32 MiB a read
    let mut seen = std::collections::BTreeSet::new();
    for delay_ms in [40u64, 70, 100, 140, 200, 300] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.f8");
        pattern(&path, n);
        let truncator = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
            })
        };
        let run = run_limited(
            ONECOPY,
            &["race", "r.f8", &n.to_string(), "1000"],
            dir.path(),
            FsPerms::ReadWrite,
            MemmapLimits::default(),
        );
        truncator.join().unwrap();
        let expected = truncated("r.f8", 0, u64::try_from(n * 8).unwrap());
        match run.status {
            Status::Exited(0) => {
                let v: serde_json::Value = serde_json::from_str(run.stdout_text().trim()).unwrap();
                assert!(v.get("zeros").is_none(), "a read gave zeros without an error: {v}");
                if v.get("error").is_some() {
                    assert_eq!(v["error"], expected, "{v}");
                    seen.insert("io error");
                } else {
                    seen.insert("finished first");
                }
            }
            // Truncated before the plugin mapped it (the run starts slower on a busy machine).
            Status::Exited(1) if run.stdout_text().contains("mmap length is greater than file size") => {
                seen.insert("before the open");
            }
            _ => {
                let trap = run.trap().map(|t| format!("{t:?}")).unwrap_or_default();
                assert!(
                    trap.contains(expected[1].as_str().unwrap()),
                    "{:?}: {trap}\n{}\n{}",
                    run.status,
                    run.stdout_text(),
                    run.stderr_text()
                );
                seen.insert("trap after the copy");
            }
        }
    }
    eprintln!("outcomes: {seen:?}");
}
