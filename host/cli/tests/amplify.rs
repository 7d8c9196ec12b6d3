//! The host's peak memory while a plugin sends it huge arguments (issue 10, finding 4), measured
//! on the `wasm-memmap` process as a user runs it (`run --max-memory 160MiB`). 1f22ff2 reached
//! 1.0 GB for a 32 MiB path, 1.2 GB for a 120 MiB shape list to `create-npy` and 0.5 GB for a
//! 48 MiB `data-shape`; the exact errors are checked in `tests/tests/components/amplify.rs`.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use wasm_memmap_guest_artifacts::test_programs::AMPLIFY;
use wasm_memmap_tests::numpy;

/// Runs the CLI with `args` from Python, which has no other child, and returns its exit code,
/// stdout and peak resident set size in bytes (`getrusage(RUSAGE_CHILDREN).ru_maxrss`, the
/// `VmHWM` of the process; Linux reports it in KiB).
const MEASURE: &str = r#"
import json, resource, subprocess
p = subprocess.run(sys.argv[1:], capture_output=True, timeout=60)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"code": p.returncode, "stdout": p.stdout.decode(), "stderr": p.stderr.decode()[-2000:], "peak": peak}))
"#;

#[test]
fn huge_arguments_do_not_grow_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let cli = env!("CARGO_BIN_EXE_wasm-memmap");
    let d = format!("{}::.", dir.path().to_str().unwrap());
    let c = cache.path().to_str().unwrap();
    const MIB: u64 = 1 << 20;
    // (attack, grant, bytes the plugin sends, the start of the error it must get)
    for (attack, grant, sent, error) in [
        ("path", false, 32 * MIB, "[Errno 36] File name too long: 'a/a/"),
        ("shape-create-npy", true, 120 * MIB, "maximum supported dimension for an ndarray is currently 64, found"),
        ("data-shape", true, 48 * MIB, "maximum supported dimension for an ndarray is currently 64, found"),
    ] {
        let mut args = vec![cli, "--cache-dir", c, "run", "--max-memory", "160MiB"];
        if grant {
            args.extend(["--dir", &d]);
        }
        args.extend([AMPLIFY, "--", attack]);
        let out: serde_json::Value = serde_json::from_str(&numpy::run(MEASURE, &args)).unwrap();
        // The plugin's own copy (in its linear memory, which is host memory too), wasmtime's one
        // copy of the argument, and 100 MiB for the runtime and the compile cache; 1f22ff2 needed
        // 4 to 30 times the argument.
        let peak = out["peak"].as_u64().unwrap();
        let bound = 2 * sent + 100 * MIB;
        println!("{attack}: peak RSS {} MiB (bound {} MiB)", peak / MIB, bound / MIB);
        assert!(peak < bound, "{attack}: the host peaked at {} MiB, over {} MiB", peak / MIB, bound / MIB);
        assert_eq!(out["code"], 0, "{attack}: {}", out["stderr"]);
        let line: serde_json::Value = serde_json::from_str(out["stdout"].as_str().unwrap().trim()).unwrap();
        assert!(line["message"].as_str().unwrap().starts_with(error), "{attack}: {line}");
    }
}
