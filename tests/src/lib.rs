//! Shared pieces of the end-to-end tests: running guest programs in the real host, and asking real
//! numpy.

pub mod numpy;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use wasm_memmap_host::run::{DirGrant, Outcome, Output, Plugin, RunConfig, Runner};
use wasm_memmap_host::{FsPerms, InstanceLimits, MemmapLimits};

/// The workspace's top directory (where `Cargo.toml`, `wit/` and `.venv/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The runner every test shares (one engine, as an embedder would keep).
pub fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::new(None).expect("the host engine starts"))
}

/// A second shared runner that meters fuel ([`Runner::with_fuel`]).
pub fn fuel_runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::with_fuel(None).expect("the host engine starts"))
}

/// The component at `path` compiled by `runner`, once per test process and runner.
pub fn plugin_for(runner: &'static Runner, path: &str) -> Plugin {
    static PLUGINS: OnceLock<Mutex<HashMap<(usize, String), Plugin>>> = OnceLock::new();
    let mut cache = PLUGINS.get_or_init(Default::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = (std::ptr::from_ref(runner).addr(), path.to_owned());
    cache
        .entry(key)
        .or_insert_with(|| runner.load_file(Path::new(path)).unwrap_or_else(|e| panic!("cannot compile {path}: {e:?}")))
        .clone()
}

/// The [`RunConfig`] for the guest program at `path` with `args` (after the program name), `dirs`,
/// and captured output.
pub fn config(path: &str, args: &[&str], dirs: Vec<DirGrant>) -> RunConfig {
    let name = Path::new(path).file_stem().map_or("plugin".into(), |s| s.to_string_lossy().into_owned());
    RunConfig {
        args: std::iter::once(name).chain(args.iter().map(|a| (*a).to_owned())).collect(),
        dirs,
        stdout: Output::Capture,
        stderr: Output::Capture,
        limits: MemmapLimits::default(),
        instance: InstanceLimits::default(),
    }
}

/// Runs the guest program at `path` on `runner` with `config`.
pub fn run_config(runner: &'static Runner, path: &str, config: &RunConfig) -> Outcome {
    runner.run(&plugin_for(runner, path), config).unwrap_or_else(|e| panic!("cannot run {path}: {e:?}"))
}

/// Runs the guest program at `path` with `args` (after the program name) and `dir` granted
/// read-write as `.`, capturing its output.
pub fn run_in(path: &str, args: &[&str], dir: &Path) -> Outcome {
    run_limited(path, args, dir, FsPerms::ReadWrite, MemmapLimits::default())
}

/// Runs the guest program at `path` with `args`, `dir` granted as `.` with `perms`, and `limits`.
pub fn run_limited(path: &str, args: &[&str], dir: &Path, perms: FsPerms, limits: MemmapLimits) -> Outcome {
    let mut config = config(path, args, vec![DirGrant { host: dir.to_path_buf(), guest: ".".into(), perms }]);
    config.limits = limits;
    run_config(runner(), path, &config)
}

/// The captured stdout as text.
pub fn stdout(outcome: &Outcome) -> String {
    String::from_utf8(outcome.stdout.clone()).expect("the guest printed UTF-8")
}

/// The float64 values of a little-endian file's bytes.
pub fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect()
}

/// The lines a counting guest program (`limits`, `openfiles`) prints, one JSON object each
/// (`{"case", "done", "code", "message"}`), by case: how many steps were done and how the last ended.
///
/// # Panics
/// When the plugin did not exit with 0 (the message carries its status and stderr) or a line is not
/// such an object.
pub fn counted_cases(outcome: &Outcome) -> HashMap<String, (u64, String, String)> {
    assert!(
        matches!(outcome.status, wasm_memmap_host::run::Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    stdout(outcome)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            let s = |k: &str| v[k].as_str().expect("a string field").to_owned();
            (s("case"), (v["done"].as_u64().expect("a count"), s("code"), s("message")))
        })
        .collect()
}
