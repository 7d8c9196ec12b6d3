//! The component test kit as a plugin author uses it, and what a run reports about limits.

#![allow(clippy::unwrap_used)]

use wasm_memmap_guest_artifacts::DEMO;
use wasm_memmap_guest_artifacts::test_programs::SELECT;
use wasm_memmap_runner::testkit::Sandbox;
use wasm_memmap_runner::{Limit, MemmapLimits, Status};

#[test]
fn arrays_written_and_read_back_are_numpys_bytes() {
    let sandbox = Sandbox::new();
    sandbox.write_npy("a.npy", &[2, 2], &[1i32, -2, 3, -4]);
    // numpy: np.save("a.npy", np.array([[1, -2], [3, -4]], dtype="<i4")); header of 128 bytes.
    let bytes = sandbox.read("a.npy");
    assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
    assert!(bytes[10..128].starts_with(b"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }"));
    assert_eq!(bytes.len(), 128 + 16);
    let a = sandbox.read_npy::<i32>("a.npy");
    assert_eq!(
        (a.shape.as_slice(), a.fortran_order, a.values.as_slice()),
        (&[2u64, 2][..], false, &[1, -2, 3, -4][..])
    );
    sandbox.write_array("b.u2", &[1u16, 65535]);
    assert_eq!(sandbox.read("b.u2"), [1, 0, 255, 255]);
    assert_eq!(sandbox.read_array::<u16>("b.u2"), [1, 65535]);
}

#[test]
fn a_read_only_sandbox_refuses_a_write_and_the_file_is_unchanged() {
    let sandbox = Sandbox::read_only();
    sandbox.write_array("data.f8", &[0.0f64; 6]);
    let outcome = sandbox.run(SELECT, &["data.f8", "2,3", "write", "0"]);
    assert!(matches!(outcome.status, Status::Exited(1)), "{:?}", outcome.status);
    let said = format!("{}{}", outcome.stdout_text(), outcome.stderr_text());
    assert!(said.contains("read-only"), "{said}");
    assert_eq!(sandbox.read_array::<f64>("data.f8"), [0.0; 6]);
    assert!(outcome.refused_limits().is_empty());
}

#[test]
fn a_limit_the_plugin_was_refused_by_is_in_the_outcome() {
    // A 1 MB cap on a file made: the demo's 800 MB `mymmap` is refused (the plugin gets the error).
    let limits = MemmapLimits { max_file_size_bytes: 1_000_000, ..MemmapLimits::default() };
    let sandbox = Sandbox::new().limits(limits);
    let outcome = sandbox.run_bytes(DEMO, &[]);
    assert!(!matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    assert_eq!(outcome.refused_limits(), [Limit::FileSizeBytes], "{}", outcome.stderr_text());
}
