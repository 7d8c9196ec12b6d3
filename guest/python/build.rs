//! Builds the Python runner component with the pinned componentize-py from `app/` (the entry
//! module `runner` and the packages beside it) for the world `runner` of `wit/`, and writes
//! `python_runner.rs`: its bytes and their BLAKE3 digest, taken here so that no run hashes them.
//!
//! componentize-py is looked for at `$COMPONENTIZE_PY`, then the workspace's `.venv/bin`, then
//! `PATH`, and must be version [`VERSION`]. Without it the crate still builds (Rust plugins need no
//! Python): `RUNNER` is then an error naming the command that installs it.

// A build script reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The componentize-py release the runner is built and tested with.
const VERSION: &str = "0.25.1";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("../..").canonicalize().expect("the workspace root exists");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for watched in ["app", "wit"] {
        println!("cargo:rerun-if-changed={}", manifest_dir.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=COMPONENTIZE_PY");

    let venv_bin = root.join(".venv/bin");
    let src = match find_componentize_py(&venv_bin) {
        Ok(tool) => {
            // A reinstall (or an upgrade to the wrong version) is seen at the next build.
            println!("cargo:rerun-if-changed={}", tool.display());
            let wasm = out_dir.join("python-runner.wasm");
            build(&tool, &manifest_dir, &wasm);
            let bytes = std::fs::read(&wasm).expect("componentize-py wrote the component");
            let digest = blake3::hash(&bytes);
            let mut src = String::new();
            writeln!(src, "/// The runner component and its digest, built from `app/` by componentize-py {VERSION}.")
                .unwrap();
            writeln!(src, "pub const RUNNER: Result<Component, &str> = Ok(Component {{").unwrap();
            writeln!(src, "    wasm: include_bytes!({:?}),", wasm.display().to_string()).unwrap();
            writeln!(src, "    blake3: {:?},", digest.as_bytes()).unwrap();
            writeln!(src, "}});").unwrap();
            src
        }
        Err(why) => {
            // Installing it into the venv changes `.venv/bin`: the next build sees it.
            if venv_bin.is_dir() {
                println!("cargo:rerun-if-changed={}", venv_bin.display());
            }
            println!("cargo:warning=the Python runner (`wasm-memmap run script.py`) is not built: {why}");
            let mut src = String::new();
            writeln!(src, "/// Why the runner was not built: componentize-py {VERSION} was not found.").unwrap();
            writeln!(src, "pub const RUNNER: Result<Component, &str> = Err({why:?});").unwrap();
            src
        }
    };
    std::fs::write(out_dir.join("python_runner.rs"), src).expect("cannot write python_runner.rs");
}

/// componentize-py [`VERSION`], or why there is none: the message names the command that installs it.
fn find_componentize_py(venv_bin: &Path) -> Result<PathBuf, String> {
    let install = format!(
        "install it with `python3 -m venv .venv && .venv/bin/pip install componentize-py=={VERSION}` at the top of the clone (the README's set-up commands do), then build again"
    );
    let candidates: Vec<PathBuf> = match env::var_os("COMPONENTIZE_PY").filter(|v| !v.is_empty()) {
        // An explicit choice is the only one tried.
        Some(path) => vec![PathBuf::from(path)],
        None => std::iter::once(venv_bin.join("componentize-py"))
            .chain(env::split_paths(&env::var_os("PATH").unwrap_or_default()).map(|dir| dir.join("componentize-py")))
            .collect(),
    };
    let mut wrong = Vec::new();
    for tool in candidates.into_iter().filter(|c| c.is_file()) {
        let output = Command::new(&tool).arg("--version").output();
        match output {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                if text == format!("componentize-py {VERSION}") {
                    return Ok(tool);
                }
                wrong.push(format!("{} is {text:?}", tool.display()));
            }
            Ok(out) => wrong.push(format!("{} --version failed ({})", tool.display(), out.status)),
            Err(e) => wrong.push(format!("{} cannot be run: {e}", tool.display())),
        }
    }
    if wrong.is_empty() {
        Err(format!("componentize-py {VERSION} was not found ($COMPONENTIZE_PY, .venv/bin, PATH); {install}"))
    } else {
        Err(format!("componentize-py {VERSION} is needed, but {}; {install}", wrong.join(", ")))
    }
}

/// Runs `componentize-py -d wit -w runner componentize runner -p app -o wasm` on a copy of `app/`:
/// componentize-py writes `__pycache__` directories beside the modules it imports, which in `app/`
/// would change the watched directory and rebuild the runner at every build.
fn build(tool: &Path, crate_dir: &Path, wasm: &Path) {
    let out_dir = wasm.parent().expect("the output is in OUT_DIR");
    let app = out_dir.join("app");
    if app.exists() {
        std::fs::remove_dir_all(&app).expect("cannot clear the previous copy of app/");
    }
    copy_sources(&crate_dir.join("app"), &app);
    let status = Command::new(tool)
        .current_dir(out_dir)
        .arg("-d")
        .arg(crate_dir.join("wit"))
        .args(["-w", "runner", "componentize", "runner", "-p"])
        .arg(&app)
        .arg("-o")
        .arg(wasm)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    assert!(
        status.success(),
        "componentize-py failed to build the Python runner from {}/app (see above)",
        crate_dir.display()
    );
}

/// Copies the tree `from` to `to`, leaving out `__pycache__` directories.
fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display())) {
        let entry = entry.unwrap();
        let (path, name) = (entry.path(), entry.file_name());
        if name == "__pycache__" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_sources(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap_or_else(|e| panic!("cannot copy {}: {e}", path.display()));
        }
    }
}
