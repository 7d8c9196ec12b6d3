//! `read-bytes` and `write-bytes` (the byte path plugins in Python use) against numpy's
//! `a[v].astype(a.dtype.newbyteorder('=')).tobytes()` and `a[v] = np.frombuffer(data, ...)` on the
//! same files: every kind in both byte orders, C and Fortran order, views with negative steps,
//! broadcast data, and the refusals.

use serde_json::{Value, json};
use wasm_memmap_guest_artifacts::test_programs::HOSTCALLS;
use wasm_memmap_host::{FsPerms, MemmapLimits};
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::{run_in, run_limited};
use wasm_memmap_tests::numpy;

/// Runs the `hostcalls` program with `ops` in `dir` and returns its list of results.
pub(crate) fn hostcalls(ops: &Value, dir: &std::path::Path, limits: Option<MemmapLimits>) -> Vec<Value> {
    run_ops(HOSTCALLS, ops, dir, limits)
}

/// Runs a test program that takes one JSON list of operations (`hostcalls`, `take`) with `ops`
/// in `dir` and returns its list of results.
pub(crate) fn run_ops(program: &str, ops: &Value, dir: &std::path::Path, limits: Option<MemmapLimits>) -> Vec<Value> {
    let ops = ops.to_string();
    let run = match limits {
        Some(limits) => run_limited(program, &[&ops], dir, FsPerms::ReadWrite, limits),
        None => run_in(program, &[&ops], dir),
    };
    let text = run.stdout_text();
    assert!(matches!(run.status, Status::Exited(0)), "{:?}: {text}\n{}", run.status, run.stderr_text());
    serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone()
}

/// numpy's side: makes each file (bool files hold bytes other than 0 and 1 too), then on its own
/// copy-on-write map reads the view, assigns the data it chose (given to the plugin as native
/// bytes, bool bytes scaled so that non-zero bytes other than 1 mean `True`) and gives the file's
/// bytes after.
const SCRIPT: &str = r#"
import json, math
cases = json.loads(sys.argv[1])
rng = np.random.default_rng(11)
out = []
for c in cases:
    dt = np.dtype(c["dtype"])
    native = dt.newbyteorder("=")
    shape = tuple(c["shape"])
    n = math.prod(shape)
    if dt.kind == "b":
        rng.integers(0, 4, size=n, dtype=np.uint8).tofile(c["file"])
    else:
        values(dt, n).tofile(c["file"])
    m = np.memmap(c["file"], dtype=dt, mode="c", shape=shape, order=c["order"])
    v = eval(f"m[{c['view']}]") if c["view"] else m
    if dt.kind == "b":
        read = (np.ascontiguousarray(v).view(np.uint8) != 0).astype(np.uint8).tobytes()
    else:
        read = np.ascontiguousarray(v).astype(native).tobytes()
    dshape = tuple(c["data_shape"]) if c["data_shape"] is not None else v.shape
    data = values(native, math.prod(dshape))
    if dt.kind == "b":
        raw = (data.view(np.uint8) * rng.integers(1, 200, size=data.size, dtype=np.uint8)).tobytes()
        v[...] = (np.frombuffer(raw, np.uint8) != 0).reshape(dshape)
    else:
        raw = data.tobytes()
        v[...] = np.frombuffer(raw, native).reshape(dshape)
    after = np.ascontiguousarray(v).astype(native).tobytes() if dt.kind != "b" else np.ascontiguousarray(v).view(np.uint8).tobytes()
    out.append({"read": read.hex(), "data": raw.hex(), "after_view": after.hex(),
                "file": np.asarray(m).tobytes(order="A").hex()})
print(json.dumps(out))
"#;

/// numpy's side of several tests: `values(dt, n)`, `n` random values of `dt` drawn from the
/// script's own `rng` (bool 0 or 1, floats and complex numbers finite, integers any bits).
pub(crate) const VALUES: &str = r#"
def values(dt, n):
    if dt.kind == "b":
        return rng.integers(0, 2, size=n).astype(dt)
    if dt.kind in "fc":
        v = rng.standard_normal(n * (2 if dt.kind == "c" else 1)) * 100
        return (v.view(np.complex128) if dt.kind == "c" else v).astype(dt)
    return np.frombuffer(rng.integers(0, 256, size=n * dt.itemsize, dtype=np.uint8).tobytes(), dtype=dt)
