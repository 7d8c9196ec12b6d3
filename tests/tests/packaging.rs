//! What the published crates carry: the host library's dependency tree holds nothing of the command
//! line's, and each crate that is meant for crates.io packages on its own (its WIT vendored inside
//! it). Both run `cargo` the way a maintainer would before a release.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo(dir: &Path, args: &[&str]) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo).current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo {args:?} in {} failed: {stderr}", dir.display());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_host_library_depends_on_no_command_line_crate() {
    // `cargo tree` resolves but builds nothing; --offline because the lock file already pins all.
    let tree = |args: &[&str]| {
        let mut all = vec!["tree", "--offline", "-p", "wasm-memmap-host", "-e", "normal", "--prefix", "none"];
        all.extend_from_slice(args);
        cargo(&root(), &all)
    };
    let names = |tree: &str| -> Vec<String> {
        tree.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_owned).collect()
    };
    let whole = tree(&[]);
    let whole_names = names(&whole);
    assert!(whole_names.iter().any(|n| n == "wasmtime"), "cargo tree printed no wasmtime:\n{whole}");
    for banned in ["clap", "tempfile", "dirs"] {
        assert!(!whole_names.iter().any(|n| n == banned), "wasm-memmap-host depends on {banned}:\n{whole}");
    }
    // wasmtime itself hashes with sha2 (wasmtime-environ, cranelift); the host adds none of its own.
    let direct = tree(&["--depth", "1"]);
    for banned in ["clap", "sha2", "tempfile", "dirs", "blake3"] {
        assert!(!names(&direct).iter().any(|n| n == banned), "wasm-memmap-host depends on {banned}:\n{direct}");
    }
}

#[test]
fn each_published_crate_packages_with_what_it_reads() {
    let crates: &[(&str, &[&str])] = &[
        ("host/memmap", &["Cargo.toml", "src/lib.rs", "wit/array.wit"]),
        ("guest/sdk", &["Cargo.toml", "src/lib.rs", "wit/array.wit"]),
        ("host/runner", &["Cargo.toml", "src/lib.rs"]),
        ("crates/arrayprint", &["Cargo.toml", "src/lib.rs"]),
        ("crates/numpy-core", &["Cargo.toml", "src/lib.rs"]),
        ("crates/numpy-random", &["Cargo.toml", "src/lib.rs", "build.rs", "data/numpy_ziggurat_tables.json"]),
    ];
    for (dir, must_hold) in crates {
        let list = cargo(&root().join(dir), &["package", "--list", "--offline", "--allow-dirty"]);
        let files: Vec<&str> = list.lines().collect();
        for file in *must_hold {
            assert!(files.contains(file), "the {dir} package lacks {file}; it lists:\n{list}");
        }
        assert!(files.iter().all(|f| !f.starts_with("..")), "the {dir} package reaches outside its crate:\n{list}");
    }
}
