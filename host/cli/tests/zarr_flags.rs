//! The Zarr flags of `run` and `demo` (`--store`, `--ro-store`, `--region`): a spec that does not
//! parse is refused before any plugin is loaded, with what is wrong in it.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use wasm_memmap_guest_artifacts::test_programs::CHUNK_TASK;

fn wasm_memmap(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_wasm-memmap")).args(args).current_dir(dir.path()).output().expect("the CLI starts")
}

/// `run` with `flags` must be refused by the argument parser (status 2, clap's usage error), its
/// stderr naming the flag and saying `says`.
fn refused(flags: &[&str], says: &str) {
    let plugin = CHUNK_TASK;
    let args: Vec<&str> = ["--no-cache", "run"].iter().copied().chain(flags.iter().copied()).chain([plugin]).collect();
    let out = wasm_memmap(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
    assert!(err.contains(flags[0]), "{flags:?}: {err}");
    assert!(err.contains(says), "{flags:?}: {err}");
}

#[test]
fn bad_region_specs_are_refused_with_the_reason() {
    refused(&["--region", "a.zarr"], "give LOCATION[START:STOP,START:STOP,...]");
    refused(&["--region", "a.zarr[0:1000,:]"], "axis 1: ':' has no start");
    refused(&["--region", "a.zarr[0:1000:2]"], "no step");
    refused(&["--region", "a.zarr[1000:0]"], "START must be less than STOP");
    refused(&["--region", "a.zarr[-1:10]"], "not a non-negative integer start");
}

#[test]
fn bad_store_specs_are_refused_with_the_reason() {
    refused(&["--store", "::/lake"], "the store URL is empty");
    refused(&["--ro-store", "s3://bucket/p::"], "the name after '::' is empty");
}

#[test]
fn a_store_url_the_host_cannot_use_is_refused_before_the_plugin_loads() {
    let out = wasm_memmap(&["--no-cache", "run", "--store", "ftp://host/data", "no-such-plugin.wasm"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // The store is refused first: the missing plugin file is never looked at.
    assert!(err.contains("cannot grant store ftp://host/data: ") && err.contains("not an S3 URL"), "{err}");
    assert!(!err.contains("no-such-plugin"), "{err}");
}
