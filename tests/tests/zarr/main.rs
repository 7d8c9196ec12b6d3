//! Zarr v3 arrays end to end: sandboxed plugins (`wasm-memmap run tests/python/zarr_*.py`, the real
//! command with its real flags) on a local directory and on a local S3 server that the tests start
//! themselves (`moto_server` from `.venv`), checked against numpy and zarr-python on the same store.
//!
//! Every test runs twice, `_local` and `_s3`.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

mod dtypes;
mod durability;
mod errors;
mod lake;
mod regions;
mod views;

/// Defines `NAME_local` and `NAME_s3`, each calling `body(Where)`.
macro_rules! both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn local() {
                super::$body($crate::lake::Where::Local);
            }

            #[test]
            fn s3() {
                super::$body($crate::lake::Where::S3);
            }
        }
    };
}
pub(crate) use both;
