//! A hostile plugin tries to escape its grants, overflow the host's arithmetic, exhaust its
//! limits and break its handles. Every attack gets the exact error or trap expected, nothing
//! outside the grants changes, and the host runs the next plugin afterwards.

use std::collections::BTreeMap;
use std::path::PathBuf;

use wasm_memmap_guest_artifacts::test_programs::HOSTILE;
use wasm_memmap_host::{FsPerms, MemmapLimits};
use wasm_memmap_runner::testkit::{config, read_array, run_config, runner};
use wasm_memmap_runner::{DirGrant, Outcome, Status, Stop};
use wasm_memmap_tests::numpy;

/// The sandbox the module documentation of `hostile.rs` describes.
struct Sandbox {
    top: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let top = tempfile::tempdir().unwrap();
        let grant = top.path().join("grant");
        let ro = top.path().join("ro");
        std::fs::create_dir_all(grant.join("sub")).unwrap();
        std::fs::create_dir(&ro).unwrap();
        std::fs::write(grant.join("small.f8"), 2.5f64.to_le_bytes()).unwrap();
        std::fs::write(ro.join("frozen.f8"), 4.0f64.to_le_bytes()).unwrap();
        std::fs::write(top.path().join("outside.f8"), 1.0f64.to_le_bytes()).unwrap();
        let fifo = grant.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink("../outside.f8", grant.join("link-out")).unwrap();
        std::os::unix::fs::symlink(top.path().join("outside.f8"), grant.join("link-abs")).unwrap();
        std::os::unix::fs::symlink("..", grant.join("dir-out")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", grant.join("dev-zero")).unwrap();
        let npy = |header: &str| {
            let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
            let padded = format!("{header:<118}\n");
            bytes.extend_from_slice(&u16::try_from(padded.len()).unwrap().to_le_bytes());
            bytes.extend_from_slice(padded.as_bytes());
            bytes
        };
        let f8_header = |shape: &str| npy(&format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"));
        let mut good = f8_header("(1,)");
        good.extend_from_slice(&4.0f64.to_le_bytes());
        std::fs::write(ro.join("good.npy"), good).unwrap();
        std::fs::write(grant.join("npy-bad-magic.npy"), b"\x93NUMPX\x01\x00\x76\x00").unwrap();
        let mut past_end = b"\x93NUMPY\x01\x00".to_vec();
        past_end.extend_from_slice(&u16::MAX.to_le_bytes());
        past_end.extend_from_slice(b"{'descr': '<f8'");
        std::fs::write(grant.join("npy-header-past-end.npy"), past_end).unwrap();
        std::fs::write(grant.join("npy-shape-overflows.npy"), f8_header("(18446744073709551615, 16)")).unwrap();
        std::fs::write(grant.join("npy-negative-shape.npy"), f8_header("(-1,)")).unwrap();
        std::fs::write(grant.join("npy-not-a-dict.npy"), npy("[1, 2, 3]")).unwrap();
        // A device inside the grant needs CAP_MKNOD (root in most containers); without it the
        // attack meets a missing file instead.
        let _ = std::process::Command::new("mknod").arg(grant.join("null")).args(["c", "1", "3"]).status();
        Self { top }
    }

    fn grant(&self) -> PathBuf {
        self.top.path().join("grant")
    }

    fn dirs(&self) -> Vec<DirGrant> {
        vec![
            DirGrant { host: self.grant(), guest: ".".into(), perms: FsPerms::ReadWrite },
            DirGrant { host: self.top.path().join("ro"), guest: "/ro".into(), perms: FsPerms::ReadOnly },
        ]
    }

    fn run(&self, attack: &str) -> Outcome {
        let mut config = config(HOSTILE, &[attack], self.dirs());
        config.limits = MemmapLimits {
            max_handles: 1000,
            max_mapped_bytes: 16 << 20,
            max_file_size_bytes: 1 << 20,
            max_transfer_bytes: 64 << 10,
            ..MemmapLimits::default()
        };
        run_config(runner(), HOSTILE, &config)
    }
}

fn lines(outcome: &Outcome) -> BTreeMap<String, (String, String)> {
    outcome
        .stdout_text()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            (s("case"), (s("code"), s("message")))
        })
        .collect()
}

