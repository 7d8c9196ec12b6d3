//! Shared pieces of the end-to-end tests: running guest programs in the real host, and asking real
//! numpy.

pub mod numpy;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use wasm_memmap_host::run::{DirGrant, Outcome, Output, Plugin, RunConfig, Runner};
use wasm_memmap_host::{FsPerms, MemmapLimits};

/// The workspace's top directory (where `Cargo.toml`, `wit/` and `.venv/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::new(None).expect("the host engine starts"))
}

/// The compiled component at `path`, compiled once per test process.
fn plugin(path: &str) -> Plugin {
    static PLUGINS: OnceLock<Mutex<HashMap<String, Plugin>>> = OnceLock::new();
    let mut cache = PLUGINS.get_or_init(Default::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(path.to_owned())
        .or_insert_with(|| {
            runner().load_file(Path::new(path)).unwrap_or_else(|e| panic!("cannot compile {path}: {e:?}"))
        })
        .clone()
}

/// Runs the guest program at `path` with `args` (after the program name) and `dir` granted
/// read-write as `.`, capturing its output.
pub fn run_in(path: &str, args: &[&str], dir: &Path) -> Outcome {
    run_limited(path, args, dir, FsPerms::ReadWrite, MemmapLimits::default())
}

/// Runs the guest program at `path` with `args`, `dir` granted as `.` with `perms`, and `limits`.
pub fn run_limited(path: &str, args: &[&str], dir: &Path, perms: FsPerms, limits: MemmapLimits) -> Outcome {
    let name = Path::new(path).file_stem().map_or("plugin".into(), |s| s.to_string_lossy().into_owned());
    let config = RunConfig {
        args: std::iter::once(name).chain(args.iter().map(|a| (*a).to_owned())).collect(),
        dirs: vec![DirGrant { host: dir.to_path_buf(), guest: ".".into(), perms }],
        stdout: Output::Capture,
        stderr: Output::Capture,
        limits,
    };
    runner().run(&plugin(path), &config).unwrap_or_else(|e| panic!("cannot run {path}: {e:?}"))
}

/// The captured stdout as text.
pub fn stdout(outcome: &Outcome) -> String {
    String::from_utf8(outcome.stdout.clone()).expect("the guest printed UTF-8")
}

/// The float64 values of a little-endian file's bytes.
pub fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect()
}
