//! A flush means on disk, and a plugin's files, copy-on-write pages and WASI handles are bounded.
//!
//! - `flush` after `create-npy`, `w+` or an `r+` growth syncs the file (its size and header) and, for
//!   a new file, its directory, even with no element written; the instance's teardown syncs what
//!   no flush did. Counted with [`MemmapStats`] in an embedding that reads them after the plugin's
//!   `main` returned and before the teardown, so the counts are `flush`'s own.
//! - `max_total_file_bytes` bounds the bytes all `w+`/`r+`/`create-npy` opens add together.
//! - `max_copy_on_write_bytes` bounds what is mapped with mode `c`.
//! - `max_wasi_handles`: opening past it is an error in the plugin, not a trap.

use std::collections::HashMap;
use std::path::Path;

use wasm_memmap_guest_artifacts::test_programs::DURABLE;
use wasm_memmap_host::{FsPerms, MemmapCtx, MemmapLimits, MemmapStats, WasmMemmap};
use wasm_memmap_runner::testkit::{config, run_config, run_limited, runner};
use wasm_memmap_runner::{DirGrant, Status};
use wasm_memmap_tests::numpy;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

struct Host {
    wasi: WasiCtx,
    memmap: MemmapCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// What the syncs counted: `(file fsyncs, directory fsyncs, msyncs)`.
fn counts(stats: &MemmapStats) -> (u64, u64, u64) {
    (stats.file_syncs(), stats.dir_syncs(), stats.flushes())
}

/// Runs `durable sync CASE` in `dir` as the README's embedding does; returns the counts once
/// `main` has returned (the plugin still holds its handle) and again after the teardown.
fn run_sync(engine: &Engine, component: &Component, case: &str, dir: &Path) -> ((u64, u64, u64), (u64, u64, u64)) {
    let mut linker = Linker::<Host>::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    wasm_memmap_host::add_to_linker(&mut linker, |h: &mut Host| WasmMemmap::new(&mut h.memmap, &mut h.table)).unwrap();
    let memmap = MemmapCtx::builder().preopened_dir(dir, ".", FsPerms::ReadWrite).unwrap().build();
    let stats = memmap.stats();
    let out = MemoryOutputPipe::new(1 << 16);
    let wasi = WasiCtxBuilder::new()
        .args(&["durable", "sync", case])
        .preopened_dir(dir, ".", FsPerms::ReadWrite)
        .unwrap()
        .stdout(out.clone())
        .inherit_stderr()
        .build();
    let mut store = Store::new(engine, Host { wasi, memmap, table: ResourceTable::new() });
    let command = Command::instantiate(&mut store, component, &linker).unwrap();
    let ran = command.wasi_cli_run().call_run(&mut store).unwrap();
    let printed = String::from_utf8(out.contents().to_vec()).unwrap();
    assert!(ran.is_ok() && printed.contains(r#""code":"ok""#), "{case}: {printed}");
    let before_teardown = counts(&stats);
    drop(store);
    (before_teardown, counts(&stats))
}

/// numpy makes the same files: `open_memmap(w+)`, `memmap(w+)` over nothing and over an old file,
/// and `memmap(r+)` growing a short one (numpy's `fid.seek(bytes - 1); fid.write(b'\0')`).
const NUMPY_FILES: &str = r#"
import os
os.chdir(sys.argv[1])
m = np.lib.format.open_memmap('made.npy', mode='w+', dtype='<f8', shape=(3, 4)); m.flush(); del m
m = np.memmap('new.u1', dtype='u1', mode='w+', shape=(3 * 4096,)); m.flush(); del m
with open('old.u1', 'wb') as f: f.write(b'\xab' * 100)
m = np.memmap('old.u1', dtype='u1', mode='w+', shape=(3 * 4096,)); m.flush(); del m
with open('short.f8', 'wb') as f: f.write(np.array([1.5]).tobytes())
m = np.memmap('short.f8', dtype='<f8', mode='r+', shape=(100,)); m.flush(); del m
"#;

#[test]
fn flush_syncs_a_new_or_grown_file_and_its_directory_with_no_element_written() {
    let engine = Engine::default();
    let component = Component::from_file(&engine, DURABLE).unwrap();
    let theirs = tempfile::tempdir().unwrap();
    numpy::run(NUMPY_FILES, &[theirs.path().to_str().unwrap()]);

    // (case, file it makes, counts after `flush`: file fsyncs, directory fsyncs, msyncs).
    let cases = [
        ("create-npy", "made.npy", (1, 1, 0)),
        ("w+", "new.u1", (1, 1, 0)),
        ("w+-existing", "old.u1", (1, 0, 0)),
        ("r+", "short.f8", (1, 0, 0)),
        ("r+-fits", "short.f8", (0, 0, 0)),
    ];
    for (case, file, after_flush) in cases {
        let ours = tempfile::tempdir().unwrap();
        std::fs::write(ours.path().join("old.u1"), [0xab; 100]).unwrap();
        std::fs::write(ours.path().join("short.f8"), 1.5f64.to_le_bytes()).unwrap();
        let (before_teardown, after_teardown) = run_sync(&engine, &component, case, ours.path());
        assert_eq!(before_teardown, after_flush, "{case}: syncs made by flush (file, directory, msync)");
        assert_eq!(after_teardown, after_flush, "{case}: the teardown found something left to sync");
        let got = std::fs::read(ours.path().join(file)).unwrap();
        let want = if case == "r+-fits" {
            1.5f64.to_le_bytes().to_vec()
        } else {
            std::fs::read(theirs.path().join(file)).unwrap()
        };
        assert!(got == want, "{case}: {file} differs from numpy's ({} vs {} bytes)", got.len(), want.len());
    }

    // Without a flush, the teardown syncs the new file and its directory.
    let ours = tempfile::tempdir().unwrap();
    let (before_teardown, after_teardown) = run_sync(&engine, &component, "create-npy-unflushed", ours.path());
    assert_eq!((before_teardown, after_teardown), ((0, 0, 0), (1, 1, 0)));
    assert!(
        std::fs::read(ours.path().join("made.npy")).unwrap() == std::fs::read(theirs.path().join("made.npy")).unwrap()
    );
}

/// The JSON lines `{"case", "done", "code", "message"}` by case.
fn steps(out: &str) -> HashMap<String, (u64, String, String)> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (s("case"), (v["done"].as_u64().unwrap_or_default(), s("code"), s("message")))
        })
        .collect()
}

