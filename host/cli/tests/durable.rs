//! The flags of the quotas and limits that keep a plugin's files, copy-on-write pages and WASI
//! handles bounded reach the plugin, and the defaults are the documented ones.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use wasm_memmap_guest_artifacts::test_programs::DURABLE;

fn run(dir: &Path, flags: &[&str], args: &[&str]) -> Output {
    let grant = format!("{}::.", dir.to_str().unwrap());
    let mut all = vec!["--no-cache", "run", "--dir", &grant];
    all.extend_from_slice(flags);
    all.extend_from_slice(&[DURABLE, "--"]);
    all.extend_from_slice(args);
    Command::new(env!("CARGO_BIN_EXE_wasm-memmap")).args(&all).current_dir(dir).output().expect("the CLI starts")
}

/// The plugin's JSON lines.
fn lines(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn wasi_handles_stop_at_the_flag_or_256_with_an_error_the_cli_explains() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.txt"), b"x").unwrap();
    // The granted directory is one handle.
    for (flags, opened, limit) in [(&["--max-wasi-handles", "8"][..], 7, 8), (&[][..], 255, 256)] {
        let out = run(dir.path(), flags, &["descriptors"]);
        let got = lines(&out);
        assert_eq!(got[0], serde_json::json!({ "case": "opened", "done": opened, "kind": "OutOfMemory", "errno": 48 }));
        assert_eq!(got[2], serde_json::json!({ "case": "after-closing", "ok": true }));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "wasm-memmap: 1 WASI open(s) were refused: the plugin held its limit of {limit} WASI handles (--max-wasi-handles); it saw `insufficient-memory` (ENOMEM)"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn total_file_size_and_copy_on_write_flags_set_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let got = lines(&run(dir.path(), &["--max-total-file-size", "10000"], &["total"]));
    let c = got.iter().find(|v| v["case"] == "c").unwrap();
    assert_eq!(c["code"], "limit-exceeded");
    assert!(c["message"].as_str().unwrap().ends_with(
        "12000 bytes in total, over the limit of 10000 bytes in total; map a smaller shape or write fewer files"
    ));

    // 3 GiB (sparse) copy-on-write is over the default of 1 GiB, and 2 KiB over a flag of 1KiB.
    let big = std::fs::File::create(dir.path().join("big.u1")).unwrap();
    big.set_len(3 << 30).unwrap();
    for (flags, bytes, limit) in [(&[][..], 3u64 << 30, 1u64 << 30), (&["--max-copy-on-write", "1KiB"][..], 2048, 1024)]
    {
        let got = lines(&run(dir.path(), flags, &["cow-fill", &bytes.to_string()]));
        assert_eq!(got[0]["code"], "limit-exceeded");
        let want = format!(
            "mapping {bytes} more bytes copy-on-write (mode 'c') would make {bytes} bytes mapped copy-on-write at once, over the limit of {limit};"
        );
        assert!(got[0]["message"].as_str().unwrap().starts_with(&want), "{}", got[0]);
    }
}
