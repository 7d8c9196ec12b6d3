//! One-element access (`item` / `set-item`, the SDK's `Memmap::item` / `Memmap::set_item`) against
//! numpy's `a.item(*at)` and `a[at] = v` on the same files: every kind, both byte orders, C and F
//! order, strided and 0-d views, negative and flat indices, numpy's errors, and the modes.

use wasm_memmap_guest_artifacts::test_programs::ITEM;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// (dtype, shape, order, mode, view, ops): each op is `{"get": at}` or `{"set": at}` (numpy picks
/// the value).
fn cases() -> Vec<(&'static str, &'static str, &'static str, &'static str, &'static str, serde_json::Value)> {
    use serde_json::json;
    let matrix = json!([
        {"get": [0, 0]}, {"get": [2, 3]}, {"get": [-1, -4]}, {"get": [3, 0]}, {"get": [0, -5]},
        {"get": [11]}, {"get": [-12]}, {"get": [12]}, {"get": [1, 2, 3]}, {"get": []},
        {"set": [1, 2]}, {"get": [1, 2]}, {"set": [-1, -1]}, {"get": [2, 3]}, {"set": [5]}, {"get": [1, 1]},
        {"set": [3, 0]}, {"set": [1, 2, 3]}, {"set": [-13]},
    ]);
    let cube = json!([
        {"get": [1, 2, 3]}, {"get": [-2, -3, -4]}, {"get": [23]}, {"get": [0, 3, 0]},
        {"set": [1, 0, 2]}, {"get": [1, 0, 2]}, {"set": [7]}, {"get": [1, 0, 1]}, {"get": [7]},
    ]);
    let vector = json!([
        {"get": [0]}, {"get": [-1]}, {"get": [5]}, {"get": [-6]}, {"get": [0, 0]},
        {"set": [2]}, {"get": [2]}, {"set": [-5]}, {"get": [0]}, {"set": [5]},
    ]);
    let mut cases = vec![
        ("float64", "3,4", "C", "r+", "", matrix.clone()),
        (">f8", "3,4", "F", "r+", "", matrix.clone()),
        ("<i4", "3,4", "F", "r+", "", matrix),
        ("float32", "2,3,4", "F", "c", "", cube.clone()),
        (">u2", "2,3,4", "C", "r+", "", cube),
        (
            "float64",
            "6,8",
            "C",
            "r+",
            "1::2, ::-3",
            json!([{"get": [0, 0]}, {"get": [-1, -1]}, {"set": [1, 1]}, {"get": [1, 1]}, {"get": [2, 3]},
                   {"get": [4]}, {"set": [-9]}, {"get": [0, 0]}]),
        ),
        (
            ">i8",
            "6,8",
            "F",
            "r+",
            "3, 4, ...",
            json!([{"get": []}, {"set": []}, {"get": []}, {"get": [0]}, {"get": [-1]}, {"get": [1]}, {"get": [0, 0]}]),
        ),
        ("float64", "4", "C", "r", "", json!([{"get": [1]}, {"set": [1]}, {"set": [9]}, {"get": [-4]}])),
    ];
    for dtype in [
        "bool",
        "int8",
        "int16",
        ">i2",
        "int32",
        ">i4",
        "int64",
        "uint8",
        "uint16",
        ">u4",
        "uint64",
        ">u8",
        "float16",
        ">f2",
        "float32",
        ">f4",
        "float64",
        "complex64",
        ">c8",
        "complex128",
        ">c16",
    ] {
        cases.push((dtype, "5", "C", "r+", "", vector.clone()));
    }
    cases
}

/// numpy's side: makes each file, then runs the same ops on its own map (mode `c` in place of
/// `r+`, so the file stays as the plugin will find it), choosing each value to store, and
/// gives each op's result, and the file's bytes after the plugin's ops.
const SCRIPT: &str = r#"
import json
cases = json.loads(sys.argv[1])
rng = np.random.default_rng(5)
le = lambda x, dt: np.asarray(x, dtype=dt).astype(dt.newbyteorder("<")).tobytes().hex()
def code(e):
    if isinstance(e, IndexError):
        return "index-out-of-bounds"
    return "read-only" if "read-only" in str(e) else "invalid-argument"