fn ok() -> (u64, String, String) {
    (0, "ok".into(), String::new())
}

fn limit(message: &str) -> (u64, String, String) {
    (0, "limit-exceeded".into(), message.into())
}

#[test]
fn the_total_quota_bounds_what_all_files_add_together() {
    let dir = tempfile::tempdir().unwrap();
    let limits = MemmapLimits { max_total_file_bytes: 10_000, ..MemmapLimits::default() };
    let outcome = run_limited(DURABLE, &["total"], dir.path(), FsPerms::ReadWrite, limits);
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let got = steps(&outcome.stdout_text());
    let over = |path: &str, size: u64, added: u64, total: u64, mode: &str| {
        limit(&format!(
            "mode '{mode}' would make '{path}' {size} bytes long, adding {added} bytes to the files this plugin made or grew, {total} bytes in total, over the limit of 10000 bytes in total; map a smaller shape or write fewer files"
        ))
    };
    assert_eq!(got["a"], ok());
    assert_eq!(got["b"], ok());
    assert_eq!(got["c"], over("c.u1", 4000, 4000, 12000, "w+"));
    assert_eq!(got["a-again"], ok());
    assert_eq!(got["b-same"], ok());
    assert_eq!(got["b-grown"], ok());
    assert_eq!(got["a-grown"], over("a.u1", 4001, 1, 10001, "r+"));
    // numpy's header for '<f8', shape (1,) is 128 bytes, then 8 bytes of data.
    assert_eq!(got["npy"], over("c.npy", 136, 136, 10136, "w+"));
    assert_eq!(outcome.stats.file_bytes_added(), 10_000);
    // Refused before anything was made or changed.
    assert!(!dir.path().join("c.u1").exists() && !dir.path().join("c.npy").exists());
    let sizes = ["a.u1", "b.u1"].map(|f| std::fs::metadata(dir.path().join(f)).unwrap().len());
    assert_eq!(sizes, [4000, 6000]);
}

#[test]
fn copy_on_write_maps_are_bounded_apart_from_other_maps() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.u1"), vec![7u8; 2 << 20]).unwrap();
    let limits = MemmapLimits { max_copy_on_write_bytes: 1 << 20, ..MemmapLimits::default() };
    let outcome = run_limited(DURABLE, &["copy-on-write"], dir.path(), FsPerms::ReadOnly, limits);
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let got = steps(&outcome.stdout_text());
    let over = |bytes: u64, total: u64| {
        limit(&format!(
            "mapping {bytes} more bytes copy-on-write (mode 'c') would make {total} bytes mapped copy-on-write at once, over the limit of 1048576; pages written in such a map become host memory: map a smaller part, drop maps you no longer need, or use mode 'r' to only read"
        ))
    };
    assert_eq!(got["first"], ok());
    assert_eq!(got["one-more-byte"], over(1, (1 << 20) + 1));
    assert_eq!(got["read-only"], ok());
    assert_eq!(got["whole-file"], over(2 << 20, 2 << 20));
    assert_eq!(got["after-dropping"], ok());
    assert_eq!(outcome.stats.copy_on_write_bytes(), 0);
}

#[test]
fn opening_past_the_wasi_handle_limit_is_an_error_and_the_plugin_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.txt"), b"x").unwrap();
    let grant = DirGrant { host: dir.path().to_path_buf(), guest: ".".into(), perms: FsPerms::ReadOnly };
    let mut config = config(DURABLE, &["descriptors"], vec![grant]);
    config.instance.max_wasi_handles = 32;
    let outcome = run_config(runner(), DURABLE, &config);
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    let lines: Vec<serde_json::Value> =
        outcome.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // 32 handles: the granted directory and 31 files; the 32nd file gets ENOMEM (48 in WASI's
    // numbering), WASI 0.2 having no "too many open files".
    assert_eq!(lines[0], serde_json::json!({ "case": "opened", "done": 31, "kind": "OutOfMemory", "errno": 48 }));
    assert_eq!(steps(&outcome.stdout_text())["memmap-at-limit"], ok());
    assert_eq!(lines[2], serde_json::json!({ "case": "after-closing", "ok": true }));
}
