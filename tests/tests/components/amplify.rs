//! Host memory amplification (issue 10, finding 4): a plugin sends huge strings and lists
//! (`guest/test-programs/src/bin/amplify.rs`) under the CLI's limits with `--max-memory 160MiB`.
//! Each gets a short typed error naming the bound, decided before the host builds anything from the
//! argument; wasmtime's own copy of the arguments is bounded by the hostcall fuel
//! (`MemmapLimits::hostcall_fuel`), which still lets a transfer of the full limit through. The
//! host's peak memory during these attacks is measured in `host/cli/tests/amplify.rs`.

use wasm_memmap_guest_artifacts::test_programs::AMPLIFY;
use wasm_memmap_host::{FsPerms, InstanceLimits, MemmapLimits};
use wasm_memmap_runner::testkit::{config, run_config, runner};
use wasm_memmap_runner::{DirGrant, Outcome, Status};

fn run(attack: &[&str], limits: MemmapLimits, max_memory: u64) -> (tempfile::TempDir, Outcome) {
    let dir = tempfile::tempdir().unwrap();
    let grant = DirGrant { host: dir.path().to_path_buf(), guest: ".".into(), perms: FsPerms::ReadWrite };
    let mut config = config(AMPLIFY, attack, vec![grant]);
    config.limits = limits;
    config.instance = InstanceLimits { max_memory_bytes: max_memory, ..InstanceLimits::default() };
    let outcome = run_config(runner(), AMPLIFY, &config);
    (dir, outcome)
}

/// The `(code, message)` the plugin printed.
fn reported(outcome: &Outcome) -> (String, String) {
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(outcome.stdout_text().trim()).unwrap();
    (v["code"].as_str().unwrap().to_owned(), v["message"].as_str().unwrap().to_owned())
}

fn err(code: &str, message: &str) -> (String, String) {
    (code.into(), message.into())
}

fn too_many_axes(n: u64) -> (String, String) {
    err("invalid-argument", &format!("maximum supported dimension for an ndarray is currently 64, found {n}"))
}

#[test]
fn huge_arguments_get_short_errors_before_anything_is_built() {
    // What `wasm-memmap run --max-memory 160MiB` sets.
    let cli = MemmapLimits::default();
    let memory = 160 << 20;
    let long_path = format!("{}... ({} bytes)", "a/".repeat(128), 32 << 20);
    for (attack, want) in [
        (
            "path",
            err(
                "io",
                &format!(
                    "[Errno 36] File name too long: '{long_path}'; a path must be shorter than PATH_MAX (4096 bytes)"
                ),
            ),
        ),
        ("shape-create-npy", too_many_axes(15 << 20)),
        ("shape-open", too_many_axes(4 << 20)),
        ("data-shape", too_many_axes(6 << 20)),
        // These three were already refused by counting; numpy's messages stay.
        (
            "indices",
            err(
                "index-out-of-bounds",
                "number of dimensions must be within [0, 64], indexing result would have 1048579",
            ),
        ),
        ("at", err("invalid-argument", "incorrect number of indices for array")),
        ("axes", err("invalid-argument", "axes don't match array")),
    ] {
        let (dir, outcome) = run(&[attack], cli, memory);
        assert_eq!(reported(&outcome), want, "{attack}");
        // Nothing was created for a refused argument (only `cube.f8`, which the attack itself makes).
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert!(names.iter().all(|n| n == "cube.f8"), "{attack}: {names:?}");
        assert_eq!(outcome.stats.live_handles(), 0, "{attack}");
    }
}

/// The hostcall fuel is the transfer limit plus 16 MiB: a write of the whole limit goes through
/// (wasmtime's default fuel, 128 MiB, trapped any write over it, under a 256 MiB limit), one a
/// little over the limit gets the typed error, and one far over it is trapped by wasmtime before
/// the host copies it.
#[test]
fn hostcall_fuel_follows_the_transfer_limit() {
    let defaults = MemmapLimits::default();
    assert_eq!(defaults.hostcall_fuel(), (256 << 20) + (16 << 20));
    let bytes = (130u64 << 20).to_string();
    let (dir, outcome) = run(&["write", &bytes], defaults, 1 << 30);
    assert_eq!(reported(&outcome), err("ok", ""), "a 130 MiB write under the 256 MiB default");
    let written = std::fs::read(dir.path().join("big.u1")).unwrap();
    assert!(written.len() == 130 << 20 && written.iter().all(|&b| b == 7));
    drop(dir);

    let small = MemmapLimits { max_transfer_bytes: 1 << 20, ..MemmapLimits::default() };
    let (_, outcome) = run(&["write", &(1u64 << 20).to_string()], small, 160 << 20);
    assert_eq!(reported(&outcome), err("ok", ""), "a write of the whole limit");
    let (_, outcome) = run(&["write", &(2u64 << 20).to_string()], small, 160 << 20);
    assert_eq!(
        reported(&outcome),
        err(
            "limit-exceeded",
            "a write of 2097152 bytes is over the limit of 1048576 bytes per call; move the data in smaller selections"
        )
    );
    for attack in [vec!["write".to_owned(), (32u64 << 20).to_string()], vec!["path".to_owned()]] {
        let args: Vec<&str> = attack.iter().map(String::as_str).collect();
        let (_, outcome) = run(&args, small, 160 << 20);
        let Status::Trapped(e) = &outcome.status else { panic!("{attack:?}: {:?}", outcome.status) };
        assert!(format!("{e:?}").contains("fuel allocated for hostcalls has been exhausted"), "{attack:?}: {e:?}");
        assert!(outcome.stdout_text().is_empty(), "{attack:?}");
    }
}
