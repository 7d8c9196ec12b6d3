//! `take` / `put` (numpy's integer-array indexing, flat and per axis) and `item-flat` /
//! `set-item-flat` against numpy's `v.flat[idx]`, `v[idx0, idx1]`, their assignments and
//! `v.flat[i]` on the same files: every kind in both byte orders, C and Fortran order, views with
//! negative steps, repeated indices, broadcast data, modes `r+`, `c` and `r`, and the refusals
//! (numpy's messages, the transfer limit on the indices and on the result, nothing written unless
//! every index is in range).

use serde_json::{Value, json};
use wasm_memmap_guest_artifacts::test_programs::TAKE;
use wasm_memmap_host::MemmapLimits;
use wasm_memmap_tests::numpy;

/// Runs the `take` program with `ops` in `dir` and returns its list of results.
fn take(ops: &Value, dir: &std::path::Path, limits: Option<MemmapLimits>) -> Vec<Value> {
    crate::bytes::run_ops(TAKE, ops, dir, limits)
}

/// numpy's side, on a copy-on-write map of each file it makes: the view's taken bytes, the data
/// it puts (native bytes), the taken bytes after, `v.flat[p]`, the value it sets at `v.flat[q]`,
/// the whole view after and the file's bytes (as the plugin's `r+` map leaves them).
const SCRIPT: &str = r#"
import json, math
cases = json.loads(sys.argv[1])
rng = np.random.default_rng(7)
def native_bytes(a, dt):
    a = np.ascontiguousarray(a)
    if dt.kind == "b":
        return (a.view(np.uint8) != 0).astype(np.uint8).tobytes()
    return a.astype(dt.newbyteorder("=")).tobytes()
out = []
for c in cases:
    dt = np.dtype(c["dtype"])
    native = dt.newbyteorder("=")
    shape = tuple(c["shape"])
    values(dt, math.prod(shape)).tofile(c["file"])
    m = np.memmap(c["file"], dtype=dt, mode="c", shape=shape, order=c["order"])
    v = eval(f"m[{c['view']}]") if c["view"] else m
    if "flat" in c:
        idx = np.array(c["flat"], dtype=np.int64)
        get = lambda: v.flat[idx]
        def put(d): v.flat[idx] = d
    else:
        idx = tuple(np.array(a, dtype=np.int64) for a in c["axes"])
        get = lambda: v[idx]
        def put(d): v[idx] = d
    taken = get()
    dshape = tuple(c["data_shape"]) if c["data_shape"] is not None else taken.shape
    data = values(native, math.prod(dshape))
    put(data.reshape(dshape))
    after = get()
    item = np.array(v.flat[c["p"]])
    value = values(native, 1)
    v.flat[c["q"]] = value[0]
    out.append({"taken": native_bytes(taken, dt).hex(), "data": data.tobytes().hex(),
                "after": native_bytes(after, dt).hex(), "item": native_bytes(item, dt).hex(),
                "value": value.tobytes().hex(), "view": native_bytes(v, dt).hex(),
                "file": np.asarray(m).tobytes(order="A").hex()})
print(json.dumps(out))
"#;

const DTYPES: [&str; 18] = [
    "bool", "int8", "<i2", ">i2", ">i4", "<i8", "uint8", ">u2", "<u4", ">u8", "<f2", ">f2", ">f4", "<f8", ">f8", "<c8",
    ">c8", ">c16",
];

