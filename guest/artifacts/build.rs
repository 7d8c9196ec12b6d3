//! Builds every guest program for `wasm32-wasip2` with a nested `cargo build`, as wasmtime's
//! `crates/test-programs/artifacts` does, and writes `artifacts.rs` naming the components.
//!
//! The nested cargo gets its own target directory under `OUT_DIR`: sharing the outer one would
//! wait forever on the lock the outer cargo holds. Flags meant for the host target are removed from
//! its environment, since they would break the wasm link.

// A build script reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// The flags of every guest build (`examples/plugin-template/.cargo/config.toml` has the same).
const GUEST_RUSTFLAGS: &str = "-Ctarget-feature=+simd128";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("../..").canonicalize().expect("the workspace root exists");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_dir = out_dir.join("guest-target");

    for watched in ["crates", "guest/sdk", "guest/demo", "guest/test-programs", "wit", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }

    check_target_installed();

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--release", "--target", TARGET])
        .args(["-p", "wasm-memmap-demo", "-p", "wasm-memmap-test-programs"])
        .env("CARGO_TARGET_DIR", &target_dir);
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_PRIMARY_PACKAGE",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    // Every guest is built with WebAssembly SIMD: the SDK's scans (`kernels`) use it, and
    // wasmtime supports it on every host it runs on. For this target only (build scripts and
    // proc macros run on the host), and set here rather than inherited, for the reason above.
    cmd.env("CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS", GUEST_RUSTFLAGS);

    let status = cmd.status().expect("cannot run the nested cargo that builds the guests");
    assert!(status.success(), "building the guest programs for {TARGET} failed (see the output above)");

    let wasm_dir = target_dir.join(TARGET).join("release");
    let mut src = String::new();
    let demo = wasm_dir.join("wasm-memmap-demo.wasm");
    writeln!(src, "/// The demo plugin, which replays the document's numpy session (`guest/demo`).").unwrap();
    writeln!(src, "pub const DEMO: &[u8] = include_bytes!({:?});", demo.display().to_string()).unwrap();
    writeln!(src, "/// Where the demo component was built.").unwrap();
    writeln!(src, "pub const DEMO_PATH: &str = {:?};", demo.display().to_string()).unwrap();
    writeln!(src, "/// The test programs of `guest/test-programs/src/bin`, by file name.").unwrap();
    writeln!(src, "pub mod test_programs {{").unwrap();
    for name in program_names(&root.join("guest/test-programs/src/bin")) {
        let path = wasm_dir.join(format!("{name}.wasm"));
        assert!(path.is_file(), "the nested build did not produce {}", path.display());
        writeln!(src, "    /// `guest/test-programs/src/bin/{name}.rs`, built as a component.").unwrap();
        writeln!(
            src,
            "    pub const {}: &str = {:?};",
            name.to_uppercase().replace('-', "_"),
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(src, "}}").unwrap();
    std::fs::write(out_dir.join("artifacts.rs"), src).expect("cannot write artifacts.rs");
}

fn program_names(bin_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(bin_dir)
        .expect("guest/test-programs/src/bin exists")
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    names
}

/// Fails early, with the command that fixes it, when rustup has no `wasm32-wasip2` standard library.
fn check_target_installed() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc).args(["--print", "sysroot"]).output().expect("cannot run rustc");
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if !sysroot.join("lib/rustlib").join(TARGET).exists() {
        panic!("the {TARGET} target is not installed; run `rustup target add {TARGET}` (the README's commands do)");
    }
}