out = []
for c in cases:
    dt = np.dtype(c["dtype"])
    shape = tuple(int(d) for d in c["shape"].split(",") if d.strip())
    values(dt, int(np.prod(shape))).tofile(c["file"])
    original = open(c["file"], "rb").read()
    mode = c["mode"]
    m = np.memmap(c["file"], dtype=dt, mode="r" if mode == "r" else "c", shape=shape, order=c["order"])
    v = eval(f"m[{c['view']}]") if c["view"] else m
    ops, results = [], []
    for op in c["ops"]:
        at = op.get("get", op.get("set"))
        try:
            if "get" in op:
                v.item(*at)
                x = v.flat[at[0]] if len(at) == 1 else v.flat[0] if not at else v[tuple(at)]
                results.append({"hex": le(x, dt)})
            else:
                new = values(dt, 1)[0]
                op = dict(op, hex=le(new, dt))
                if mode == "r":
                    v[tuple(at)] = new
                v.item(*at)
                if len(at) == 1:
                    v.flat[at[0]] = new
                elif not at:
                    v.flat[0] = new
                else:
                    v[tuple(at)] = new
                results.append({"ok": True})
        except (IndexError, ValueError) as e:
            results.append({"error": [code(e), str(e)]})
        ops.append(op)
    after = np.asarray(m).tobytes(order="A") if mode == "r+" else original
    out.append({"ops": ops, "results": results, "after": after.hex()})
print(json.dumps(out))
"#;

#[test]
fn item_and_set_item_match_numpy_for_every_kind_order_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let numpy_cases: Vec<serde_json::Value> = cases
        .iter()
        .enumerate()
        .map(|(i, (dtype, shape, order, mode, view, ops))| {
            serde_json::json!({ "dtype": dtype, "shape": shape, "order": order, "mode": mode, "view": view,
                "ops": ops, "file": dir.path().join(format!("case-{i}")) })
        })
        .collect();
    let expected: Vec<serde_json::Value> = serde_json::from_str(&numpy::run(
        &format!("{}{SCRIPT}", crate::bytes::VALUES),
        &[&serde_json::Value::from(numpy_cases).to_string()],
    ))
    .unwrap();

    let (mut compared, mut errors) = (0, 0);
    for (i, ((dtype, shape, order, mode, view, _), want)) in cases.iter().zip(&expected).enumerate() {
        let what = format!("a[{view}] of a {dtype} array of shape ({shape}) in order {order}, mode {mode}");
        let file = format!("case-{i}");

        let ops = want["ops"].to_string();
        let run = run_in(ITEM, &[&file, dtype, shape, order, mode, view, &ops], dir.path());
        let text = run.stdout_text();
        assert!(matches!(run.status, Status::Exited(0)), "{what}: {text}");
        let got: serde_json::Value = serde_json::from_str(&text).unwrap();
        let (ours, theirs) = (got["results"].as_array().unwrap(), want["results"].as_array().unwrap());
        assert_eq!(ours.len(), theirs.len(), "{what}");
        for ((op, ours), theirs) in want["ops"].as_array().unwrap().iter().zip(ours).zip(theirs) {
            assert_eq!(ours, theirs, "{what}: {op}");
            errors += usize::from(theirs.get("error").is_some());
            compared += 1;
        }
        let after = std::fs::read(dir.path().join(&file)).unwrap();
        let after: String = after.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(after, want["after"].as_str().unwrap(), "{what}: the file's bytes after the ops");
        assert_eq!(got["wrong_kind"], "mismatch", "{what}: a value of another kind");
    }
    assert_eq!(compared, cases.iter().map(|c| c.5.as_array().unwrap().len()).sum::<usize>());
    assert!(errors >= 40, "the cases exercise numpy's errors ({errors})");
}
