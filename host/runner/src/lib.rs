//! # wasm-memmap runner
//!
//! Runs `wasm-memmap` plugins (WASI commands that use the `wasm-memmap:array` interfaces of
//! [`wasm_memmap_host`]) the way the `wasm-memmap` CLI does: a [`Runner`] compiles a component once
//! (optionally in a compile cache, or in a child process under time and memory limits when it comes
//! from elsewhere) and runs it any number of times, each run in a fresh instance with its own
//! granted directories, [`MemmapLimits`] and [`InstanceLimits`], its output inherited, captured or
//! discarded. A run ends as an [`Outcome`]: exit code, trap, or the limit that stopped it
//! ([`Status::Stopped`] with a typed [`Stop`]).
//!
//! The same runner runs Python scripts ([`Runner::run_script`]) in one prebuilt Python runner
//! component (CPython with a numpy-compatible module), compiled once into the cache.
//!
//! [`testkit`] builds on it for plugin authors: run your component in `cargo test` against a fresh
//! temporary directory and read back the arrays it wrote.
//!
//! # Examples
//!
//! ```
//! use wasm_memmap_runner::{DirGrant, FsPerms, Output, RunConfig, Runner, Status};
//!
//! let runner = Runner::new(None)?;
//! let plugin = runner.load(wasm_memmap_guest_artifacts::DEMO)?;
//! let dir = tempfile::tempdir()?;
//! let config = RunConfig {
//!     args: vec!["demo".into()],
//!     dirs: vec![DirGrant { host: dir.path().into(), guest: ".".into(), perms: FsPerms::ReadWrite }],
//!     stdout: Output::Capture,
//!     ..RunConfig::default()
//! };
//! let outcome = runner.run(&plugin, &config)?;
//! assert!(matches!(outcome.status, Status::Exited(0)), "{}", outcome.stderr_text());
//! assert_eq!(std::fs::metadata(dir.path().join("mymmap"))?.len(), 800_000_000);
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

mod cache;
mod precompiled;
mod run;
mod script;
mod stdout;
mod stores;
pub mod testkit;

pub use run::{
    ChildCompiler, CompileLimitError, CompileLimits, DirGrant, EngineOptions, Outcome, Output, Plugin,
    ProtectedDirGranted, RunConfig, RunState, Runner, STDOUT_CLOSED_EXIT, Status, TEARDOWN_FLUSH_GRACE, serve_compile,
};
pub use script::{MAX_SCRIPT_BYTES, PythonRunnerMissing, Script, ScriptError};
pub use stores::{SpecError, StoreGrant, WriteRegion};
pub use wasm_memmap_host::{EPOCH_TICK, FsPerms, InstanceLimits, Limit, MemmapLimits, MemmapStats, Stop};
