//! The CLI on Zarr arrays, end to end: `show` prints an array zarr-python wrote as numpy prints the
//! same values, `demo --zarr` replays the session on a Zarr array (zarr-python reads back numpy's
//! own values), `run --region` confines a plugin's writes to its block (WASI file writes too),
//! and `run --store` / `show s3://...` reach an array on a local S3 server.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use wasm_memmap_guest_artifacts::test_programs::{CHUNK_TASK, RNG, ZARR};
use wasm_memmap_tests::numpy;
use wasm_memmap_tests::s3::S3Server;

fn wasm_memmap(args: &[&str], cwd: &Path, env: &[(String, String)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-memmap"))
        .args(args)
        .current_dir(cwd)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("the CLI starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(out: &Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}\n{}", out.status, text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn show_prints_an_array_zarr_python_wrote_as_numpy_prints_its_values() {
    let dir = tempfile::tempdir().unwrap();
    // Chunks that do not divide the shape, two codecs, and the raw file of the same values, whose
    // np.memmap repr is the expected text, under numpy's default options and under others.
    let expected = numpy::run_in(
        r"
import zarr
values = np.random.default_rng(7).standard_normal((37, 1200)) * 1000
z = zarr.create_array('a.zarr', shape=values.shape, chunks=(10, 128), dtype='f8',
                      compressors=[zarr.codecs.ZstdCodec(level=3), zarr.codecs.Crc32cCodec()])
z[...] = values
values.tofile('a.f8')
m = np.memmap('a.f8', dtype='f8', mode='r', shape=values.shape)
print(repr(m))
print('--')
with np.printoptions(precision=3, threshold=50, edgeitems=2, suppress=True, sign='+'):
    print(repr(m))
",
        &[],
        dir.path(),
    );
    let (default, options) = expected.split_once("--\n").unwrap();
    let shown = succeeded(&wasm_memmap(&["--no-cache", "show", "a.zarr"], dir.path(), &[]), "show");
    assert_eq!(shown, default);
    let args = [
        "--no-cache",
        "show",
        "a.zarr",
        "--precision",
        "3",
        "--threshold",
        "50",
        "--edgeitems",
        "2",
        "--suppress",
        "--sign",
        "+",
    ];
    let shown = succeeded(&wasm_memmap(&args, dir.path(), &[]), "show with options");
    assert_eq!(shown, options);
    // A file option makes no sense for a Zarr array.
    let out = wasm_memmap(&["--no-cache", "show", "a.zarr", "--dtype", "f4"], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is a Zarr array: its zarr.json gives dtype"), "{}", text(&out.stderr));
}

#[test]
fn the_demo_on_a_zarr_array_prints_the_file_sessions_transcript_and_stores_numpys_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = succeeded(&wasm_memmap(&["--no-cache", "demo"], dir.path(), &[]), "demo");
    let zarr =
        succeeded(&wasm_memmap(&["--no-cache", "demo", "--zarr", "mymmap.zarr"], dir.path(), &[]), "demo --zarr");
    assert_eq!(zarr, file);
    // zarr-python reads the whole array as numpy's memmap of the file session holds it, bit for
    // bit, and only the 10 chunks rows 0-4 touch are stored.
    let check = numpy::run_in(
        r"
import os, zarr
z = zarr.open_array('mymmap.zarr', mode='r')
m = np.memmap('mymmap', dtype='float64', mode='r', shape=(10000, 10000))
same = all(np.array_equal(z[r:r + 1000].view(np.uint64), m[r:r + 1000].view(np.uint64)) for r in range(0, 10000, 1000))
chunks = sum(len(files) for _, _, files in os.walk('mymmap.zarr/c'))
print(z.chunks, z.dtype, same, chunks)
",
        &[],
        dir.path(),
    );
    assert_eq!(check, "(1000, 1000) float64 True 10\n");
}

#[test]
fn a_region_confines_a_plugins_writes_to_its_block() {
    let dir = tempfile::tempdir().unwrap();
    numpy::run_in(
        "import zarr\nzarr.create_array('t.zarr', shape=(4000, 3000), chunks=(1000, 1000), dtype='f8')",
        &[],
        dir.path(),
    );
    let region = ["--no-cache", "run", "--dir", ".", "--region", "t.zarr[0:1000,1000:2000]", CHUNK_TASK, "--"];
    let run = |block: &str| {
        let args: Vec<&str> = region.iter().copied().chain(["t.zarr", block, "--write"]).collect();
        wasm_memmap(&args, dir.path(), &[])
    };
    let inside = succeeded(&run("0:1000,1000:2000"), "the task's own block");
    let outside = run("0:1000,0:1000");
    assert_eq!(outside.status.code(), Some(1));
    let err = text(&outside.stderr);
    assert!(err.contains("access-denied: ") && err.contains("[0:1000, 1000:2000]"), "{err}");
    // zarr-python sees np.arange's values in the block and zeros everywhere else; the task's sum
    // is numpy's.
    let expected = numpy::run_in(
        r"
import zarr, json
ref = np.zeros((4000, 3000))
ref[0:1000, 1000:2000] = np.arange(12_000_000, dtype='f8').reshape(4000, 3000)[0:1000, 1000:2000]
task = json.loads(sys.argv[1])
print(np.array_equal(zarr.open_array('t.zarr', mode='r')[...], ref), task['sum'] == ref[0:1000, 1000:2000].sum())
",
        &[inside.trim()],
        dir.path(),
    );
    assert_eq!(expected, "True True\n");
}

#[test]
fn a_region_makes_the_directory_read_only_to_wasi() {
    // The chunk at grid (1, 1) lies outside the region; `rng OUT ...` writes OUT through WASI
    // (`File::create`), as a plugin bypassing `memmap` would rewrite a chunk file.
    let dir = tempfile::tempdir().unwrap();
    numpy::run_in(
        "import zarr\nz = zarr.create_array('t.zarr', shape=(4, 4), chunks=(2, 2), dtype='f8')\nz[...] = 7.0",
        &[],
        dir.path(),
    );
    let chunk = dir.path().join("t.zarr/c/1/1");
    let before = std::fs::read(&chunk).unwrap();
    let write = |extra: &[&str]| {
        let args: Vec<&str> = ["--no-cache", "run", "--dir", "."]
            .into_iter()
            .chain(extra.iter().copied())
            .chain([RNG, "--", "t.zarr/c/1/1", "1", "raw:1"])
            .collect();
        wasm_memmap(&args, dir.path(), &[])
    };
    let refused = write(&["--region", "t.zarr[0:2,0:4]"]);
    assert!(!refused.status.success(), "a WASI write beneath a regioned array was allowed");
    assert!(text(&refused.stderr).contains("t.zarr/c/1/1"), "{}", text(&refused.stderr));
    assert_eq!(std::fs::read(&chunk).unwrap(), before);
    // Without a region the same write goes through: the refusal above is the region's.
    succeeded(&write(&[]), "a WASI write with no region");
    assert_eq!(std::fs::read(&chunk).unwrap().len(), 8);
}

#[test]
fn run_store_and_show_reach_an_array_on_s3() {
    let s3 = S3Server::start();
    let env = s3.env();
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("s3://{}/runs", s3.bucket());
    // A plugin names the granted prefix `/lake`: it creates an array there and fills a block.
    let ops = r#"[{"op": "create", "location": "/lake/a.zarr", "dtype": "float64", "shape": [30, 40], "chunks": [8, 16], "codecs": ["zstd"]},
                  {"op": "normal", "map": 0, "index": "3:20, 5:33", "seed": 42},
                  {"op": "flush", "map": 0},
                  {"op": "info", "map": 0}]"#;
    let store = format!("{prefix}::/lake");
    let out = wasm_memmap(&["--no-cache", "run", "--store", &store, ZARR, "--", ops], dir.path(), &env);
    let results: serde_json::Value = serde_json::from_str(&succeeded(&out, "run --store")).unwrap();
    assert_eq!(results[3]["info"]["chunks"], serde_json::json!([8, 16]), "{results}");
    assert!(results.as_array().unwrap().iter().all(|r| r.get("error").is_none()), "{results}");
    // `show` reads it back by its URL; numpy draws the same numbers into the same block.
    let shown =
        succeeded(&wasm_memmap(&["--no-cache", "show", &format!("{prefix}/a.zarr")], dir.path(), &env), "show s3");
    let expected = numpy::run(
        "a = np.zeros((30, 40))\na[3:20, 5:33] = np.random.default_rng(42).standard_normal((17, 28))\nprint(repr(a).replace('array(', 'memmap(').replace('\\n      ', '\\n       '))",
        &[],
    );
    assert_eq!(shown, expected);
    // A read-only grant refuses writing modes.
    let ro = wasm_memmap(
        &[
            "--no-cache",
            "run",
            "--ro-store",
            &store,
            ZARR,
            "--",
            r#"[{"op": "open", "location": "/lake/a.zarr", "mode": "r+"}]"#,
        ],
        dir.path(),
        &env,
    );
    let ro = succeeded(&ro, "run --ro-store");
    assert!(ro.contains(r#""error":["access-denied""#), "{ro}");
}

#[test]
fn show_on_a_store_that_never_answers_stops_at_its_timeout() {
    // The listener takes connections (the kernel's backlog) but never answers a request: without
    // an overall deadline each request would wait for the client's own 30 s timeout, and retry.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = wasm_memmap(
        &["--no-cache", "show", "s3://silent/a.zarr", "--timeout", "1"],
        dir.path(),
        &wasm_memmap_tests::s3::env_for(&endpoint),
    );
    let elapsed = started.elapsed();
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("s3://silent/a.zarr"), "{err}");
    // Compiling the reading plugin takes a few seconds; a request's own timeout alone is 30.
    assert!(elapsed < std::time::Duration::from_secs(25), "{elapsed:?}: {err}");
    drop(listener);
}