"#;

const DTYPES: [&str; 21] = [
    "bool",
    "int8",
    "<i2",
    ">i2",
    "<i4",
    ">i4",
    ">i8",
    "uint8",
    ">u2",
    "<u4",
    ">u8",
    "float16",
    ">f2",
    "<f4",
    ">f4",
    ">f8",
    "<f8",
    "complex64",
    ">c8",
    "<c16",
    ">c16",
];

/// (shape, order, view, data-shape).
type Case = (Vec<u64>, &'static str, &'static str, Option<Vec<u64>>);

/// The cases each dtype is tried in.
fn layouts() -> Vec<Case> {
    vec![
        (vec![7], "C", "", None),
        (vec![7], "C", "::-2", None),
        (vec![4, 5], "C", "1::2, ::-2", None),
        (vec![4, 5], "F", "::-1, 3", None),
        (vec![4, 5], "F", "..., None, 1:4", Some(vec![1, 3])),
        (vec![2, 3, 4], "C", ":, ::-1, 1", Some(vec![3])),
        (vec![3, 4], "C", "2, 1, ...", Some(vec![])),
    ]
}

#[test]
fn read_and_write_bytes_match_numpy_for_every_kind_byte_order_and_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for dtype in DTYPES {
        for (shape, order, view, data_shape) in layouts() {
            let file = format!("case-{}", cases.len());
            cases.push(json!({"dtype": dtype, "shape": shape, "order": order, "view": view,
                "data_shape": data_shape, "file": dir.path().join(&file), "name": file}));
        }
    }
    let expected: Vec<Value> =
        serde_json::from_str(&numpy::run(&format!("{VALUES}{SCRIPT}"), &[&Value::from(cases.clone()).to_string()]))
            .unwrap();

    // One map per case; each is read, written, and read again.
    let mut ops = Vec::new();
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        ops.push(json!({"op": "open", "path": case["name"], "dtype": case["dtype"], "mode": "r+",
            "shape": case["shape"], "order": case["order"]}));
        ops.push(json!({"op": "read", "map": i, "index": case["view"]}));
        ops.push(json!({"op": "write", "map": i, "index": case["view"], "hex": want["data"],
            "shape": case["data_shape"]}));
        ops.push(json!({"op": "read", "map": i, "index": case["view"]}));
    }
    let got = hostcalls(&Value::from(ops), dir.path(), None);
    assert_eq!(got.len(), cases.len() * 4);
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        let what = format!(
            "a[{}] of a {} array of shape {} in order {}",
            case["view"], case["dtype"], case["shape"], case["order"]
        );
        assert_eq!(got[i * 4], json!({"ok": true}), "{what}: open");
        assert_eq!(got[i * 4 + 1]["hex"], want["read"], "{what}: read-bytes");
        assert_eq!(got[i * 4 + 2], json!({"ok": true}), "{what}: write-bytes");
        assert_eq!(got[i * 4 + 3]["hex"], want["after_view"], "{what}: read-bytes after the write");
    }
    // The maps were flushed as the plugin ended: the files hold what numpy's assignment made.
    for (case, want) in cases.iter().zip(&expected) {
        let bytes = std::fs::read(dir.path().join(case["name"].as_str().unwrap())).unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, want["file"].as_str().unwrap(), "{case}: the file's bytes");
    }
}

