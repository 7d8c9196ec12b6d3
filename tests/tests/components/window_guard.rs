//! The SDK's window guards (`Memmap::window`, `Memmap::window_mut`) on a host with windows: the
//! typed slice holds numpy's values of the selection (every kind in the plugin's byte order, whole
//! maps, contiguous views, a map at an offset); writes through `window_mut` reach the file in mode
//! `r+` (after a flush, or when the guard closes); a mode `c` map has no windows (`unsupported`:
//! its writes live in the host's private pages, which a window could not share); what a typed slice cannot
//! be (bool, the other byte order, a misaligned start, a strided view) is refused with the SDK's
//! error; a host without windows says `unsupported`.

use serde_json::{Value, json};
use wasm_memmap_guest_artifacts::test_programs::WINDOW_GUARD;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::Sandbox;
use wasm_memmap_tests::numpy;

use crate::sdk_paths::documented_sum;

/// numpy's side: writes each case's file, and gives the view's values in native order, the data
/// the plugin writes through its window, and the file's bytes after numpy's own `r+` assignment
/// of that data (the file itself is left as written: numpy works on a copy-on-write map).
const SCRIPT: &str = r#"
import json, math
cases = json.loads(sys.argv[1])
rng = np.random.default_rng(17)
out = []
for c in cases:
    dt = np.dtype(c["dtype"])
    n = math.prod(c["shape"])
    raw = rng.integers(0, 256, size=c["offset"] + n * dt.itemsize, dtype=np.uint8)
    if dt.kind == "f":
        raw[c["offset"]:] = np.frombuffer((rng.standard_normal(n) * 1e3).astype(dt).tobytes(), np.uint8)
    raw.tofile(c["file"])
    m = np.memmap(c["file"], dtype=dt, mode="c", shape=tuple(c["shape"]), offset=c["offset"])
    v = eval(f"m[{c['view']}]") if c["view"] else m
    native = dt.newbyteorder("=")
    data = np.frombuffer(rng.integers(0, 256, size=v.size * dt.itemsize, dtype=np.uint8).tobytes(), native)
    if dt.kind == "f":
        data = (rng.standard_normal(v.size) * 10).astype(native)
    before = np.ascontiguousarray(v).astype(native).tobytes().hex()
    v[...] = data.reshape(v.shape)
    with open(c["file"], "rb") as f:
        head = f.read(c["offset"])
    out.append({"values": before, "data": data.tobytes().hex(),
                "file_after": (head + np.asarray(m).tobytes()).hex(), "file": raw.tobytes().hex()})
print(json.dumps(out))
"#;

/// Runs `window_guard` with `cases` in `sandbox` and returns its results, one list per case.
fn run(sandbox: &Sandbox, cases: &Value) -> Vec<Value> {
    let outcome = sandbox.run(WINDOW_GUARD, &[&cases.to_string()]);
    let text = outcome.stdout_text();
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}: {text}\n{}", outcome.status, outcome.stderr_text());
    serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone()
}

/// numpy's answers for `cases`, whose files it writes in `sandbox`.
fn numpy_side(sandbox: &Sandbox, cases: &[Value]) -> Vec<Value> {
    let with_files: Vec<Value> = cases
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c["file"] = json!(sandbox.path().join(c["path"].as_str().unwrap()));
            c
        })
        .collect();
    serde_json::from_str(&numpy::run(SCRIPT, &[&Value::from(with_files).to_string()])).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn case(path: &str, dtype: &str, shape: &[u64], offset: u64, view: &str, mode: &str, ops: Value) -> Value {
    json!({"path": path, "dtype": dtype, "shape": shape, "offset": offset, "view": view, "mode": mode,
        "order": "C", "ops": ops})
}

/// The host's refusal of a window on a mode `c` map.
const COPY_ON_WRITE_REFUSAL: &str = "windows are not supported on mode 'c' (copy-on-write) maps: writes through a copy-on-write map live in its own private pages, which no second mapping can share; use read-bytes and write-bytes";

