//! The plugin, built for `wasm32-wasip2` and run as a host runs it, through the component test kit.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::Sandbox;

/// The plugin's component, built once per test run. The nested cargo gets a target directory of its
/// own (under the tests' scratch directory): the outer `cargo test` holds the lock of its own.
fn plugin() -> &'static PathBuf {
    static PLUGIN: OnceLock<PathBuf> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-wasm32");
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cargo
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--release", "--target", "wasm32-wasip2", "--bin", "scale"])
            .env("CARGO_TARGET_DIR", &target_dir);
        // Flags meant for the host would break the wasm link.
        for var in ["CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_BUILD_TARGET"] {
            cargo.env_remove(var);
        }
        let status = cargo.status().expect("cargo runs");
        assert!(status.success(), "building the plugin for wasm32-wasip2 failed (is the target installed? rustup target add wasm32-wasip2)");
        target_dir.join("wasm32-wasip2/release/scale.wasm")
    })
}

#[test]
fn scales_a_float64_array_into_a_new_npy_file() {
    let sandbox = Sandbox::new();
    sandbox.write_npy("in.npy", &[2, 3], &[0.5f64, 1.0, 1.5, 2.0, 2.5, 3.0]);
    let outcome = sandbox.run(plugin(), &["in.npy", "out.npy", "4"]);
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}: {}", outcome.status, outcome.stderr_text());
    // numpy: (np.arange(1, 7) * 0.5 * 4).sum() == 42.0
    assert_eq!(outcome.stdout_text(), "42\n");
    let out = sandbox.read_npy::<f64>("out.npy");
    assert_eq!(out.shape, [2, 3]);
    assert_eq!(out.values, [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
}

#[test]
fn a_read_only_grant_refuses_the_output_and_the_plugin_says_so() {
    let sandbox = Sandbox::read_only();
    sandbox.write_npy("in.npy", &[3], &[1.0f64, 2.0, 3.0]);
    let outcome = sandbox.run(plugin(), &["in.npy", "out.npy", "2"]);
    // `exit(2)`: WASI 0.2's `exit` carries only success or failure, so the host sees 1.
    assert!(matches!(outcome.status, Status::Exited(1)), "{:?}", outcome.status);
    assert!(outcome.stderr_text().contains("read-only"), "{}", outcome.stderr_text());
}
