//! Data written without an explicit `flush` still reaches the file, however the plugin leaves.

use wasm_memmap_guest_artifacts::test_programs::DURABILITY;
use wasm_memmap_host::run::Status;
use wasm_memmap_tests::{f64s, run_in};

fn leave(how: &str) -> Status {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_in(DURABILITY, &[how, "data.f8"], dir.path());
    // The guest wrote 1.5 * k at element k; the file's bytes must say so.
    let bytes = std::fs::read(dir.path().join("data.f8")).unwrap();
    assert_eq!(bytes.len(), 1000 * 8);
    let values = f64s(&bytes);
    for (k, v) in values.iter().enumerate() {
        assert_eq!(*v, 1.5 * f64::from(u32::try_from(k).unwrap()), "element {k} after '{how}'");
    }
    // The host wrote the dirty pages back (msync) rather than leaving them to the kernel, and no
    // mapping outlived the instance.
    assert!(outcome.stats.flushes() >= 1, "no msync after '{how}'");
    assert_eq!(outcome.stats.live_maps(), 0, "a mapping outlived the instance after '{how}'");
    outcome.status
}

#[test]
fn a_dropped_handle_is_flushed() {
    assert!(matches!(leave("drop"), Status::Exited(0)));
}

#[test]
fn a_leaked_handle_is_flushed_when_the_instance_ends() {
    assert!(matches!(leave("forget"), Status::Exited(0)));
}

#[test]
fn a_handle_held_at_exit_is_flushed() {
    // WASI 0.2's `exit` carries success or failure only, so `exit(3)` arrives as 1.
    let status = leave("exit");
    assert!(matches!(status, Status::Exited(1)), "{status:?}");
}

#[test]
fn a_handle_held_at_a_trap_is_flushed() {
    let status = leave("trap");
    assert!(matches!(status, Status::Trapped(_)), "{status:?}");
}
