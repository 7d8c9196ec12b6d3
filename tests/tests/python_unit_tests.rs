//! The pure-Python unit tests of the numpy-compatible package (`guest/python/tests/test_*.py`:
//! casting, dtypes, indexing, print options, random arguments, scalars, and the refusals that raise
//! `NotImplementedError`), run by CPython with `unittest`, so `cargo test` runs them in CI too. They
//! need no sandbox: they test the parts that do not call the host, against real numpy, which
//! `support.py` imports before it puts `guest/python/app` on the path.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};

use wasm_memmap_tests::{numpy, workspace_root};

#[test]
fn the_python_packages_unit_tests_pass_under_cpython() {
    let python = numpy::python();
    let out = Command::new(&python)
        .args(["-B", "-m", "unittest", "discover", "-s", "guest/python/tests"])
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
    // unittest reports on stderr: "Ran N tests in Xs" then "OK" or "FAILED (...)".
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{} -m unittest failed ({}):\n{report}", python.display(), out.status);
    let ran = report
        .lines()
        .find_map(|l| l.strip_prefix("Ran ").and_then(|rest| rest.split(' ').next()))
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("no \"Ran N tests\" line:\n{report}"));
    assert!(ran > 0, "unittest found no tests:\n{report}");
    assert!(report.lines().any(|l| l.trim() == "OK"), "{report}");
}
