//! Real numpy, the oracle of the end-to-end tests.
//!
//! The interpreter is `$WASM_MEMMAP_PYTHON` when set, else the workspace's `.venv/bin/python` (which
//! the README's test command and `.ci/run` create), else `python3` from `PATH`. A missing numpy is a test
//! failure with a message that says how to install it, never a silent skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Python interpreter the tests run numpy with.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("WASM_MEMMAP_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = crate::workspace_root().join(".venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

/// Runs `script` with numpy imported as `np` and the given arguments in `sys.argv[1:]`; returns stdout.
///
/// # Panics
/// When Python cannot be started, numpy is missing or the script fails: the panic message carries
/// Python's stderr, so the test failure says what went wrong.
pub fn run(script: &str, args: &[&str]) -> String {
    run_in(script, args, Path::new("."))
}

/// [`run`] in the working directory `dir` (where the script's relative paths lead).
///
/// # Panics
/// As [`run`].
pub fn run_in(script: &str, args: &[&str], dir: &Path) -> String {
    let program = format!("import sys\nimport numpy as np\n{script}");
    let python = python();
    let out = Command::new(&python)
        .arg("-c")
        .arg(&program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e}; run the README's test command, which creates .venv with numpy",
                python.display()
            )
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "numpy script failed ({}):\n{stderr}\n--- script ---\n{program}\n(hint: `python3 -m venv .venv && .venv/bin/pip install numpy`)",
        out.status
    );
    String::from_utf8(out.stdout).expect("numpy printed UTF-8")
}

/// Runs `script`, which defines `cases`, a dict of names to functions that each make one mistake in
/// numpy, and returns the JSON object `{name: str(exception)}`, with `null` where numpy raised
/// nothing; numpy's warnings are silenced. The tests compare our typed errors with these messages.
///
/// # Panics
/// As [`run`].
pub fn messages(script: &str, args: &[&str]) -> String {
    run(&format!("{script}\n{MESSAGES}"), args)
}

const MESSAGES: &str = r#"
import json, warnings
warnings.simplefilter('ignore')
out = {}
for name, fn in cases.items():
    try:
        fn()
        out[name] = None
    except Exception as e:
        out[name] = str(e)
print(json.dumps(out))
"#;
