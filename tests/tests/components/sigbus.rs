//! A plugin that truncates a file it mapped cannot kill the host with `SIGBUS`, whatever it then
//! touches (issue 10, finding 2); `close()` unmaps a map and every later use of it or its views is a
//! clear error, never a crash (numpy issue #13510).

use wasm_memmap_guest_artifacts::test_programs::{DURABILITY, SIGBUS};
use wasm_memmap_host::{FsPerms, MemmapLimits};
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::{read_array, run_in, run_limited};
use wasm_memmap_tests::numpy;

/// Runs `sigbus ARGS` in a fresh directory and returns its JSON and the directory.
fn run_sigbus(
    args: &[&str],
    limits: MemmapLimits,
) -> (serde_json::Value, tempfile::TempDir, wasm_memmap_runner::Outcome) {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_limited(SIGBUS, args, dir.path(), FsPerms::ReadWrite, limits);
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}\n{}",
        outcome.status,
        outcome.stdout_text(),
        String::from_utf8_lossy(&outcome.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(outcome.stdout_text().trim()).unwrap();
    (v, dir, outcome)
}

/// The error every call on a map of `path` gets once the file is `len` bytes long and the array needs
/// `need` bytes of it.
fn truncated(path: &str, len: u64, need: u64) -> serde_json::Value {
    serde_json::json!({
        "code": "io",
        "message": format!("'{path}' was truncated to {len} bytes while mapped; the array needs {need} bytes of it, so it cannot be read or written any more"),
    })
}

/// The same runner serves the next plugin, which writes, flushes and exits normally.
fn next_plugin_runs() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_in(DURABILITY, &["drop", "data.f8"], dir.path());
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let values = read_array::<f64>(dir.path().join("data.f8"));
    assert_eq!(values, (0..1000u32).map(|k| 1.5 * f64::from(k)).collect::<Vec<_>>());
}

/// The issue's attack: `set_len(0)` through WASI, then `m.view(s![.., 0]).max()` on uint8
/// `[32768, 8192]`, which touches every other page of 256 MiB. On 1f22ff2 the host died with SIGBUS
/// (exit 135, which here kills the whole test process) once the page-by-page replacement reached
/// `vm.max_map_count`; now one replacement covers the mapping and the plugin gets `io`, twice.
#[test]
fn the_issue_attack_is_an_io_error_and_the_host_lives() {
    let (v, dir, outcome) = run_sigbus(&["attack"], MemmapLimits::default());
    let expected = truncated("big.u8", 0, 32768 * 8192);
    assert_eq!(v["first"], expected, "{v}");
    assert_eq!(v["again"], expected, "{v}");
    assert_eq!(v["other"], true, "another map of the same plugin works: {v}");
    // The host neither grew the file back nor wrote into it.
    assert_eq!(std::fs::metadata(dir.path().join("big.u8")).unwrap().len(), 0);
    assert_eq!((outcome.stats.live_maps(), outcome.stats.mapped_bytes()), (0, 0));
    next_plugin_runs();
}

/// Runs `sigbus variants ROWS TRUNCATIONS` and checks that every case, and the same call again,
/// is `io` naming the file's new size, that a new map still works, and that the next plugin runs.
fn variants(rows: u64, truncations: &str) {
    let size = rows * 8192;
    let (v, dir, outcome) = run_sigbus(&["variants", &rows.to_string(), truncations], MemmapLimits::default());
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), truncations.split(',').count() * 18, "{v}");
    for case in cases {
        let name = case["case"].as_str().unwrap();
        let len = match name.split('/').next().unwrap() {
            "0" => 0,
            "middle" => size / 2,
            "odd" => size / 2 + 1234,
            other => panic!("unknown truncation {other}"),
        };
        let expected = truncated("v.u8", len, size);
        assert_eq!((&case["code"], &case["message"]), (&expected["code"], &expected["message"]), "{name}");
        assert_eq!(case["again"], expected, "{name}: the second call");
    }
    assert_eq!(v["other"], true, "{v}");
    // The last truncation stands: nothing the host did grew the file back.
    let last = cases.last().unwrap()["message"].as_str().unwrap().to_owned();
    let len = std::fs::metadata(dir.path().join("v.u8")).unwrap().len();
    assert!(last.contains(&format!("truncated to {len} bytes")), "{last}");
    assert_eq!((outcome.stats.live_maps(), outcome.stats.mapped_bytes()), (0, 0));
    next_plugin_runs();
}

