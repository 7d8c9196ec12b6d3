//! The SDK's typed data paths over the native-order byte calls (`read`, `to_vec`, `read_into`,
//! `chunks`, `scan`, `write`, `assign`, `take`, `take_axes`, `put`, `put_axes`, `item_flat`,
//! `set_item_flat`) against numpy doing the same on the same files: every kind in both byte
//! orders, C and Fortran order, views with negative steps, modes `r+`, `c` and `r`; the values'
//! bits and the files' bytes after. And `kernels::sum_f64` over `scan`'s blocks: bit for bit the
//! documented order, and numpy's `sum` within rounding.

use serde_json::{Value, json};
use wasm_memmap_guest_artifacts::test_programs::SDK_PATHS;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

use crate::bytes::VALUES;

/// numpy's side. For each case it writes the file (bool files hold bytes other than 0 and 1 as
/// well), chooses the operations' data, and runs the operations on its own copy-on-write map of
/// the file, giving what each should return and the file's bytes after (unchanged for modes `c`
/// and `r`). Element data travel as native-order bytes in hex, a `bool` as 0 or 1. Runs after
/// `bytes::VALUES`.
const SCRIPT: &str = r#"
import json, math
cases = json.loads(sys.argv[1])
rng = np.random.default_rng(13)
def nb(x, native):
    x = np.ascontiguousarray(np.asarray(x))
    if native.kind == "b":
        return (x.view(np.uint8) != 0).astype(np.uint8).tobytes().hex()
    return x.astype(native).tobytes().hex()
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
    original = open(c["file"], "rb").read().hex()
    m = np.memmap(c["file"], dtype=dt, mode="c", shape=shape, order=c["order"])
    v = eval(f"m[{c['view']}]") if c["view"] else m
    size = v.size
    ops, expect = [], []
    def op(o, want):
        ops.append(o)
        expect.append(want)
    def data(count):
        return values(native, count)
    def hexed(d):
        return d.view(np.uint8).tobytes().hex()
    for name in ["read", "to_vec", "read_into", "chunks", "scan"]:
        op({"op": name}, {"hex": nb(v, native)})
    op({"op": "item_flat", "at": -1}, {"hex": nb(v.flat[-1], native)})
    op({"op": "item_flat", "at": size}, {"error": ["index-out-of-bounds", f"index {size} is out of bounds for size {size}"]})
    flat = [size - 1, 0, -1, size // 2, 0]
    op({"op": "take", "flat": flat}, {"hex": nb(v.flat[flat], native)})
    rows = [0, -1, 0]
    op({"op": "take_axes", "axes": [rows]}, {"hex": nb(v[rows], native)})
    if v.ndim >= 2:
        axes = [[0, -1, 1], [-1, 0, 0]]
        op({"op": "take_axes", "axes": axes}, {"hex": nb(v[tuple(np.array(a) for a in axes)], native)})
    if c["mode"] == "r":
        for o in [{"op": "write", "hex": hexed(data(size))}, {"op": "put", "flat": [0], "hex": hexed(data(1))},
                  {"op": "set_item_flat", "at": 0, "hex": hexed(data(1))}]:
            op(o, {"error_code": "read-only"})
    else:
        d = data(size)
        v[...] = d.reshape(v.shape)
        op({"op": "write", "hex": hexed(d)}, {"ok": True})
        op({"op": "read"}, {"hex": nb(v, native)})
        row = data(v.shape[-1])
        v[...] = row
        op({"op": "assign", "hex": hexed(row), "shape": [v.shape[-1]]}, {"ok": True})
        idx, two = [0, -1, 1, size // 2], data(2)
        np.put(v, idx, two)
        op({"op": "put", "flat": idx, "hex": hexed(two)}, {"ok": True})
        sel = v[[-1, 0]]
        d = data(sel.size)
        v[[-1, 0]] = d.reshape(sel.shape)
        op({"op": "put_axes", "axes": [[-1, 0]], "hex": hexed(d), "shape": None}, {"ok": True})
        one = data(1)
        v.flat[size // 3] = one[0]
        op({"op": "set_item_flat", "at": size // 3, "hex": hexed(one)}, {"ok": True})
        op({"op": "read"}, {"hex": nb(v, native)})
    after = np.asarray(m).tobytes(order="A").hex() if c["mode"] == "r+" else original
    out.append({"ops": ops, "expect": expect, "file": after})
print(json.dumps(out))
"#;

/// Every kind, in both byte orders where it has two.
fn dtypes() -> Vec<String> {
    let mut all = vec!["bool".to_string(), "int8".to_string(), "uint8".to_string()];
    for code in ["i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "c8", "c16"] {
        all.push(format!("<{code}"));
        all.push(format!(">{code}"));
    }
    all
}

/// (shape, order, view, modes).
fn layouts() -> Vec<(Vec<u64>, &'static str, &'static str, &'static [&'static str])> {
    vec![
        (vec![7], "C", "", &["r+"]),
        (vec![7], "C", "::-2", &["r+", "c", "r"]),
        (vec![4, 5], "C", "1:, ::-2", &["r+", "c"]),
        (vec![4, 5], "F", "::-1, 1:", &["r+", "r"]),
        (vec![2, 3, 4], "C", ":, ::-1, 1:3", &["r+"]),
        (vec![3, 4], "F", "", &["c"]),
    ]
}

fn run_plugin(cases: &Value, dir: &std::path::Path) -> Vec<Value> {
    let run = run_in(SDK_PATHS, &[&cases.to_string()], dir);
    let text = run.stdout_text();
    assert!(matches!(run.status, Status::Exited(0)), "{:?}: {text}\n{}", run.status, run.stderr_text());
    serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone()
}

#[test]
fn typed_paths_match_numpy_for_every_kind_byte_order_view_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for dtype in dtypes() {
        for (shape, order, view, modes) in layouts() {
            for mode in modes {
                let name = format!("case-{}", cases.len());
                cases.push(json!({"dtype": dtype, "shape": shape, "order": order, "view": view, "mode": mode,
                    "file": dir.path().join(&name), "path": name}));
            }
        }
    }
    let expected: Vec<Value> =
        serde_json::from_str(&numpy::run(&format!("{VALUES}{SCRIPT}"), &[&Value::from(cases.clone()).to_string()]))
            .unwrap();
    let plugin_cases: Vec<Value> = cases
        .iter()
        .zip(&expected)
        .map(|(case, want)| {
            let mut case = case.clone();
            case["ops"] = want["ops"].clone();
            case
        })
        .collect();
    let got = run_plugin(&Value::from(plugin_cases), dir.path());
    assert_eq!(got.len(), cases.len());
    // Every disagreement, not just the first: they tell together which path is wrong.
    let mut wrong = Vec::new();
    for ((case, want), got) in cases.iter().zip(&expected).zip(&got) {
        let ops = want["ops"].as_array().unwrap();
        let results = got.as_array().unwrap();
        assert_eq!(results.len(), ops.len(), "{case}");
        for ((op, want), got) in ops.iter().zip(want["expect"].as_array().unwrap()).zip(results) {
            let agrees = match want.get("error_code") {
                Some(code) => &got["error"][0] == code,
                None if want.get("hex").is_some() => got["hex"] == want["hex"],
                None => got == want,
            };
            if !agrees {
                wrong.push(format!(
                    "{} on a[{}] of a {} array of shape {} in order {}, mode {}: got {got}, numpy {want}",
                    op["op"], case["view"], case["dtype"], case["shape"], case["order"], case["mode"]
                ));
            }
        }
        let bytes = std::fs::read(dir.path().join(case["path"].as_str().unwrap())).unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        if hex != want["file"].as_str().unwrap() {
            wrong.push(format!("{case}: the file's bytes after: {hex}, numpy {}", want["file"]));
        }
    }
    assert!(wrong.is_empty(), "{} disagreements with numpy:\n{}", wrong.len(), wrong.join("\n"));
}

/// `kernels::sum_f64`'s order, as its documentation gives it: 16 lanes over whole blocks of 32,
/// folded in halves, then the tail one by one.
pub(crate) fn documented_sum(values: &[f64]) -> f64 {
    let whole = values.len() - values.len() % 32;
    let mut lanes = [0.0f64; 16];
    for (i, v) in values[..whole].iter().enumerate() {
        lanes[i % 16] += v;
    }
    for width in [8, 4, 2] {
        for k in 0..width {
            lanes[k] += lanes[k + width];
        }
    }
    values[whole..].iter().fold(lanes[0] + lanes[1], |total, v| total + v)
}

/// A scan in several blocks, of a view with a negative step, summed in the plugin with SIMD: the
/// blocks are numpy's values in order, and the sum is the documented order's bit for bit (each
/// block's sum added to the total) and numpy's `sum` within rounding.
#[test]
fn scan_and_sum_f64_match_numpy_over_several_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let n = 200_003u64;
    let script = r#"
import json
n = int(sys.argv[1])
a = (np.random.default_rng(5).standard_normal(n) * 1e3).astype(">f8")
a.tofile("big.f8")
v = np.memmap("big.f8", dtype=">f8", mode="r")[::-3]
print(json.dumps({"hex": v.astype("<f8").tobytes().hex(), "sum": float(v.sum())}))
"#;
    let want: Value = serde_json::from_str(&numpy::run_in(script, &[&n.to_string()], dir.path())).unwrap();
    let case = json!([{"path": "big.f8", "dtype": ">f8", "mode": "r", "shape": null, "order": "C", "view": "::-3",
        "ops": [{"op": "scan"}, {"op": "sum_f64"}]}]);
    let got = run_plugin(&case, dir.path());
    let (scan, sum) = (&got[0][0], &got[0][1]);
    assert_eq!(scan["hex"], want["hex"]);
    let lens: Vec<usize> =
        scan["lens"].as_array().unwrap().iter().map(|l| usize::try_from(l.as_u64().unwrap()).unwrap()).collect();
    assert!(lens.len() > 1, "several blocks: {lens:?}");
    let hex = want["hex"].as_str().unwrap();
    let values: Vec<f64> = (0..hex.len() / 16)
        .map(|i| f64::from_bits(u64::from_str_radix(&hex[i * 16..i * 16 + 16], 16).unwrap().swap_bytes()))
        .collect();
    assert_eq!(lens.iter().sum::<usize>(), values.len());
    let mut total = 0.0;
    let mut at = 0;
    for len in lens {
        total += documented_sum(&values[at..at + len]);
        at += len;
    }
    assert_eq!(sum["bits"], format!("{:016x}", total.to_bits()));
    let numpy_sum = want["sum"].as_f64().unwrap();
    assert!(
        (total - numpy_sum).abs() <= 1e-9 * values.iter().map(|v| v.abs()).sum::<f64>(),
        "{total} vs numpy {numpy_sum}"
    );
}

/// The SDK's take/put/item_flat refuse what numpy refuses, with numpy's messages, and a put with a
/// bad index writes nothing.
#[test]
fn take_and_put_refuse_what_numpy_refuses() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.f8"), [0u8; 96]).unwrap();
    let messages: Value = serde_json::from_str(&numpy::messages(
        r#"
a = np.zeros((3, 4))
cases = {
    "flat": lambda: a.flat[[0, 12]],
    "lengths": lambda: a[[0, 1], [1, 2, 3]],
    "too_many": lambda: a[[0], [0], [0]],
    "axis": lambda: a[[3]],
    "item": lambda: a.flat[-13],
    "put": lambda: a.flat.__setitem__([0, 12], [1.0, 2.0]),
}
"#,
        &[],
    ))
    .unwrap();
    let one = |x: f64| x.to_le_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>();
    let cases = json!([
        {"path": "x.f8", "dtype": "float64", "mode": "r+", "shape": [3, 4], "order": "C", "view": "", "ops": [
            {"op": "take", "flat": [0, 12]},
            {"op": "take_axes", "axes": [[0, 1], [1, 2, 3]]},
            {"op": "take_axes", "axes": [[0], [0], [0]]},
            {"op": "take_axes", "axes": [[3]]},
            {"op": "item_flat", "at": -13},
            {"op": "put", "flat": [0, 12], "hex": format!("{}{}", one(1.0), one(2.0))},
            {"op": "put", "flat": [0, 99], "hex": ""},
            {"op": "read"},
        ]},
        {"path": "x.f8", "dtype": "float64", "mode": "r", "shape": [3, 4], "order": "C", "view": "", "ops": [
            {"op": "put", "flat": [0], "hex": ""},
            {"op": "set_item_flat", "at": 0, "hex": one(1.0)},
        ]},
    ]);
    let got = run_plugin(&cases, dir.path());
    let error = |case: usize, op: usize| {
        let e = &got[case][op]["error"];
        (e[0].as_str().unwrap_or("none").to_string(), e[1].as_str().unwrap_or("").to_string())
    };
    let numpy_says = |name: &str| ("index-out-of-bounds".to_string(), messages[name].as_str().unwrap().to_string());
    assert_eq!(error(0, 0), numpy_says("flat"));
    assert_eq!(error(0, 1), numpy_says("lengths"));
    assert_eq!(error(0, 2), numpy_says("too_many"));
    assert_eq!(error(0, 3), numpy_says("axis"));
    assert_eq!(error(0, 4), numpy_says("item"));
    assert_eq!(error(0, 5), numpy_says("put"));
    assert_eq!(got[0][6], json!({"ok": true}), "np.put with no values writes nothing, whatever the indices");
    assert_eq!(got[0][7]["hex"], "00".repeat(96), "nothing was written by the refused put");
    assert_eq!(error(1, 0).0, "read-only", "np.put refuses a read-only array even with no values");
    assert_eq!(error(1, 1).0, "read-only");
}