/// The cases each dtype is tried in: the file's shape and order, the view, the indices (flat or
/// per axis), the data-shape of the put, and the flat positions of `item-flat` / `set-item-flat`.
fn layouts() -> Vec<Value> {
    vec![
        json!({"shape": [12], "order": "C", "view": "", "flat": [0, 11, -1, 5, 5, -12], "data_shape": null, "p": -1, "q": 3}),
        json!({"shape": [4, 5], "order": "C", "view": "::-1, ::2", "flat": [0, 11, -1, 4, 4], "data_shape": [1], "p": 7, "q": -2}),
        json!({"shape": [4, 5], "order": "C", "view": "::-1, ::2", "axes": [[0, 3, -1, 0], [2, 0, 1, 2]], "data_shape": null, "p": 0, "q": 11}),
        json!({"shape": [4, 5], "order": "F", "view": "1:, ::-1", "axes": [[2, 0, 2]], "data_shape": [5], "p": 14, "q": -15}),
        json!({"shape": [2, 3, 4], "order": "C", "view": ":, ::-1", "axes": [[1, 0], [2, -3]], "data_shape": [2, 1], "p": 5, "q": 23}),
        json!({"shape": [2, 3, 4], "order": "F", "view": "", "axes": [[1, 0, 1], [0, 2, 1], [3, 3, -1]], "data_shape": null, "p": -24, "q": 0}),
        // Index arrays of length 1 broadcast against the others (`a[[1], [0, 1, 2]]`: three
        // elements), also with the axes left whole (`a[[0, 1], [-1]]`: two rows).
        json!({"shape": [4, 5], "order": "C", "view": "", "axes": [[1], [0, 1, 2]], "data_shape": null, "p": 2, "q": 3}),
        json!({"shape": [2, 3, 4], "order": "C", "view": "::-1", "axes": [[0, 1], [2], [-1, 0]], "data_shape": [1], "p": 1, "q": 4}),
        json!({"shape": [2, 3, 4], "order": "F", "view": "", "axes": [[0, 1], [-1]], "data_shape": [4], "p": 3, "q": -1}),
    ]
}

fn hex_of(path: &std::path::Path) -> String {
    std::fs::read(path).unwrap().iter().map(|b| format!("{b:02x}")).collect()
}

fn index_of(case: &Value) -> Value {
    if case.get("flat").is_some() { json!({"flat": case["flat"]}) } else { json!({"axes": case["axes"]}) }
}

#[test]
fn take_put_and_item_flat_match_numpy_for_every_kind_byte_order_and_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for dtype in DTYPES {
        for mut case in layouts() {
            let file = format!("case-{}", cases.len());
            case["dtype"] = json!(dtype);
            case["file"] = json!(dir.path().join(&file));
            case["name"] = json!(file);
            cases.push(case);
        }
    }
    let expected: Vec<Value> = serde_json::from_str(&numpy::run(
        &format!("{}{SCRIPT}", crate::bytes::VALUES),
        &[&Value::from(cases.clone()).to_string()],
    ))
    .unwrap();
    let mut ops = Vec::new();
    const PER_CASE: usize = 9;
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        let (map, view) = (2 * i, 2 * i + 1);
        let index = index_of(case);
        let with = |mut op: Value, extra: &Value| {
            for (k, v) in extra.as_object().unwrap() {
                op[k] = v.clone();
            }
            op
        };
        ops.push(json!({"op": "open", "path": case["name"], "dtype": case["dtype"], "mode": "r+",
            "shape": case["shape"], "order": case["order"]}));
        ops.push(json!({"op": "view", "map": map, "index": case["view"]}));
        ops.push(with(json!({"op": "take", "map": view}), &index));
        ops.push(with(json!({"op": "put", "map": view, "hex": want["data"], "shape": case["data_shape"]}), &index));
        ops.push(with(json!({"op": "take", "map": view}), &index));
        ops.push(json!({"op": "item_flat", "map": view, "flat": case["p"]}));
        ops.push(json!({"op": "set_item_flat", "map": view, "flat": case["q"], "hex": want["value"]}));
        ops.push(json!({"op": "read", "map": view, "index": ""}));
        ops.push(json!({"op": "read", "map": map, "index": "::-1"}));
    }
    let got = take(&Value::from(ops), dir.path(), None);
    assert_eq!(got.len(), cases.len() * PER_CASE);
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        let got = &got[i * PER_CASE..(i + 1) * PER_CASE];
        let what = format!(
            "{} of shape {} order {}, view [{}], {}",
            case["dtype"],
            case["shape"],
            case["order"],
            case["view"],
            index_of(case)
        );
        assert_eq!(got[..2], [json!({"ok": true}), json!({"ok": true})], "{what}: open and view");
        assert_eq!(got[2]["hex"], want["taken"], "{what}: take");
        assert_eq!(got[3], json!({"ok": true}), "{what}: put");
        assert_eq!(got[4]["hex"], want["after"], "{what}: take after the put");
        assert_eq!(got[5]["hex"], want["item"], "{what}: item-flat {}", case["p"]);
        assert_eq!(got[6], json!({"ok": true}), "{what}: set-item-flat");
        assert_eq!(got[7]["hex"], want["view"], "{what}: the view after");
    }
    for (case, want) in cases.iter().zip(&expected) {
        assert_eq!(
            hex_of(&dir.path().join(case["name"].as_str().unwrap())),
            want["file"].as_str().unwrap(),
            "{case}: the file"
        );
    }
}