/// What an attacker would try next: truncation to 0, to half the file (a page boundary) and to half
/// plus 1234 bytes (inside a page), then reductions over columns, reversed and transposed strides,
/// a parallel sum over 8 MiB and one over everything, reads of columns and of a reversed strided
/// view, writes, fills, broadcasts, `item` and `set-item`, on uint8 `[4096, 8192]` (32 MiB). Each
/// must be `io` naming the new size, and so must the same call again (the map stays refused).
#[test]
fn every_selection_of_a_truncated_file_is_an_io_error() {
    variants(4096, "0,middle,odd");
}

/// The same operations on the attack's uint8 `[32768, 8192]` (256 MiB) truncated to 0: every
/// strided one touches tens of thousands of pages past the end. On 1f22ff2 the first one (a column's
/// `max`) killed the host with SIGBUS (exit 135); now each costs one replacement.
#[test]
fn every_selection_of_the_attack_array_is_an_io_error() {
    variants(32768, "0");
}

/// `close()` flushes and unmaps: the bytes written before it are in the file, the mapped bytes are
/// given back (a second map fits under a limit two would break), and every later call that uses
/// the mapping, through the map or a view, is `invalid-argument` naming the file, as Python's
/// `mmap` raises `ValueError: mmap closed or invalid` (asked of Python below). Attributes still
/// answer; closing again, closing a view of a closed map and dropping after close are fine.
#[test]
fn close_flushes_unmaps_and_every_later_call_fails() {
    let python = numpy::run(
        "import mmap\nm = mmap.mmap(-1, 4096)\nm.close()\ntry:\n    m[0]\nexcept ValueError as e:\n    print(e)\nm.close()",
        &[],
    );
    let python = python.trim();
    assert_eq!(python, "mmap closed or invalid");

    // One 8 KiB map fits, two do not.
    let limits = MemmapLimits { max_mapped_bytes: 12 << 10, ..MemmapLimits::default() };
    let (v, dir, outcome) = run_sigbus(&["close"], limits);
    let ok = serde_json::json!({ "code": "ok", "message": "" });
    assert_eq!(v["close"], ok, "{v}");
    let message =
        format!("'c.f8' was closed; this map and every view of it cannot be used any more ({python}): open it again");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2 * 15, "{v}");
    for case in cases {
        assert_eq!(
            (case["code"].as_str(), case["message"].as_str()),
            (Some("invalid-argument"), Some(message.as_str())),
            "{}",
            case["case"]
        );
    }
    assert_eq!(
        v["attributes"],
        serde_json::json!({ "shape": [2, 128], "strides": [2048, 16], "path": "c.f8", "dtype": "float64" })
    );
    assert_eq!((&v["close_again"], &v["close_view"], &v["next"]), (&ok, &ok, &ok), "{v}");
    // What was written before close is in the file, and nothing after close changed it.
    assert_eq!(read_array::<f64>(dir.path().join("c.f8")), vec![1.5; 1024]);
    assert_eq!(read_array::<f64>(dir.path().join("d.f8")), vec![2.5; 1024]);
    // Each close synced its map once (msync); nothing was flushed again when the closed handles
    // were dropped.
    assert_eq!((outcome.stats.flushes(), outcome.stats.flush_failures()), (2, 0));
    assert_eq!((outcome.stats.live_maps(), outcome.stats.mapped_bytes(), outcome.stats.live_handles()), (0, 0, 0));
    next_plugin_runs();
}
