//! Zero-copy windows (issue 13, part 3): a plugin maps a range of its file into its own memory
//! through the raw `window` bindings (`guest/test-programs/src/bin/window.rs`). The window must hold
//! exactly the file's bytes (numpy and the file are the oracles), write to the file only in modes
//! `r+`/`w+`, survive `memory.grow`, give zeros back when closed, and refuse every hostile buffer
//! with a clear error, including a file truncated under it (zeros and `io`, never a dead host).

use serde_json::{Value, json};
use wasm_memmap_guest_artifacts::test_programs::WINDOW;
use wasm_memmap_runner::testkit::Sandbox;
use wasm_memmap_runner::{MemmapLimits, Status};
use wasm_memmap_tests::numpy;

/// Runs `window ARGS` in `sandbox` and returns its JSON.
fn run(sandbox: &Sandbox, args: &[&str]) -> Value {
    let outcome = sandbox.run(WINDOW, args);
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}\n{}",
        outcome.status,
        outcome.stdout_text(),
        outcome.stderr_text()
    );
    serde_json::from_str(outcome.stdout_text().trim()).unwrap()
}

/// A file of `len` bytes of a pattern no two neighbouring pages share.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| u8::try_from((i * 7 + i / 4096) % 251).unwrap()).collect()
}

const PAGE: u64 = 65536;

/// The plan numpy's layout implies for bytes `[start, start + len)` of the file.
fn expected_plan(start: u64, len: u64) -> Value {
    let first = start / PAGE * PAGE;
    let end = (start + len).div_ceil(PAGE) * PAGE;
    json!({ "length": end - first, "align": PAGE, "data_offset": start - first, "data_length": len })
}

