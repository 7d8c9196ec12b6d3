//! Several plugin instances at once on one runner (one engine), in threads: each maps the same
//! shared file and a file of its own, writes its own region, and flushes. No crash, and every
//! flushed byte is in the files afterwards.

use wasm_memmap_guest_artifacts::test_programs::STRESS;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::{read_array, run_in};

const PARTS: u64 = 4;
const LEN: usize = 65536;

#[test]
fn plugins_in_threads_write_disjoint_regions_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        std::fs::write(dir.path().join("shared.f8"), vec![0u8; LEN * 8]).unwrap();
        let threads: Vec<_> = (0..PARTS)
            .map(|part| {
                let dir = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    let (part, parts) = (part.to_string(), PARTS.to_string());
                    run_in(STRESS, &["region", "shared.f8", &part, &parts], &dir)
                })
            })
            .collect();
        for thread in threads {
            let outcome = thread.join().expect("no thread panicked");
            assert!(
                matches!(outcome.status, Status::Exited(0)),
                "round {round}: {:?}\n{}",
                outcome.status,
                String::from_utf8_lossy(&outcome.stderr)
            );
        }
        // Element k of the shared file holds `part * 1e6 + k` for the part that owns it.
        let piece = LEN / 4;
        let shared = read_array::<f64>(dir.path().join("shared.f8"));
        for (k, v) in shared.iter().enumerate() {
            let part = k / piece;
            let want = f64::from(u32::try_from(part * 1_000_000 + k).unwrap());
            assert_eq!(*v, want, "round {round}: shared element {k}");
        }
        for part in 0..4 {
            let own = read_array::<f64>(dir.path().join(format!("own-{part}.f8")));
            assert_eq!(own, shared[part * piece..(part + 1) * piece], "round {round}: own-{part}.f8");
        }
    }
}
