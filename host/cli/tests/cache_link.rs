//! A compile cache reached through a symbolic link inside a grant (issue 10, review finding 4):
//! with `XDG_CACHE_HOME=/data/cache`, a link to `~/.cache`, a plugin granted `/data` could point
//! the link at a directory of its own and fill the next run's cache; such a grant is refused.
//!
//! `WASM_MEMMAP_TEST_BIN` runs this against another build of the CLI (the old one, to see it fail).

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use wasm_memmap_guest_artifacts::test_programs::PLANT;

fn run(home: &std::path::Path, cache_home: &std::path::Path, work: &std::path::Path, args: &[&str]) -> Output {
    let bin = std::env::var_os("WASM_MEMMAP_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_wasm-memmap").into());
    Command::new(bin)
        .args(args)
        .current_dir(work)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", cache_home)
        .env_remove("WASM_MEMMAP_CACHE_DIR")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the CLI starts")
}

#[test]
fn a_grant_holding_a_symbolic_link_on_the_cache_path_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path().canonicalize().unwrap();
    let (home, work) = (root.join("home"), root.join("work"));
    let data = work.join("data");
    std::fs::create_dir_all(home.join(".cache")).unwrap();
    std::fs::create_dir_all(data.join("sub")).unwrap();
    let link = data.join("cache");
    std::os::unix::fs::symlink(home.join(".cache"), &link).unwrap();
    std::fs::write(data.join("payload"), b"abc").unwrap();
    let cache = link.join("wasm-memmap");

    for flag in ["--dir", "--ro-dir"] {
        let out = run(
            &home,
            &link,
            &work,
            &["--no-cache", "run", PLANT, flag, "data::/data", "--", "/data/payload", "/data/copy"],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let want = format!(
            "granting data would let the plugin write the compile cache {}: its path passes through the symbolic link {}, which the plugin could point at a directory of its own",
            cache.display(),
            link.display()
        );
        assert_eq!(out.status.code(), Some(1), "{flag}: {err}");
        assert!(err.contains(&want), "{flag}:\n{err}\nwanted: {want}");
        assert!(out.stdout.is_empty(), "the plugin ran: {}", String::from_utf8_lossy(&out.stdout));
        assert!(!data.join("copy").exists());
    }

    // A directory beside the link is fine: the plugin runs.
    std::fs::write(data.join("sub/payload"), b"abc").unwrap();
    let out = run(
        &home,
        &link,
        &work,
        &["--no-cache", "run", PLANT, "--dir", "data/sub::/data", "--", "/data/payload", "/data/copy"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(data.join("sub/copy")).unwrap(), b"abc");
}