/// Through a window the plugin reads exactly the file's bytes of its selection, whatever the dtype,
/// byte order and offset; numpy's `tobytes()` of the same selection agrees. The selection may end
/// past the last whole page of the file (the rest of the window is zero pages, not a fault).
#[test]
fn a_window_reads_exactly_the_files_bytes() {
    let sandbox = Sandbox::new().windows();
    // (file, dtype, shape, file bytes, index, first byte, bytes)
    let cases: [(&str, &str, &str, usize, &str, u64, u64); 5] = [
        ("a.f8", "<f8", "100,300", 240_000, "3:7", 3 * 2400, 4 * 2400),
        ("b.i4", ">i4", "70000", 280_000, "20000:50000", 80_000, 120_000),
        ("c.u1", "uint8", "200000", 200_000, ":", 0, 200_000),
        ("d.c16", "<c16", "10,10,100", 160_000, "2,3", (2 * 1000 + 3 * 100) * 16, 100 * 16),
        ("e.f4", "<f4", "30000", 120_000, "-1", 29_999 * 4, 4),
    ];
    for (name, dtype, shape, file_bytes, index, start, len) in cases {
        let bytes = pattern(file_bytes);
        sandbox.write(name, &bytes);
        let v = run(&sandbox, &["read", name, dtype, shape, "r", index]);
        assert_eq!(v["plan"], expected_plan(start, len), "{name}: {v}");
        assert_eq!(v["open"], "ok", "{name}: {v}");
        let seen = sandbox.read(&format!("{name}.out"));
        let (s, l) = (usize::try_from(start).unwrap(), usize::try_from(len).unwrap());
        assert_eq!(seen, bytes[s..s + l], "{name}: the window's bytes are not the file's");
        let shape_py = format!("({shape},)");
        let from_numpy = numpy::run_in(
            "m = np.memmap(sys.argv[1], dtype=sys.argv[2], mode='r', shape=eval(sys.argv[3]))\nsys.stdout.write(eval('m[' + sys.argv[4] + ']').tobytes().hex())",
            &[name, dtype, &shape_py, index],
            sandbox.path(),
        );
        assert_eq!(from_numpy, hex(&seen), "{name}: numpy's bytes differ");
        assert_eq!(v["close"], json!({"code": "ok", "message": ""}), "{name}");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes through a window reach the file after `flush` in modes `r+` and `w+`, and never in mode
/// `r` (private pages); in every mode the buffer reads zero after `close`, and writing it then
/// changes nothing in the file. A mode `c` map has no windows (see
/// [`copy_on_write_maps_refuse_windows`]).
#[test]
fn writes_reach_the_file_only_in_r_plus_and_w_plus() {
    let sandbox = Sandbox::new().windows();
    let original = pattern(300 * 2400);
    for mode in ["r+", "w+", "r"] {
        let name = format!("w{}.f8", mode.replace('+', "p"));
        sandbox.write(&name, &original);
        let v = run(&sandbox, &["write", &name, "float64", "300,300", mode, "100:130", "66"]);
        let ok = json!({"code": "ok", "message": ""});
        assert_eq!(
            (&v["seen"], &v["flush"], &v["close"], &v["zeroed"]),
            (&json!(true), &ok, &ok, &json!(true)),
            "{mode}: {v}"
        );
        let after = sandbox.read(&name);
        let mut expected = if mode == "w+" { vec![0u8; original.len()] } else { original.clone() };
        if mode == "r+" || mode == "w+" {
            expected[100 * 2400..130 * 2400].fill(66);
        }
        assert!(after == expected, "{mode}: the file's bytes are wrong");
    }
}

/// A mode `c` map refuses `plan` and `open` as `unsupported`: its writes live in the host's own
/// private pages, which a second mapping of the file could not share, so a window would show the
/// file's bytes where numpy (`m = np.memmap(f, mode='c'); m[0] = 5; m[0]` is 5 through every
/// path) shows the written ones. The file is left as it was.
#[test]
fn copy_on_write_maps_refuse_windows() {
    let sandbox = Sandbox::new().windows();
    let original = pattern(300 * 2400);
    sandbox.write("wc.f8", &original);
    let v = run(&sandbox, &["write", "wc.f8", "float64", "300,300", "c", "100:130", "66"]);
    let refusal = json!({"code": "unsupported", "message": "windows are not supported on mode 'c' (copy-on-write) maps: writes through a copy-on-write map live in its own private pages, which no second mapping can share; use read-bytes and write-bytes"});
    assert_eq!((&v["plan"], &v["open"]), (&refusal, &refusal), "{v}");
    assert!(sandbox.read("wc.f8") == original, "the file is unchanged");
}

/// `memory.grow` by 64 MiB while a window is open works, and the window keeps the file's bytes.
#[test]
fn memory_grow_keeps_working_while_a_window_is_open() {
    let sandbox = Sandbox::new().windows();
    sandbox.write("g.f8", &pattern(250_000 * 8));
    let v = run(&sandbox, &["grow", "g.f8"]);
    assert_eq!((&v["before"], &v["after"]), (&json!(true), &json!(true)), "{v}");
    assert!(v["grew_pages"].as_u64().unwrap() >= 512, "{v}");
    assert_eq!(v["close"]["code"], "ok");
}

/// Every hostile buffer and selection is refused with a clear `invalid-argument` naming what is
/// wrong; a refused call changes nothing (the next good window opens).
#[test]
fn hostile_windows_are_refused() {
    let sandbox = Sandbox::new().windows();
    sandbox.write("h.f8", &pattern(3 * 65536));
    let v = run(&sandbox, &["hostile", "h.f8"]);
    let cases: std::collections::HashMap<String, (String, String)> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["case"].as_str().unwrap().to_owned(),
                (c["code"].as_str().unwrap().to_owned(), c["message"].as_str().unwrap().to_owned()),
            )
        })
        .collect();
    let invalid = |m: &str| ("invalid-argument".to_owned(), m.to_owned());
    let ok = ("ok".to_owned(), String::new());
    let len = 3 * 65536;
    let wrong = |n: u64| {
        invalid(&format!(
            "the window's buffer is {n} bytes long, but a window over this selection needs exactly {len} bytes (window.plan's length)"
        ))
    };
    assert_eq!(cases["short"], wrong(len - 65536));
    assert_eq!(cases["long"], wrong(len + 65536));
    assert_eq!(cases["empty"], wrong(0));
    for (name, off) in [("unaligned-4096", 4096), ("unaligned-8", 8)] {
        let (code, message) = &cases[name];
        assert_eq!(code, "invalid-argument", "{name}");
        assert!(
            message.starts_with("the window's buffer starts at address ")
                && message.ends_with(", which is not a multiple of 65536 (window.plan's align)"),
            "{name}: {message}"
        );
        let at: u64 = message
            .trim_start_matches("the window's buffer starts at address ")
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(at % 65536, off, "{name}");
    }
    for name in ["overlap-same", "overlap-shifted"] {
        let (code, message) = &cases[name];
        assert_eq!(code, "invalid-argument", "{name}");
        assert!(
            message.starts_with("the window's buffer overlaps the open window at address ")
                && message.ends_with(&format!(" ({len} bytes); close that one first or use another buffer")),
            "{name}: {message}"
        );
    }
    assert_eq!(cases["beside"], ok);
    let strided = "a window maps one contiguous run of the file, and this selection (shape (12288,), strides (16,)) is not C-contiguous: read it with read-bytes, or open a window over a contiguous view";
    assert_eq!(cases["plan-strided"], invalid(strided));
    assert_eq!(cases["open-strided"], invalid(strided));
    assert_eq!(
        cases["plan-reversed"],
        invalid(
            "a window maps one contiguous run of the file, and this selection (shape (24576,), strides (-8,)) is not C-contiguous: read it with read-bytes, or open a window over a contiguous view"
        )
    );
    assert_eq!(
        cases["plan-empty"],
        invalid(
            "a window maps one contiguous run of the file, and this selection (shape (0,), strides (8,)) has no elements: read it with read-bytes, or open a window over a contiguous view"
        )
    );
    assert_eq!(cases["close"], ok);
    assert_eq!(cases["flush-after-close"], invalid("this window was closed; open a new one"));
    assert_eq!(cases["close-again"], ok);
    assert_eq!(cases["reopen"], ok);
    let closed = "'h.f8' was closed; this map and every view of it cannot be used any more (mmap closed or invalid): open it again";
    assert_eq!(cases["plan-closed-map"], invalid(closed));
    assert_eq!(cases["open-closed-map"], invalid(closed));
}