fn escape(path: &str, grant: &str) -> (String, String) {
    ("access-denied".into(), format!("path '{path}' leads outside its granted directory '{grant}'"))
}

fn err(code: &str, message: &str) -> (String, String) {
    (code.into(), message.into())
}

fn ok() -> (String, String) {
    err("ok", "")
}

/// numpy mapping the malformed `.npy` files (`open_memmap`, which `np.load(mmap_mode=...)` uses once it
/// has seen the magic string), through `numpy::messages`.
const NPY_SCRIPT: &str = r#"
import os
os.chdir(sys.argv[1])
cases = {
    case: (lambda case=case: np.lib.format.open_memmap(case + ".npy", mode="r"))
    for case in ["npy-bad-magic", "npy-negative-shape", "npy-not-a-dict"]
}
"#;

#[test]
fn every_attack_gets_its_error() {
    let sandbox = Sandbox::new();
    let outcome = sandbox.run("suite");
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    let mut got = lines(&outcome);
    let mut expect = |case: &str, want: (String, String)| {
        let have = got.remove(case).unwrap_or_else(|| panic!("no result for {case}"));
        assert_eq!(have, want, "{case}");
    };
    let too_big = "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.";
    let read_only_grant = |mode: &str, path: &str| {
        err(
            "access-denied",
            &format!(
                "path '{path}' is in the read-only grant '/ro'; mode '{mode}' needs a read-write grant; modes 'r' and 'c' work here"
            ),
        )
    };
    let quota = |what: &str| {
        err(
            "limit-exceeded",
            &format!(
                "{what} of 1048576 bytes is over the limit of 65536 bytes per call; move the data in smaller selections"
            ),
        )
    };
    let file_quota = |mode: &str, path: &str| {
        err(
            "limit-exceeded",
            &format!(
                "mode '{mode}' would make '{path}' 1048577 bytes long, over the limit of 1048576 bytes per file; map a smaller shape"
            ),
        )
    };
    let device = if sandbox.grant().join("null").exists() {
        err("invalid-argument", "'null' is not a regular file and cannot be memory-mapped")
    } else {
        err("not-found", "[Errno 2] No such file or directory: 'null'")
    };

    // Paths: every way out is refused and names the grant; ways that stay inside work.
    expect("dotdot", escape("../outside.f8", "."));
    expect("dotdot-inside-path", escape("sub/../../outside.f8", "."));
    expect("dotdot-that-stays-inside", ok());
    expect(
        "absolute",
        err("access-denied", "path '/etc/passwd' is not inside a granted directory (granted: '.', '/ro')"),
    );
    expect("absolute-dotdot-out-of-ro", escape("/ro/../outside.f8", "/ro"));
    expect("symlink-relative-out", escape("link-out", "."));
    expect("symlink-absolute-out", escape("link-abs", "."));
    expect("symlink-dir-out", escape("dir-out/outside.f8", "."));
    expect("symlink-to-device", escape("dev-zero", "."));
    expect("fifo", err("invalid-argument", "'fifo' is not a regular file and cannot be memory-mapped"));
    expect("device-in-grant", device);
    expect("directory-r", err("invalid-argument", "[Errno 21] Is a directory: 'sub'"));
    expect("directory-w+", err("invalid-argument", "[Errno 21] Is a directory: 'sub'"));
    expect("empty-path", err("invalid-argument", "[Errno 21] Is a directory: ''"));
    expect("nul-in-path", err("invalid-argument", "[Errno 22] Invalid argument: 'small.f8\0../outside.f8'"));
    expect("wasi-hardlink-out", err("io", "WASI: Operation not permitted (os error 63)"));

    // Grants: a read-only grant maps with `r` and `c` only, and WASI cannot write there either.
    expect("r+-in-read-only-grant", read_only_grant("r+", "/ro/frozen.f8"));
    expect("w+-in-read-only-grant", read_only_grant("w+", "/ro/frozen.f8"));
    expect("w+-new-file-in-read-only-grant", read_only_grant("w+", "/ro/new.f8"));
    expect("c-in-read-only-grant", ok());
    expect("wasi-write-in-read-only-grant", err("io", "WASI: Operation not permitted (os error 63)"));
    expect("write-through-r", err("read-only", "assignment destination is read-only"));
    expect("fill-through-r-view", err("read-only", "assignment destination is read-only"));

    // Arithmetic: sizes, offsets and indices that overflow are typed errors naming the values.
    expect(
        "shape-product-overflows-u64",
        err(
            "overflow",
            &format!(
                "{too_big} (shape (4611686018427387904, 4) with itemsize 8 needs 147573952589676412928 bytes; the maximum is 9223372036854775807)"
            ),
        ),
    );
    expect(
        "shape-product-overflows-with-itemsize",
        err(
            "overflow",
            &format!(
                "{too_big} (shape (1152921504606846976,) with itemsize 16 needs 18446744073709551616 bytes; the maximum is 9223372036854775807)"
            ),
        ),
    );
    expect("shape-of-zeros-and-huge", err("overflow", too_big));
    expect(
        "offset-huge",
        err("overflow", "offset 18446744073709551615 is larger than the maximum file offset 9223372036854775807"),
    );
    expect(
        "offset-plus-size-overflows",
        err("overflow", "offset 18446744073709551608 is larger than the maximum file offset 9223372036854775807"),
    );
    expect(
        "too-many-axes",
        err("invalid-argument", "maximum supported dimension for an ndarray is currently 64, found 100"),
    );
    for (axis, len) in [(0, 5), (1, 6), (2, 7)] {
        let oob =
            |i: i64| err("index-out-of-bounds", &format!("index {i} is out of bounds for axis {axis} with size {len}"));
        expect(&format!("index-past-end-axis-{axis}"), oob(len));
        expect(&format!("negative-index-past-start-axis-{axis}"), oob(-len - 1));
        expect(&format!("index-i64-min-axis-{axis}"), oob(i64::MIN));
        expect(&format!("zero-step-axis-{axis}"), err("invalid-argument", "slice step cannot be zero"));
        expect(&format!("huge-step-axis-{axis}"), ok());
        expect(&format!("i64-min-step-axis-{axis}"), ok());
        expect(&format!("extreme-bounds-backwards-axis-{axis}"), ok());
    }
    expect(
        "too-many-indices",
        err("index-out-of-bounds", "too many indices for array: array is 3-dimensional, but 100000 were indexed"),
    );
    expect("two-ellipses", err("index-out-of-bounds", "an index can only have a single ellipsis ('...')"));
    expect(
        "new-axes-without-end",
        err("index-out-of-bounds", "number of dimensions must be within [0, 64], indexing result would have 100003"),
    );
    expect(
        "data-shape-overflows",
        err("overflow", "data shape (18446744073709551615, 18446744073709551615, 4) overflows"),
    );
    expect("data-shape-lies", err("mismatch", "4 values were given but data-shape (5, 6, 7) holds 210"));
    expect("views-of-views-strides", ok());

    // Handles and quotas: each limit is a typed error the plugin carries on from.
    expect("view-outlives-parent", ok());
    expect(
        "thousands-of-handles-999-made",
        err(
            "limit-exceeded",
            "another memmap handle would make 1001 live handles, over the limit of 1000; drop handles you no longer need",
        ),
    );
    expect("file-past-size-quota-w+", file_quota("w+", "big.u1"));
    expect("file-past-size-quota-r+", file_quota("r+", "grow.u1"));
    expect("file-past-size-quota-by-offset", file_quota("w+", "offset.u1"));
    expect(
        "mapped-past-quota-16-made",
        err(
            "limit-exceeded",
            "mapping 1048576 more bytes would make 17825792 bytes mapped at once, over the limit of 16777216; drop maps you no longer need or map a smaller part (shape and offset)",
        ),
    );
    expect("read-past-transfer-quota", quota("a read"));
    expect("write-past-transfer-quota", quota("a write"));
    expect("fill-past-transfer-quota", quota("a write"));
    expect(
        "truncated-through-wasi-while-mapped",
        err(
            "io",
            "'shrink.f8' was truncated to 8 bytes while mapped; the array needs 32768 bytes of it, so it cannot be read or written any more",
        ),
    );
    // Malformed `.npy` headers: numpy's own refusal of the same bytes.
    let grant_dir = sandbox.grant();
    let numpy: BTreeMap<String, Option<String>> =
        serde_json::from_str(&numpy::messages(NPY_SCRIPT, &[grant_dir.to_str().unwrap()])).unwrap();
    for (case, message) in &numpy {
        let message = message.as_deref().unwrap_or_else(|| panic!("numpy loaded {case}"));
        expect(case, err("invalid-argument", message));
    }
    // numpy's `open_memmap` reads the 65535 header bytes first and reports the short file; the host
    // refuses the length before reading, with numpy's `max_header_size` message (10,000 bytes).
    expect(
        "npy-header-past-end",
        err(
            "invalid-argument",
            "Header info length (65535) is large and may not be safe to load securely.\nTo allow loading, adjust `max_header_size` or fully trust the `.npy` file using `allow_pickle=True`.\nFor safety against large resource use or crashes, sandboxing may be necessary.",
        ),
    );
    expect(
        "npy-shape-overflows",
        err(
            "overflow",
            &format!(
                "{too_big} (shape (18446744073709551615, 16) with itemsize 8 needs 2361183241434822606720 bytes; the maximum is 9223372036854775807)"
            ),
        ),
    );
    expect("npy-r+-in-read-only-grant", read_only_grant("r+", "/ro/good.npy"));
    expect("after", ok());
    assert!(got.is_empty(), "attacks without an expected outcome: {got:?}");

    // Nothing outside the grants changed, nothing refused was created or grown, and the host
    // released every handle and mapping.
    let top = sandbox.top.path();
    assert_eq!(std::fs::read(top.join("outside.f8")).unwrap(), 1.0f64.to_le_bytes());
    assert_eq!(std::fs::read(top.join("ro/frozen.f8")).unwrap(), 4.0f64.to_le_bytes());
    assert!(std::fs::read(top.join("ro/good.npy")).unwrap().ends_with(&4.0f64.to_le_bytes()));
    assert_eq!(std::fs::read_dir(top.join("ro")).unwrap().count(), 2, "a file appeared in the read-only grant");
    let grant = sandbox.grant();
    assert_eq!(std::fs::read(grant.join("small.f8")).unwrap(), 2.5f64.to_le_bytes());
    for never in ["big.u1", "offset.u1", "huge.f8", "huge.c16", "made-hard", "axes.f8"] {
        assert!(!grant.join(never).exists(), "{never} was created");
    }
    assert_eq!(std::fs::metadata(grant.join("grow.u1")).unwrap().len(), 10);
    assert_eq!((outcome.stats.live_handles(), outcome.stats.live_maps(), outcome.stats.mapped_bytes()), (0, 0, 0));
}