/// Lengths that do not match, shapes that do not broadcast, a read-only map, a closed map, and
/// the per-call transfer limit, refused as `slice-read` / `slice-write` refuse them.
#[test]
fn read_and_write_bytes_refuse_what_numpy_refuses_and_what_the_limits_forbid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.f8"), [0u8; 80]).unwrap();
    let messages: Value = serde_json::from_str(&numpy::messages(
        r#"
a = np.zeros(10)
r = a.copy(); r.flags.writeable = False
cases = {
    "broadcast": lambda: a.__setitem__(slice(0, 3), np.zeros(2)),
    "read_only": lambda: r.__setitem__(slice(0, 3), 1.0),
}
"#,
        &[],
    ))
    .unwrap();
    let open = |mode: &str| json!({"op": "open", "path": "x.f8", "dtype": "float64", "mode": mode, "shape": [10], "order": "C"});
    let ops = json!([
        open("r+"),
        {"op": "write", "map": 0, "index": ":3", "hex": "00".repeat(20), "shape": null},
        {"op": "write", "map": 0, "index": ":3", "hex": "00".repeat(24), "shape": [4]},
        {"op": "write", "map": 0, "index": ":3", "hex": "00".repeat(16), "shape": [2]},
        {"op": "write", "map": 0, "index": ":3", "hex": "00".repeat(8), "shape": []},
        open("r"),
        {"op": "write", "map": 1, "index": ":3", "hex": "00".repeat(24), "shape": null},
        {"op": "close", "map": 0},
        {"op": "read", "map": 0, "index": ""},
        {"op": "write", "map": 0, "index": ":3", "hex": "00".repeat(24), "shape": null},
        {"op": "read", "map": 1, "index": "::-1"},
        {"op": "read", "map": 1, "index": "12"},
    ]);
    let got = hostcalls(&ops, dir.path(), None);
    let error = |i: usize| {
        (
            got[i]["error"][0].as_str().unwrap_or("none").to_string(),
            got[i]["error"][1].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(
        error(1),
        (
            "mismatch".into(),
            "20 bytes were given but the selection of shape (3,) holds 3 elements of float64, 24 bytes".into()
        )
    );
    assert_eq!(
        error(2),
        ("mismatch".into(), "24 bytes were given but data-shape (4,) holds 4 elements of float64, 32 bytes".into())
    );
    assert_eq!(error(3), ("mismatch".into(), messages["broadcast"].as_str().unwrap().into()));
    assert_eq!(got[4], json!({"ok": true}), "one value fills the selection");
    assert_eq!(error(6), ("read-only".into(), messages["read_only"].as_str().unwrap().into()));
    assert_eq!(error(8).0, "invalid-argument");
    assert!(error(8).1.contains("was closed"), "{}", error(8).1);
    assert_eq!(error(9).0, "invalid-argument");
    assert_eq!(got[10]["hex"], "00".repeat(80));
    assert_eq!(error(11), ("index-out-of-bounds".into(), "index 12 is out of bounds for axis 0 with size 10".into()));

    // The per-call transfer limit, checked before anything is allocated, with slice-read's words.
    let limits = MemmapLimits { max_transfer_bytes: 64, ..MemmapLimits::default() };
    let ops = json!([
        open("r+"),
        {"op": "read", "map": 0, "index": ""},
        {"op": "read", "map": 0, "index": ":8"},
        {"op": "write", "map": 0, "index": ":9", "hex": "00".repeat(72), "shape": null},
        {"op": "write", "map": 0, "index": "", "hex": "00".repeat(8), "shape": [1]},
        {"op": "write", "map": 0, "index": ":8", "hex": "00".repeat(8), "shape": [1]},
    ]);
    let got = hostcalls(&ops, dir.path(), Some(limits));
    let error = |i: usize| got[i]["error"].clone();
    assert_eq!(
        error(1),
        json!([
            "limit-exceeded",
            "a read of 80 bytes is over the limit of 64 bytes per call; move the data in smaller selections"
        ])
    );
    assert_eq!(got[2]["hex"], "00".repeat(64));
    assert_eq!(
        error(3),
        json!([
            "limit-exceeded",
            "a write of 72 bytes is over the limit of 64 bytes per call; move the data in smaller selections"
        ])
    );
    assert_eq!(
        error(4),
        json!([
            "limit-exceeded",
            "a write of 80 bytes is over the limit of 64 bytes per call; move the data in smaller selections"
        ]),
        "a broadcast value filling more than the limit"
    );
    assert_eq!(got[5], json!({"ok": true}));
}
