//! The test kit on Zarr arrays: a plugin author runs a Dask-style task on one block of an array
//! with [`Sandbox::region`], and the kit's write region confines it.

#![allow(clippy::unwrap_used)]

use wasm_memmap_guest_artifacts::test_programs::{CHUNK_TASK, ZARR};
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::Sandbox;

/// The little-endian int64 values of `hex`.
fn int64s(hex: &str) -> Vec<i64> {
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    bytes.chunks(8).map(|b| i64::from_le_bytes(b.try_into().unwrap())).collect()
}

#[test]
fn a_task_writes_its_block_and_is_refused_outside_it() {
    let sandbox = Sandbox::new();
    let create = r#"[{"op": "create", "location": "t.zarr", "dtype": "int64", "shape": [4, 6], "chunks": [2, 3]}]"#;
    let made = sandbox.run(ZARR, &[create]);
    assert_eq!(made.stdout_text(), "[{\"ok\":true}]\n", "{}", made.stderr_text());

    let sandbox = sandbox.region("t.zarr", &[2..4, 3..6]);
    let own = sandbox.run(CHUNK_TASK, &["t.zarr", "2:4,3:6", "--write"]);
    assert!(matches!(own.status, Status::Exited(0)), "{}", own.stderr_text());
    // The block's flat positions in the 4x6 array: 15, 16, 17, 21, 22, 23.
    let sum: f64 = [15.0, 16.0, 17.0, 21.0, 22.0, 23.0].iter().sum();
    assert!(own.stdout_text().contains(&format!("\"sum\": {sum:?}")), "{}", own.stdout_text());

    let other = sandbox.run(CHUNK_TASK, &["t.zarr", "0:2,0:3", "--write"]);
    assert!(matches!(other.status, Status::Exited(1)), "{:?}", other.status);
    assert!(other.stderr_text().starts_with("access-denied: "), "{}", other.stderr_text());

    let read = sandbox.run(ZARR, &[r#"[{"op": "open", "location": "t.zarr", "mode": "r"}, {"op": "read", "map": 0}]"#]);
    let out = read.stdout_text();
    let hex = out.split("\"hex\":\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    let values = int64s(hex);
    let expected: Vec<i64> = (0..24).map(|p| if p / 6 >= 2 && p % 6 >= 3 { p } else { 0 }).collect();
    assert_eq!(values, expected);
}