/// A file swapped for a symbolic link out of the grant and back, thousands of times while the
/// plugin opens it: no open ever reads the outside file.
#[test]
fn a_file_swapped_for_a_symlink_never_leads_out() {
    let sandbox = Sandbox::new();
    let grant = sandbox.grant();
    std::fs::write(grant.join("swap.f8"), 2.5f64.to_le_bytes()).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (grant, stop) = (grant.clone(), std::sync::Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut swaps = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // rename(2) replaces the path atomically: it is always a file or a link.
                std::fs::write(grant.join("file.tmp"), 2.5f64.to_le_bytes()).unwrap();
                std::fs::rename(grant.join("file.tmp"), grant.join("swap.f8")).unwrap();
                let _ = std::fs::remove_file(grant.join("link.tmp"));
                std::os::unix::fs::symlink("../outside.f8", grant.join("link.tmp")).unwrap();
                std::fs::rename(grant.join("link.tmp"), grant.join("swap.f8")).unwrap();
                swaps += 1;
            }
            swaps
        })
    };
    let outcome = sandbox.run("swap-loop");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let v: serde_json::Value = serde_json::from_str(outcome.stdout_text().trim()).unwrap();
    assert_eq!(v["other"], serde_json::json!([]), "an open saw something else ({swaps} swaps)");
    let (inside, refused) = (v["inside"].as_u64().unwrap(), v["refused"].as_u64().unwrap());
    println!("{swaps} swaps: {inside} opens read the file inside, {refused} were refused as escapes");
    assert!(swaps > 0 && inside + refused > 0);
    assert_eq!(std::fs::read(sandbox.top.path().join("outside.f8")).unwrap(), 1.0f64.to_le_bytes());
}

