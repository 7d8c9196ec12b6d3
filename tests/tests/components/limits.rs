//! Each `memmap` limit gives the plugin a `limit-exceeded` error it can carry on from.

use wasm_memmap_guest_artifacts::test_programs::LIMITS;
use wasm_memmap_host::{FsPerms, MemmapLimits};
use wasm_memmap_runner::testkit::run_limited;
use wasm_memmap_tests::counted_cases;

#[test]
fn limits_are_typed_errors_and_the_plugin_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let limits = MemmapLimits {
        max_handles: 50,
        max_transfer_bytes: 64 << 10,
        max_mapped_bytes: 4 << 20,
        ..MemmapLimits::default()
    };
    let outcome = run_limited(LIMITS, &[], dir.path(), FsPerms::ReadWrite, limits);
    let got = counted_cases(&outcome);
    let limit = |done: u64, message: &str| (done, "limit-exceeded".to_string(), message.to_string());
    let ok = (0, "ok".to_string(), String::new());

    // 50 handles: the map itself and 49 views.
    assert_eq!(
        got["views"],
        limit(
            49,
            "another memmap handle would make 51 live handles, over the limit of 50; drop handles you no longer need"
        )
    );
    assert_eq!(got["view-after-dropping"], ok);

    // 64 KiB per call, counting what a broadcast value fills as well as what is sent.
    let per_call = |what: &str| {
        limit(
            0,
            &format!(
                "{what} of 1048576 bytes is over the limit of 65536 bytes per call; move the data in smaller selections"
            ),
        )
    };
    assert_eq!(got["read-whole"], per_call("a read"));
    assert_eq!(got["broadcast-fill"], per_call("a write"));
    assert_eq!(got["write-whole"], per_call("a write"));
    assert_eq!(got["fill-in-limit"], ok);

    // 4 MiB mapped: the 128-byte grid and the 1 MiB array leave room for two more 1 MiB maps.
    assert_eq!(
        got["maps"],
        limit(
            2,
            "mapping 1048576 more bytes would make 4194432 bytes mapped at once, over the limit of 4194304; drop maps you no longer need or map a smaller part (shape and offset)"
        )
    );
    assert_eq!(got["map-after-dropping"], ok);

    // Nothing outlived the instance, and the refused fill wrote nothing.
    assert_eq!((outcome.stats.live_handles(), outcome.stats.live_maps(), outcome.stats.mapped_bytes()), (0, 0, 0));
    let big = std::fs::read(dir.path().join("big.u1")).unwrap();
    assert!(big[..65536].iter().all(|&b| b == 7) && big[65536..].iter().all(|&b| b == 0));
}