/// numpy's messages for every bad index, shape and length; `put` on a read-only map; nothing
/// written when any index is out of range (the in-range ones before it included); mode `c` puts
/// that never reach the file; and the transfer limit on the indices and on the result, checked
/// before anything is allocated.
#[test]
fn take_and_put_refuse_what_numpy_refuses_and_what_the_limits_forbid() {
    let dir = tempfile::tempdir().unwrap();
    let original: Vec<u8> = (0..20u8).flat_map(|i| f64::from(i).to_le_bytes()).collect();
    std::fs::write(dir.path().join("x.f8"), &original).unwrap();
    let messages: Value = serde_json::from_str(&numpy::messages(
        r#"
a = np.arange(20.0).reshape(4, 5)
r = a.copy(); r.flags.writeable = False
i = lambda *v: np.array(v, dtype=np.int64)
cases = {
    "flat_high": lambda: a.flat[i(0, 20)],
    "flat_low": lambda: a.flat[i(-21)],
    "axis1": lambda: a[i(0, 1), i(0, 5)],
    "axis0": lambda: a[i(-5), i(0)],
    "mismatch": lambda: a[i(0, 1), i(0, 1, 2)],
    "mismatch_empty": lambda: a[i(0, 1), i()],
    "too_many": lambda: a[i(0), i(0), i(0)],
    "read_only": lambda: r.__setitem__((i(0), i(0)), 1.0),
    "broadcast": lambda: a.__setitem__((i(0, 1, 2),), np.zeros((2, 5))),
    "put_bad": lambda: a.__setitem__((i(0, 1), i(0, 9)), 1.0),
    "broadcast_flat": lambda: np.zeros(5).__setitem__(i(1, 2), np.zeros(3)),
}
"#,
        &[],
    ))
    .unwrap();
    let m = |name: &str| messages[name].as_str().unwrap().to_string();
    let open =
        |mode: &str| json!({"op": "open", "path": "x.f8", "dtype": "<f8", "mode": mode, "shape": [4, 5], "order": "C"});
    let ops = json!([
        open("r+"),
        {"op": "take", "map": 0, "flat": [0, 20]},
        {"op": "take", "map": 0, "flat": [-21]},
        {"op": "take", "map": 0, "axes": [[0, 1], [0, 5]]},
        {"op": "take", "map": 0, "axes": [[-5], [0]]},
        {"op": "take", "map": 0, "axes": [[0, 1], [0, 1, 2]]},
        {"op": "take", "map": 0, "axes": [[0], [0], [0]]},
        {"op": "take", "map": 0, "axes": []},
        {"op": "put", "map": 0, "axes": [[0, 1], [0, 9]], "hex": "00".repeat(16), "shape": null},
        {"op": "put", "map": 0, "axes": [[0, 1, 2]], "hex": "00".repeat(80), "shape": [2, 5]},
        {"op": "put", "map": 0, "flat": [1, 2], "hex": "00".repeat(8), "shape": null},
        {"op": "put", "map": 0, "flat": [1, 2], "hex": "00".repeat(24), "shape": [3]},
        open("r"),
        {"op": "put", "map": 1, "flat": [0], "hex": "00".repeat(8), "shape": null},
        {"op": "take", "map": 1, "flat": [19, 0]},
        open("c"),
        {"op": "put", "map": 2, "flat": [0, 0], "hex": format!("{}{}", "11".repeat(8), "22".repeat(8)), "shape": null},
        {"op": "take", "map": 2, "flat": [0]},
        {"op": "take", "map": 2, "flat": []},
        {"op": "take", "map": 2, "axes": [[]]},
        {"op": "take", "map": 0, "axes": [[0, 1], []]},
        {"op": "take", "map": 0, "axes": [[10], []]},
    ]);
    let got = take(&ops, dir.path(), None);
    let error = |i: usize| {
        (
            got[i]["error"][0].as_str().unwrap_or("none").to_string(),
            got[i]["error"][1].as_str().unwrap_or("").to_string(),
        )
    };
    let index_error = |name: &str| ("index-out-of-bounds".to_string(), m(name));
    assert_eq!(error(1), index_error("flat_high"));
    assert_eq!(error(2), index_error("flat_low"));
    assert_eq!(error(3), index_error("axis1"));
    assert_eq!(error(4), index_error("axis0"));
    assert_eq!(error(5), index_error("mismatch"));
    assert_eq!(error(6), index_error("too_many"));
    assert_eq!(error(7).0, "invalid-argument");
    assert_eq!(error(8), index_error("put_bad"));
    assert_eq!(error(9), ("mismatch".to_string(), m("broadcast")));
    assert_eq!(
        error(10),
        (
            "mismatch".into(),
            "8 bytes were given but the selection of shape (2,) holds 2 elements of float64, 16 bytes".into()
        )
    );
    assert_eq!(error(11), ("mismatch".to_string(), m("broadcast_flat")), "a data-shape that does not broadcast");
    assert_eq!(error(13), ("read-only".to_string(), m("read_only")));
    let le = |v: &[f64]| -> String { v.iter().flat_map(|x| x.to_ne_bytes()).map(|b| format!("{b:02x}")).collect() };
    assert_eq!(got[14]["hex"], le(&[19.0, 0.0]));
    assert_eq!(got[16], json!({"ok": true}));
    assert_eq!(got[17]["hex"], "22".repeat(8), "the last of repeated positions wins");
    assert_eq!(got[18]["hex"], "");
    assert_eq!(got[19]["hex"], "");
    // Lengths 2 and 0 do not broadcast; a length-1 array beside an empty one takes nothing, and
    // numpy does not check its index then (`a[[10], []]` is empty).
    assert_eq!(error(20), index_error("mismatch_empty"));
    assert_eq!(got[21]["hex"], "");
    // Nothing was written by the refused puts, and mode `c` never reaches the file.
    assert_eq!(std::fs::read(dir.path().join("x.f8")).unwrap(), original);

    // The transfer limit: indices at 8 bytes each, and the result, before anything is allocated.
    let limits = MemmapLimits { max_transfer_bytes: 64, ..MemmapLimits::default() };
    let ops = json!([
        open("r+"),
        {"op": "take", "map": 0, "flat": [0, 1, 2, 3, 4, 5, 6, 7]},
        {"op": "take_many", "map": 0, "count": 9},
        {"op": "take", "map": 0, "axes": [[0, 1]]},
        {"op": "put", "map": 0, "axes": [[0, 1]], "hex": "00".repeat(8), "shape": [1]},
        {"op": "take_many", "map": 0, "count": 100_000},
    ]);
    let got = take(&ops, dir.path(), Some(limits));
    assert_eq!(got[1]["hex"].as_str().unwrap().len(), 128);
    let over = |what: &str, bytes: u64| {
        json!([
            "limit-exceeded",
            format!(
                "{what} of {bytes} bytes is over the limit of 64 bytes per call; move the data in smaller selections"
            )
        ])
    };
    assert_eq!(got[2]["error"], over("an index list", 72));
    assert_eq!(got[3]["error"], over("a take", 80));
    assert_eq!(got[4]["error"], over("a put", 80), "a broadcast value filling more than the limit");
    assert_eq!(got[5]["error"], over("an index list", 800_000));
}
