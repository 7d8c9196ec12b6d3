//! What the end-to-end tests share beyond the component test kit (`wasm_memmap_runner::testkit`,
//! which runs the guests): real numpy as the oracle, and the reading of this workspace's counting
//! test programs.

pub mod numpy;
pub mod s3;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wasm_memmap_runner::{Outcome, Status};

/// The workspace's top directory (where `Cargo.toml`, `wit/` and `.venv/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The lines a counting guest program (`limits`, `openfiles`) prints, one JSON object each
/// (`{"case", "done", "code", "message"}`), by case: how many steps were done and how the last ended.
///
/// # Panics
/// When the plugin did not exit with 0 (the message carries its status and stderr) or a line is not
/// such an object.
pub fn counted_cases(outcome: &Outcome) -> HashMap<String, (u64, String, String)> {
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}\n{}", outcome.status, outcome.stderr_text());
    outcome
        .stdout_text()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            let s = |k: &str| v[k].as_str().expect("a string field").to_owned();
            (s("case"), (v["done"].as_u64().expect("a count"), s("code"), s("message")))
        })
        .collect()
}
