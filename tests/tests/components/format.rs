//! The `format` interface (`format-memmap`, `format-bytes`) against numpy's own `repr` and `str`
//! of the same selections of the same files, under numpy's print options (`precision`,
//! `threshold`, `edgeitems`, `linewidth`, `suppress`, `floatmode`, `sign`, `legacy='2.1'`), and
//! its refusals: malformed class names, data that do not fill the shape, and prints past the
//! per-call transfer limit.

use serde_json::{Value, json};
use wasm_memmap_host::MemmapLimits;
use wasm_memmap_tests::numpy;

use crate::bytes::hostcalls;

/// numpy's side: makes each file, then for each view and each set of options gives `repr` and
/// `str` of the memmap view, the view's elements as native bytes, and `repr`/`str` of the array
/// made from those bytes (what `format-bytes` prints).
const SCRIPT: &str = r#"
import json, math, warnings
warnings.simplefilter("ignore")
files, views, options = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
rng = np.random.default_rng(3)
def values(dt, n, style):
    if dt.kind == "b":
        return rng.integers(0, 2, size=n).astype(dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(max(info.min, -10**6) if style else info.min, min(info.max, 10**6) if style else info.max, size=n, endpoint=True).astype(dt)
    k = 2 if dt.kind == "c" else 1
    v = rng.standard_normal(n * k) * 10
    if style == "wide":
        v *= 10.0 ** rng.integers(-5, 7, size=n * k)
    if style == "special":
        v[:4] = [np.nan, np.inf, -np.inf, -0.0]
    return (v.view(np.complex128) if dt.kind == "c" else v).astype(dt)
out = []
for f in files:
    dt = np.dtype(f["dtype"])
    shape = tuple(f["shape"])
    values(dt, math.prod(shape), f["style"]).tofile(f["path"])
    m = np.memmap(f["path"], dtype=dt, mode="r", shape=shape, order=f["order"])
    per_file = []
    for view in views[f["name"]]:
        v = eval(f"m[{view}]") if view else m
        native = dt.newbyteorder("=")
        data = np.ascontiguousarray(v).astype(native).tobytes()
        a = np.frombuffer(data, native).reshape(v.shape)
        texts = []
        for o in options:
            with np.printoptions(**o):
                texts.append([repr(v), str(v), repr(a), str(a)])
        per_file.append({"view": view, "class": "array" if type(v) is np.ndarray else type(v).__name__, "shape": list(v.shape), "hex": data.hex(), "texts": texts})
    out.append(per_file)
print(json.dumps(out))
"#;

fn options() -> Vec<Value> {
    vec![
        json!({}),
        json!({"precision": 3}),
        json!({"threshold": 10, "edgeitems": 2}),
        json!({"threshold": 10, "edgeitems": 1, "legacy": "2.1"}),
        json!({"linewidth": 30}),
        json!({"suppress": true}),
        json!({"floatmode": "fixed", "precision": 4}),
        json!({"floatmode": "unique"}),
        json!({"floatmode": "maxprec_equal", "precision": 5}),
        json!({"sign": "+"}),
        json!({"sign": " ", "linewidth": 50, "precision": 2, "floatmode": "fixed"}),
        json!({"legacy": "2.1"}),
        json!({"edgeitems": 0, "threshold": 5}),
    ]
}

/// (name, dtype, shape, order, style of values, views).
type File = (&'static str, &'static str, Vec<u64>, &'static str, &'static str, Vec<&'static str>);

#[test]
fn format_memmap_and_format_bytes_print_as_numpy_does() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<File> = vec![
        ("f8", "float64", vec![4, 5], "C", "wide", vec!["", "::-1, 1::2", "2", "1, 2, ..."]),
        ("f8be", ">f8", vec![3, 4], "F", "", vec!["", ":, None, ::-3"]),
        ("f8long", "float64", vec![2000], "C", "", vec!["", "::-7", "5:8"]),
        ("f8cube", "float64", vec![12, 10, 10], "C", "wide", vec!["", "3"]),
        ("f4", "float32", vec![6], "C", "special", vec!["", "::2"]),
        ("f2", ">f2", vec![3, 3], "C", "wide", vec!["", "1"]),
        ("c16", "complex128", vec![2, 3], "C", "special", vec!["", "..., 0"]),
        ("c8", ">c8", vec![5], "C", "wide", vec![""]),
        ("i8", "int64", vec![4, 3], "F", "", vec!["", "::-1"]),
        ("i2", ">i2", vec![1500], "C", "small", vec!["", "10:14"]),
        ("u1", "uint8", vec![7], "C", "", vec!["", ":0", "3, ..."]),
        ("b1", "bool", vec![2, 4], "C", "", vec!["", "0, 1, ..."]),
    ];
    let files_json: Vec<Value> = files
        .iter()
        .map(|(name, dtype, shape, order, style, _)| {
            json!({"name": name, "dtype": dtype, "shape": shape, "order": order, "style": style,
                "path": dir.path().join(name)})
        })
        .collect();
    let views: serde_json::Map<String, Value> =
        files.iter().map(|(name, .., views)| ((*name).to_string(), json!(views))).collect();
    let options = options();
    let expected: Vec<Value> = serde_json::from_str(&numpy::run(
        SCRIPT,
        &[
            &Value::from(files_json).to_string(),
            &Value::Object(views).to_string(),
            &Value::from(options.clone()).to_string(),
        ],
    ))
    .unwrap();

    let mut ops = Vec::new();
    let mut wanted = Vec::new();
    for (i, ((name, dtype, shape, order, ..), per_file)) in files.iter().zip(&expected).enumerate() {
        ops.push(json!({"op": "open", "path": name, "dtype": dtype, "mode": "r", "shape": shape, "order": order}));
        wanted.push((format!("open {name}"), json!({"ok": true})));
        for view in per_file.as_array().unwrap() {
            for (o, texts) in options.iter().zip(view["texts"].as_array().unwrap()) {
                let what = |style: &str| format!("{style} of {name}[{}] with {o}", view["view"]);
                let index = &view["view"];
                // numpy's own class name: `memmap` for a view, `ndarray`'s `array` for an empty one.
                ops.push(json!({"op": "repr", "map": i, "index": index, "class": view["class"], "options": o}));
                wanted.push((what("repr"), json!({"text": texts[0]})));
                ops.push(json!({"op": "str", "map": i, "index": index, "options": o}));
                wanted.push((what("str"), json!({"text": texts[1]})));
                let bytes =
                    json!({"dtype": dtype, "shape": view["shape"], "hex": view["hex"], "class": "array", "options": o});
                let mut op = bytes.clone();
                op["op"] = json!("repr_bytes");
                ops.push(op);
                wanted.push((what("format-bytes repr"), json!({"text": texts[2]})));
                let mut op = bytes;
                op["op"] = json!("str_bytes");
                ops.push(op);
                wanted.push((what("format-bytes str"), json!({"text": texts[3]})));
            }
        }
    }
    let got = hostcalls(&Value::from(ops), dir.path(), None);
    assert_eq!(got.len(), wanted.len());
    for (got, (what, want)) in got.iter().zip(&wanted) {
        assert_eq!(got, want, "{what}");
    }
    assert!(wanted.len() > 1000, "{} prints compared", wanted.len());
}

#[test]
fn format_refuses_bad_class_names_mismatched_data_and_prints_past_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.f8"), vec![0u8; 8 * 100_000]).unwrap();
    let limits = MemmapLimits { max_transfer_bytes: 64 << 10, ..MemmapLimits::default() };
    let ops = json!([
        {"op": "open", "path": "big.f8", "dtype": "float64", "mode": "r", "shape": [100000], "order": "C"},
        {"op": "repr", "map": 0, "index": "", "class": "memmap", "options": {}},
        {"op": "repr", "map": 0, "index": "", "class": "x".repeat(1 << 20), "options": {}},
        {"op": "repr", "map": 0, "index": "", "class": "a(b)", "options": {}},
        {"op": "repr", "map": 0, "index": "", "class": "memmap", "options": {"threshold": 1u64 << 63}},
        {"op": "repr", "map": 0, "index": ":5000", "class": "memmap", "options": {"threshold": 1u64 << 63}},
        {"op": "repr", "map": 0, "index": "", "class": "memmap", "options": {"edgeitems": 4000}},
        {"op": "repr", "map": 0, "index": ":10", "class": "memmap", "options": {"precision": 100000, "floatmode": "fixed"}},
        {"op": "str", "map": 0, "index": ":2", "options": {"precision": 4_000_000_000u64, "floatmode": "maxprec"}},
        {"op": "repr_bytes", "dtype": "float64", "shape": [1], "hex": "00".repeat(7), "options": {}},
        {"op": "repr_bytes", "dtype": "float64", "shape": [1u64 << 40, 1u64 << 40], "hex": "00".repeat(8), "options": {}},
        {"op": "repr_bytes", "dtype": "float64", "shape": vec![1; 65], "hex": "00".repeat(8), "options": {}},
        {"op": "repr_bytes", "dtype": "float64", "shape": [0, 1u64 << 40], "hex": "", "options": {}},
        {"op": "repr_bytes", "dtype": ">i4", "shape": [], "hex": "05000000", "options": {}},
        {"op": "close", "map": 0},
        {"op": "repr", "map": 0, "index": "", "class": "memmap", "options": {}},
    ]);
    let got = hostcalls(&ops, dir.path(), Some(limits));
    let code = |i: usize| got[i]["error"][0].as_str().unwrap_or("none").to_string();
    let message = |i: usize| got[i]["error"][1].as_str().unwrap_or("").to_string();
    let want = numpy::run(
        r#"
import json
print(json.dumps([repr(np.zeros(100000)), repr(np.zeros((0, 2**40))), repr(np.array(5, dtype=np.int32))]))
"#,
        &[],
    );
    let want: Vec<String> = serde_json::from_str(&want).unwrap();
    assert_eq!(got[1]["text"], want[0].replace("array", "memmap"));
    assert_eq!(code(2), "invalid-argument");
    assert!(message(2).contains("longer than the 256 bytes allowed"), "{}", message(2));
    assert_eq!(code(3), "invalid-argument");
    assert!(message(3).contains("not a Python identifier"), "{}", message(3));
    // 100,000 elements are 800,000 bytes to read.
    assert_eq!(code(4), "limit-exceeded");
    assert!(message(4).starts_with("printing this array would read 100000 elements"), "{}", message(4));
    assert!(
        message(4).ends_with("over the limit of 65536 bytes per call; lower threshold or edgeitems"),
        "{}",
        message(4)
    );
    // 5000 elements are 40,000 bytes to read, but their text could be larger than the limit.
    assert_eq!(code(5), "limit-exceeded");
    assert!(message(5).starts_with("printing this array could make up to"), "{}", message(5));
    assert_eq!(code(6), "limit-exceeded", "edgeitems 4000 keeps 8000 elements");
    assert_eq!(code(7), "limit-exceeded", "10 elements of 100,000 digits each");
    assert_eq!(got[8]["text"], "[0. 0.]", "a huge precision prints only the digits needed");
    assert_eq!(
        (code(9), message(9)),
        ("mismatch".into(), "7 bytes were given but shape (1,) holds 1 elements of float64, 8 bytes".into())
    );
    assert_eq!(code(10), "mismatch");
    assert_eq!(
        message(10),
        "8 bytes were given but shape (1099511627776, 1099511627776) holds 1208925819614629174706176 elements of float64, more than 2**64 bytes"
            .replace("1208925819614629174706176", "more than 2**64")
    );
    assert_eq!(code(11), "invalid-argument");
    assert_eq!(got[12]["text"], want[1]);
    assert_eq!(got[13]["text"], want[2]);
    assert_eq!(code(15), "invalid-argument");
}
