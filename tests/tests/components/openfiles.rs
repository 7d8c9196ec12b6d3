//! `max_open_maps` bounds the maps a plugin holds at once, each a host file descriptor: opening one
//! small file hundreds of times gives the plugin a `limit-exceeded` error at the limit (before the
//! host runs out of descriptors, 1024 by default for the whole process), and it carries on after
//! dropping them. Views hold no descriptor of their own; a closed map holds its file until its last
//! view is dropped.

use wasm_memmap_guest_artifacts::test_programs::OPENFILES;
use wasm_memmap_host::{FsPerms, MemmapLimits};
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_limited;
use wasm_memmap_tests::counted_cases;

#[test]
fn open_maps_stop_at_the_limit_with_an_error_and_the_plugin_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let limits = MemmapLimits::default();
    assert_eq!(limits.max_open_maps, 256);
    let outcome = run_limited(OPENFILES, &["300"], dir.path(), FsPerms::ReadWrite, limits);
    let got = counted_cases(&outcome);
    let at_limit = (
        256,
        "limit-exceeded".to_string(),
        "opening 'small.u1' would make 257 maps open at once, over the limit of 256 (each holds a host file descriptor); drop maps you no longer need, and the views of maps you closed".to_string(),
    );
    let ok = |done: u64| (done, "ok".to_string(), String::new());
    assert_eq!(got["maps"], at_limit);
    assert_eq!(got["map-after-dropping"], ok(0));
    assert_eq!(got["views-of-one-map"], ok(300));
    assert_eq!(got["closed-maps-with-views"], at_limit);
    assert_eq!(got["map-after-dropping-views"], ok(0));
    assert_eq!(got.len(), 5);
}

/// The limit is the embedder's: a lower one stops the plugin there.
#[test]
fn a_lower_open_map_limit_stops_there() {
    let dir = tempfile::tempdir().unwrap();
    let limits = MemmapLimits { max_open_maps: 3, ..MemmapLimits::default() };
    let outcome = run_limited(OPENFILES, &["10"], dir.path(), FsPerms::ReadWrite, limits);
    assert!(matches!(outcome.status, Status::Exited(0)), "{}", String::from_utf8_lossy(&outcome.stderr));
    let first: serde_json::Value = serde_json::from_str(outcome.stdout_text().lines().next().unwrap()).unwrap();
    assert_eq!(first["case"], "maps");
    assert_eq!(first["done"], 3);
    assert_eq!(
        first["message"],
        "opening 'small.u1' would make 4 maps open at once, over the limit of 3 (each holds a host file descriptor); drop maps you no longer need, and the views of maps you closed"
    );
}