/// The attacks the host must stop with a trap; after each the same runner serves the next plugin.
#[test]
fn attacks_that_must_trap_stop_cleanly() {
    let sandbox = Sandbox::new();
    let grant = sandbox.grant();

    let mut config = config(HOSTILE, &["grow-memory"], sandbox.dirs());
    config.instance.max_memory_bytes = 64 << 20;
    let outcome = run_config(runner(), HOSTILE, &config);
    // The allocator gets `memory.grow` -1 and aborts (`unreachable`); the run says it was the limit.
    let Status::Stopped(stop @ Stop::Memory { limit, requested }) = outcome.status else {
        panic!("grew without end: {:?}", outcome.status)
    };
    assert_eq!(limit, 64 << 20);
    assert!(requested > limit, "{stop:?}");
    assert_eq!(
        stop.to_string(),
        format!(
            "the plugin needed more memory than its limit of 67108864 bytes and was stopped (it asked for {requested} bytes)"
        )
    );
    // The plugin held at most 64 MiB.
    let held: Vec<&str> = std::str::from_utf8(&outcome.stdout).unwrap().lines().collect();
    assert!(held.len() <= 3, "{held:?}");

    let outcome = sandbox.run("trap-mid-write");
    assert!(matches!(outcome.status, Status::Trapped(_)), "{:?}", outcome.status);
    let values = read_array::<f64>(grant.join("mid.f8"));
    for (k, v) in values.iter().enumerate() {
        let want = if k < 500 { 1.5 * f64::from(u32::try_from(k).unwrap()) } else { 0.0 };
        assert_eq!(*v, want, "element {k} after a trap in the middle of writing");
    }

    for (attack, words) in [
        ("use-after-drop", "unknown handle index 1"),
        ("double-drop", "unknown handle index 1"),
        ("forged-handle", "unknown handle index 12345"),
    ] {
        let outcome = sandbox.run(attack);
        let Status::Trapped(e) = &outcome.status else { panic!("{attack}: {:?}", outcome.status) };
        assert!(format!("{e:?}").contains(words), "{attack}: {e:?}");
        assert!(!outcome.stdout_text().contains("survived"), "{attack}");
        assert_eq!(outcome.stats.live_handles(), 0, "{attack}");
    }

    // The same runner (one engine) still runs a plugin to the end.
    let outcome = sandbox.run("suite");
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    assert_eq!(lines(&outcome)["after"], ok());
}