/// Without windows enabled (the default runner), `plan` and `open` answer `unsupported`.
#[test]
fn windows_not_enabled_are_unsupported() {
    let sandbox = Sandbox::new();
    sandbox.write("u.f8", &pattern(65536));
    let v = run(&sandbox, &["read", "u.f8", "float64", "8192", "r", ":"]);
    let unsupported = json!({"code": "unsupported", "message": "windows are not enabled for this plugin (the host runs it without them): use read-bytes and write-bytes"});
    assert_eq!((&v["plan"], &v["open"]), (&unsupported, &unsupported), "{v}");
}

/// A file truncated under a window: the plugin's own loads past the new end read zeros, the host
/// lives, and the next call on the window and on its map is `io` naming the file; closing still
/// gives the buffer back.
#[test]
fn truncation_under_a_window_touched_by_wasm_code() {
    truncation("wasm");
}

/// The same when the host's own code touches the truncated pages first (a WASI write whose source
/// is the window).
#[test]
fn truncation_under_a_window_touched_by_host_code() {
    truncation("host");
}

fn truncation(who: &str) {
    let sandbox = Sandbox::new().windows();
    let values: Vec<f64> = (0..3 * 8192).map(f64::from).collect();
    sandbox.write_array("t.f8", &values);
    let v = run(&sandbox, &["truncate", "t.f8", who]);
    let first: f64 = (0..8192).map(f64::from).sum();
    assert_eq!(v["first_page"], json!(first), "{v}");
    assert_eq!(v["second_page"], json!(0.0), "{v}");
    assert_eq!(v["zeros"], json!(true), "{v}");
    if who == "host" {
        assert_eq!(v["host_write"], json!(true), "{v}");
        assert_eq!(sandbox.read("copy.bin").len(), 3 * 65536);
    }
    let io = json!({"code": "io", "message": "'t.f8' was truncated to 65536 bytes while mapped; the array needs 196608 bytes of it, so it cannot be read or written any more"});
    assert_eq!(v["flush"], io, "{v}");
    assert_eq!(v["map_read"], io, "{v}");
    assert_eq!(v["close"], io, "{v}");
    assert_eq!(v["close_again"], json!({"code": "ok", "message": ""}), "{v}");
    assert_eq!(std::fs::metadata(sandbox.path().join("t.f8")).unwrap().len(), 65536, "the host grew the file back");
}

/// Windows count as handles: past the limit the next is `limit-exceeded`, and closing one makes room.
#[test]
fn too_many_windows_are_refused() {
    let sandbox = Sandbox::new().windows().limits(MemmapLimits { max_handles: 6, ..MemmapLimits::default() });
    sandbox.write("m.u1", &pattern(1000));
    let v = run(&sandbox, &["many", "m.u1"]);
    // The map is one handle; five windows fill the limit.
    assert_eq!(v["opened"], json!(5), "{v}");
    assert_eq!(
        v["refused"],
        json!({"code": "limit-exceeded", "message": "another window would make 7 live handles, over the limit of 6; drop handles you no longer need"})
    );
    assert_eq!(v["after_close"]["code"], "ok", "{v}");
}

/// One plugin may hold at most 256 windows, whatever its handle limit: the process-wide table of
/// 4096 is shared by every plugin of the host, and one must not take it all.
#[test]
fn one_plugin_cannot_take_every_window_of_the_host() {
    let sandbox = Sandbox::new().windows().limits(MemmapLimits { max_handles: 10_000, ..MemmapLimits::default() });
    sandbox.write("p.u1", &pattern(1000));
    let v = run(&sandbox, &["many", "p.u1"]);
    assert_eq!(v["opened"], json!(256), "{v}");
    assert_eq!(
        v["refused"],
        json!({"code": "limit-exceeded", "message": "another window would make 257 windows open in this plugin, over its limit of 256; close windows you no longer need"})
    );
    assert_eq!(v["after_close"]["code"], "ok", "{v}");
}

/// A window counts as a transfer of its length (wasmtime charges the buffer's list against the
/// call's hostcall fuel): past the transfer limit `plan` and `open` are `limit-exceeded`, and the
/// call never reaches wasmtime's trap.
#[test]
fn a_window_longer_than_the_transfer_limit_is_refused() {
    let sandbox =
        Sandbox::new().windows().limits(MemmapLimits { max_transfer_bytes: 131_072, ..MemmapLimits::default() });
    sandbox.write("l.f8", &pattern(3 * 65536));
    let v = run(&sandbox, &["read", "l.f8", "float64", "24576", "r", ":"]);
    let over = json!({"code": "limit-exceeded", "message": "a window of 196608 bytes is over the limit of 131072 bytes per call; move the data in smaller selections"});
    assert_eq!((&v["plan"], &v["open"]), (&over, &over), "{v}");
    let v = run(&sandbox, &["read", "l.f8", "float64", "24576", "r", "8192:16384"]);
    assert_eq!(v["open"], "ok", "{v}");
}
