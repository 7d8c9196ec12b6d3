//! Bad input gets a typed error with a clear message (numpy's, where numpy has one), and the host
//! keeps serving the plugin.

use std::collections::HashMap;

use wasm_memmap_guest_artifacts::test_programs::ERRORS;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// numpy making the same mistakes in the same directory; see `numpy::messages`.
const SCRIPT: &str = r#"
import os
os.chdir(sys.argv[1])
def f8(path, mode, shape):
    return np.memmap(path, dtype='float64', mode=mode, shape=shape)
def write_read_only():
    f8('small.f8', 'r', (1,))[:] = [1.0]
def broadcast():
    f8('grid.f8', 'r+', (5, 10))[:] = np.ones(3)
cases = {
    "missing-file": lambda: f8('missing.f8', 'r', (3,)),
    "w+-without-shape": lambda: np.memmap('new.f8', dtype='float64', mode='w+'),
    "write-read-only": write_read_only,
    "file-too-short": lambda: f8('small.f8', 'r', (10,)),
    "index-out-of-bounds": lambda: f8('grid.f8', 'w+', (5, 10))[:, 12],
    "negative-index-out-of-bounds": lambda: f8('grid.f8', 'r', (5, 10))[-6],
    "too-many-indices": lambda: f8('grid.f8', 'r', (5, 10))[0, 0, 0],
    "zero-step": lambda: f8('grid.f8', 'r', (5, 10))[::0],
    "shape-overflows": lambda: f8('huge.f8', 'w+', (2**62, 4)),
    "bad-broadcast": broadcast,
    "bad-dtype": lambda: np.dtype('float65'),
    "bad-mode": lambda: np.memmap('grid.f8', dtype='float64', mode='rw'),
    "directory": lambda: f8('.', 'r', (1,)),
    "directory-r+": lambda: f8('.', 'r+', (1,)),
    "offset-past-end": lambda: np.memmap('small.f8', dtype='float64', mode='r', offset=24),
}
"#;

#[test]
fn bad_input_gets_typed_errors_and_the_plugin_carries_on() {
    let top = tempfile::tempdir().unwrap();
    let grant = top.path().join("grant");
    std::fs::create_dir(&grant).unwrap();
    std::fs::write(grant.join("small.f8"), 2.5f64.to_le_bytes()).unwrap();
    std::fs::write(top.path().join("outside.f8"), 1.0f64.to_le_bytes()).unwrap();
    std::os::unix::fs::symlink("../outside.f8", grant.join("link-out")).unwrap();

    let outcome = run_in(ERRORS, &[], &grant);
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let got: HashMap<String, (String, String)> = outcome
        .stdout_text()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            (s("case"), (s("code"), s("message")))
        })
        .collect();

    // numpy's messages, from numpy, in a copy of the directory (numpy's `w+` cases create files).
    let scratch = top.path().join("numpy");
    std::fs::create_dir(&scratch).unwrap();
    std::fs::copy(grant.join("small.f8"), scratch.join("small.f8")).unwrap();
    let theirs: HashMap<String, Option<String>> =
        serde_json::from_str(&numpy::messages(SCRIPT, &[scratch.to_str().unwrap()])).unwrap();

    // Each case's code is the one the WIT documents for the exception numpy raises.
    let numpy_cases = [
        ("missing-file", "not-found"),
        ("w+-without-shape", "invalid-argument"),
        ("write-read-only", "read-only"),
        ("file-too-short", "invalid-argument"),
        ("index-out-of-bounds", "index-out-of-bounds"),
        ("negative-index-out-of-bounds", "index-out-of-bounds"),
        ("too-many-indices", "index-out-of-bounds"),
        ("zero-step", "invalid-argument"),
        ("shape-overflows", "overflow"),
        ("bad-broadcast", "mismatch"),
        ("bad-dtype", "invalid-argument"),
        ("bad-mode", "invalid-argument"),
        ("directory", "invalid-argument"),
        ("directory-r+", "invalid-argument"),
        ("offset-past-end", "invalid-argument"),
    ];
    for (case, code) in numpy_cases {
        let (got_code, message) = &got[case];
        let numpy_message = theirs[case].as_deref().unwrap_or_else(|| panic!("numpy raised nothing for {case}"));
        assert_eq!(got_code, code, "{case}: {message}");
        // The overflow message adds the sizes after numpy's sentence; the rest are numpy's own.
        if case == "shape-overflows" {
            assert!(
                message.starts_with(numpy_message) && message.contains("147573952589676412928"),
                "{case}: {message}"
            );
        } else {
            assert_eq!(message, numpy_message, "{case}");
        }
    }

    // Mistakes numpy would not make (it casts and checks sizes differently) name the values.
    let (code, message) = &got["wrong-length"];
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("mismatch", "3 values were given but the selection of shape (5, 10) holds 50")
    );
    let (code, message) = &got["wrong-kind"];
    assert_eq!((code.as_str(), message.as_str()), ("mismatch", "cannot write int32 values in a memmap of float64"));

    // A file shrunk under its mapping: an error naming both sizes, not a SIGBUS.
    assert_eq!(
        got["truncated-while-mapped"],
        (
            "io".to_string(),
            "'t.f8' was truncated to 8 bytes while mapped; the array needs 8192 bytes of it, so it cannot be read or written any more".to_string()
        )
    );

    // Leaving the grant: one message for every way out, naming the path and the grant.
    for (case, path) in [("escape-dotdot", "../outside.f8"), ("escape-symlink", "link-out")] {
        assert_eq!(
            got[case],
            ("access-denied".to_string(), format!("path '{path}' leads outside its granted directory '.'"))
        );
    }
    assert_eq!(
        got["escape-absolute"],
        (
            "access-denied".to_string(),
            "path '/etc/passwd' is not inside a granted directory (granted: '.')".to_string()
        )
    );

    // The file outside was never touched, and the plugin's last round trip worked.
    assert_eq!(std::fs::read(top.path().join("outside.f8")).unwrap(), 1.0f64.to_le_bytes());
    assert_eq!(got["after"].0, "ok", "{:?}", got["after"]);
}