#[test]
fn a_window_lends_numpy_values_and_writes_reach_the_file_only_in_r_plus() {
    let sandbox = Sandbox::new().windows();
    let dtypes = ["int8", "uint8", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16"];
    // (shape, offset, view): a whole map, a contiguous view, a map at an aligned offset.
    let layouts: [(&[u64], u64, &str); 3] = [(&[3, 1000], 0, ""), (&[3, 1000], 0, "1:3"), (&[5000], 16, "100:4100")];
    let mut cases = Vec::new();
    for dtype in dtypes {
        for (shape, offset, view) in layouts {
            for mode in ["r", "r+", "c"] {
                let path = format!("case-{}", cases.len());
                cases.push(case(&path, dtype, shape, offset, view, mode, json!([])));
            }
        }
    }
    let want = numpy_side(&sandbox, &cases);
    for (c, w) in cases.iter_mut().zip(&want) {
        let write = json!({"op": "window_mut", "hex": w["data"], "flush": true, "close": false});
        c["ops"] = match c["mode"].as_str().unwrap() {
            "r" | "c" => json!([{"op": "window"}, write]),
            _ => json!([{"op": "window"}, write, {"op": "window"}]),
        };
    }
    let got = run(&sandbox, &Value::from(cases.clone()));
    for ((c, w), got) in cases.iter().zip(&want).zip(&got) {
        let what = format!(
            "{} a[{}] of shape {} at offset {}, mode {}",
            c["dtype"], c["view"], c["shape"], c["offset"], c["mode"]
        );
        let file = hex(&sandbox.read(c["path"].as_str().unwrap()));
        if c["mode"] == "c" {
            for got in [&got[0], &got[1]] {
                assert_eq!(got["error"][1], COPY_ON_WRITE_REFUSAL, "{what}");
                assert_eq!(got["unsupported"], true, "{what}");
            }
            assert_eq!(file, w["file"].as_str().unwrap(), "{what}: mode c never changes the file");
            continue;
        }
        assert_eq!(got[0]["hex"], w["values"], "{what}: the window's values");
        match c["mode"].as_str().unwrap() {
            "r" => {
                assert_eq!(got[1]["error"], json!(["read-only", "assignment destination is read-only"]), "{what}");
                assert_eq!(file, w["file"].as_str().unwrap(), "{what}: the file");
            }
            "r+" => {
                assert_eq!(got[1]["hex"], w["data"], "{what}: the slice after the write");
                assert_eq!(got[2]["hex"], w["data"], "{what}: a new window sees the write");
                assert_eq!(file, w["file_after"].as_str().unwrap(), "{what}: the file after numpy's assignment");
            }
            mode => unreachable!("mode {mode}"),
        }
    }
}

/// A window closed by `close()` or by dropping the guard flushes in mode `r+`; `sum_f64` over a
/// window adds in the documented order.
#[test]
fn closing_flushes_and_kernels_read_the_window() {
    let sandbox = Sandbox::new().windows();
    let cases = vec![
        case("a.f8", "<f8", &[20000], 0, "", "r+", json!([])),
        case("b.f8", "<f8", &[20000], 0, "", "r+", json!([])),
    ];
    let want = numpy_side(&sandbox, &cases);
    let mut cases = cases;
    cases[0]["ops"] =
        json!([{"op": "sum_f64"}, {"op": "window_mut", "hex": want[0]["data"], "flush": false, "close": true}]);
    cases[1]["ops"] = json!([{"op": "window_mut", "hex": want[1]["data"], "flush": false, "close": false}]);
    let got = run(&sandbox, &Value::from(cases.clone()));
    for (c, w) in cases.iter().zip(&want) {
        assert_eq!(hex(&sandbox.read(c["path"].as_str().unwrap())), w["file_after"].as_str().unwrap(), "{}", c["path"]);
    }
    let text = want[0]["values"].as_str().unwrap();
    let values: Vec<f64> = (0..text.len() / 16)
        .map(|i| f64::from_bits(u64::from_str_radix(&text[i * 16..i * 16 + 16], 16).unwrap().swap_bytes()))
        .collect();
    assert_eq!(got[0][0]["bits"], format!("{:016x}", documented_sum(&values).to_bits()));
}

/// What a typed slice cannot be is refused with the SDK's message before anything is mapped; a
/// strided view is the host's refusal; a host without windows says `unsupported`.
#[test]
fn what_a_typed_slice_cannot_be_is_refused() {
    let sandbox = Sandbox::new().windows();
    let window = json!([{"op": "window"}]);
    let cases = vec![
        case("bool", "bool", &[100], 0, "", "r", window.clone()),
        case("big", ">f8", &[100], 0, "", "r", window.clone()),
        case("odd", "<i2", &[100], 1, "", "r", window.clone()),
        case("strided", "<f8", &[100], 0, "::2", "r", window.clone()),
    ];
    for c in &cases {
        sandbox.write(c["path"].as_str().unwrap(), &[1u8; 1024]);
    }
    let got = run(&sandbox, &Value::from(cases.clone()));
    let error = |i: usize| {
        (
            got[i][0]["error"][0].as_str().unwrap_or("none").to_string(),
            got[i][0]["error"][1].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(error(0).0, "invalid-argument");
    assert!(error(0).1.starts_with("a window cannot lend bool values"), "{:?}", error(0));
    assert!(error(1).1.contains(">f8 (float64) is not in this plugin's byte order"), "{:?}", error(1));
    assert_eq!(
        error(2).1,
        "a window cannot lend int16 values: the array starts at byte 1 of its first page (its offset in the file is 1), \
         which is not a multiple of 2, their alignment; use read or scan"
    );
    assert_eq!(error(3).0, "invalid-argument", "{:?}", error(3));
    assert_eq!(got[3][0]["unsupported"], false);

    let plain = Sandbox::new();
    plain.write("a.f8", &[0u8; 800]);
    let got = run(&plain, &json!([case("a.f8", "<f8", &[100], 0, "", "r", window)]));
    assert_eq!(got[0][0]["unsupported"], true, "{}", got[0][0]);
}
