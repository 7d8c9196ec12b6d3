//! The `random` interface (`generator.create`, `draw`, `fill`) against numpy's
//! `np.random.default_rng(seed)` drawing the same calls in the same order: bit-identical values for
//! integer, big-integer and list seeds, fills of strided, reversed and big-endian selections of
//! float and integer files (with numpy's rounding to float16 and float32), streams longer than one
//! block, numpy's messages for bad parameters, and the refusals: other element types, read-only
//! and closed maps, the transfer limit, and the limit on live handles.

use serde_json::{Value, json};
use wasm_memmap_host::MemmapLimits;
use wasm_memmap_tests::numpy;

use crate::bytes::hostcalls;

/// numpy's side: the seed words numpy makes of each seed (`_coerce_to_uint32_array`, what
/// `SeedSequence` mixes), then each seed's draws and fills, in order, on one generator; for each
/// fill the file's bytes after it.
const SCRIPT: &str = r#"
import json, math
from numpy.random.bit_generator import _coerce_to_uint32_array
seeds, steps, files = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
def call(rng, dist, size):
    (name, p), = dist.items()
    if name == "random":
        return rng.random(size)
    if name == "standard_normal":
        return rng.standard_normal(size)
    if name == "normal":
        return rng.normal(p[0], p[1], size)
    return rng.integers(p[0], p[1], size, endpoint=p[2])
out = []
for seed in seeds:
    rng = np.random.default_rng(seed)
    results = []
    for step in steps:
        if "count" in step:
            results.append(call(rng, step["dist"], step["count"]).astype("=f8" if "integers" not in step["dist"] else "=i8").tobytes().hex())
        else:
            f = files[step["file"]]
            path = f"{f['path']}-{len(out)}"
            m = np.memmap(path, dtype=f["dtype"], mode="w+", shape=tuple(f["shape"]), order=f["order"])
            v = eval(f"m[{step['index']}]") if step["index"] else m
            v[...] = call(rng, step["dist"], v.size).reshape(v.shape)
            m.flush()
            results.append(np.asarray(m).tobytes(order="A").hex())
    out.append({"words": [int(w) for w in _coerce_to_uint32_array(seed)], "results": results})
print(json.dumps(out))
"#;

#[test]
fn draws_and_fills_are_numpys_for_every_seed_kind() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = json!([0, 12345, (1u64 << 40) + 7, [1, 2, 3]]);
    // (name, dtype, shape, order)
    let files = json!({
        "f8": {"dtype": "float64", "shape": [4, 5], "order": "C"},
        "f4": {"dtype": "<f4", "shape": [7], "order": "C"},
        "f2": {"dtype": ">f2", "shape": [3, 4], "order": "F"},
        "i2": {"dtype": ">i2", "shape": [10], "order": "C"},
        "u1": {"dtype": "uint8", "shape": [4, 4], "order": "F"},
        "i8": {"dtype": "int64", "shape": [6], "order": "C"},
        "long": {"dtype": "float64", "shape": [400000], "order": "C"},
        "longf2": {"dtype": "<f2", "shape": [300000], "order": "C"},
    });
    let steps = json!([
        {"dist": {"random": null}, "count": 5},
        {"dist": {"standard_normal": null}, "count": 1000},
        {"dist": {"normal": [10.0, 2.5]}, "count": 7},
        {"dist": {"integers": [-5, 5, false]}, "count": 21},
        {"dist": {"integers": [0, 256, false]}, "count": 9},
        {"dist": {"integers": [0, 1u64 << 40, false]}, "count": 5},
        {"dist": {"integers": [i64::MIN, i64::MAX, true]}, "count": 3},
        {"dist": {"integers": [7, 7, true]}, "count": 2},
        {"dist": {"integers": [5, 5, false]}, "count": 0},
        {"dist": {"standard_normal": null}, "count": 140_000},
        {"file": "f8", "index": "::-1, 1::2", "dist": {"standard_normal": null}},
        {"file": "f4", "index": "", "dist": {"random": null}},
        {"file": "f2", "index": "..., ::-1", "dist": {"normal": [0.0, 100.0]}},
        {"file": "i2", "index": "::3", "dist": {"integers": [-300, 300, false]}},
        {"file": "u1", "index": "1:3", "dist": {"integers": [0, 255, true]}},
        {"file": "i8", "index": "None, ::-1", "dist": {"integers": [-10, 10, false]}},
        {"file": "long", "index": "::-3", "dist": {"standard_normal": null}},
        {"file": "longf2", "index": "", "dist": {"random": null}},
        {"dist": {"random": null}, "count": 3},
    ]);
    let mut files_with_paths = files.clone();
    for (name, file) in files_with_paths.as_object_mut().unwrap() {
        file["path"] = json!(dir.path().join(name));
    }
    let expected: Vec<Value> = serde_json::from_str(&numpy::run(
        SCRIPT,
        &[&seeds.to_string(), &steps.to_string(), &files_with_paths.to_string()],
    ))
    .unwrap();

    // The WIT's own examples of seed words hold for numpy.
    let words: Vec<&Value> = expected.iter().map(|e| &e["words"]).collect();
    assert_eq!(words, [&json!([0]), &json!([12345]), &json!([7, 256]), &json!([1, 2, 3])]);

    for (s, want) in expected.iter().enumerate() {
        let mut ops = vec![json!({"op": "rng", "seed": want["words"]})];
        let mut maps = 0;
        for step in steps.as_array().unwrap() {
            if let Some(count) = step.get("count") {
                ops.push(json!({"op": "draw", "rng": 0, "dist": step["dist"], "count": count}));
            } else {
                let file = &files[step["file"].as_str().unwrap()];
                let path = format!("{}-{s}", step["file"].as_str().unwrap());
                // numpy's file starts as zeros; so does the plugin's (`w+`).
                ops.push(json!({"op": "open", "path": path, "dtype": file["dtype"], "mode": "w+",
                    "shape": file["shape"], "order": file["order"]}));
                ops.push(json!({"op": "fill", "rng": 0, "dist": step["dist"], "map": maps, "index": step["index"]}));
                maps += 1;
            }
        }
        let got = hostcalls(&Value::from(ops), dir.path(), None);
        assert_eq!(got[0], json!({"ok": true}), "seed {}", seeds[s]);
        let mut at = 1;
        let mut m = 0;
        for (step, result) in steps.as_array().unwrap().iter().zip(want["results"].as_array().unwrap()) {
            let what = format!("seed {}: {step}", seeds[s]);
            if step.get("count").is_some() {
                assert_eq!(got[at]["hex"], *result, "{what}");
                at += 1;
            } else {
                assert_eq!(got[at], json!({"ok": true}), "{what}: open");
                assert_eq!(got[at + 1], json!({"ok": true}), "{what}: fill");
                at += 2;
                let path = format!("{}-{s}", step["file"].as_str().unwrap());
                let bytes = std::fs::read(dir.path().join(&path)).unwrap();
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                assert!(hex == result.as_str().unwrap(), "{what}: the file's bytes differ from numpy's");
                m += 1;
            }
        }
        assert_eq!(m, 8);
    }
}

#[test]
fn bad_parameters_get_numpys_messages_and_fills_are_refused_as_writes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.i4"), [0u8; 40]).unwrap();
    let messages: Value = serde_json::from_str(&numpy::messages(
        r#"
rng = np.random.default_rng(0)
r = np.zeros(3); r.flags.writeable = False
cases = {
    "scale": lambda: rng.normal(0, -1),
    "scale_empty": lambda: rng.normal(0, -1, size=0),
    "low_high": lambda: rng.integers(5, 5),
    "high_zero": lambda: rng.integers(0, 0),
    "endpoint": lambda: rng.integers(5, 4, endpoint=True),
    "empty": lambda: rng.integers(5, 5, size=0),
    "read_only": lambda: r.__setitem__(slice(None), 1.0),
}
"#,
        &[],
    ))
    .unwrap();
    let open = |path: &str, dtype: &str, mode: &str| json!({"op": "open", "path": path, "dtype": dtype, "mode": mode, "shape": [10], "order": "C"});
    let ops = json!([
        {"op": "rng", "seed": [0]},
        {"op": "draw", "rng": 0, "dist": {"normal": [0.0, -1.0]}, "count": 1},
        {"op": "draw", "rng": 0, "dist": {"normal": [0.0, -1.0]}, "count": 0},
        {"op": "draw", "rng": 0, "dist": {"integers": [5, 5, false]}, "count": 1},
        {"op": "draw", "rng": 0, "dist": {"integers": [0, 0, false]}, "count": 1},
        {"op": "draw", "rng": 0, "dist": {"integers": [5, 4, true]}, "count": 1},
        {"op": "draw", "rng": 0, "dist": {"integers": [5, 5, false]}, "count": 0},
        {"op": "draw", "rng": 0, "dist": {"random": null}, "count": 1u64 << 62},
        {"op": "draw", "rng": 0, "dist": {"random": null}, "count": u64::MAX},
        open("x.i4", "int32", "r+"),
        open("x.f8", "float64", "w+"),
        open("x.i4", "int32", "r"),
        {"op": "fill", "rng": 0, "dist": {"standard_normal": null}, "map": 0, "index": ""},
        {"op": "fill", "rng": 0, "dist": {"integers": [0, 1u64 << 31, true]}, "map": 0, "index": ""},
        {"op": "fill", "rng": 0, "dist": {"integers": [-5, 5, false]}, "map": 1, "index": ""},
        {"op": "fill", "rng": 0, "dist": {"random": null}, "map": 2, "index": ""},
        {"op": "fill", "rng": 0, "dist": {"integers": [0, 1u64 << 31, true]}, "map": 0, "index": ":0"},
        {"op": "fill", "rng": 0, "dist": {"integers": [-5, 5, false]}, "map": 2, "index": ""},
        {"op": "fill", "rng": 0, "dist": {"integers": [-5, 5, false]}, "map": 0, "index": "20"},
        {"op": "close", "map": 0},
        {"op": "fill", "rng": 0, "dist": {"integers": [-5, 5, false]}, "map": 0, "index": ""},
        {"op": "fill", "rng": 0, "dist": {"normal": [1.0, -2.0]}, "map": 1, "index": ""},
        {"op": "rng", "seed": null},
        {"op": "rng", "seed": null},
        {"op": "draw", "rng": 1, "dist": {"random": null}, "count": 4},
        {"op": "draw", "rng": 2, "dist": {"random": null}, "count": 4},
    ]);
    let got =
        hostcalls(&ops, dir.path(), Some(MemmapLimits { max_transfer_bytes: 1 << 20, ..MemmapLimits::default() }));
    let error = |i: usize| {
        (
            got[i]["error"][0].as_str().unwrap_or("none").to_string(),
            got[i]["error"][1].as_str().unwrap_or("").to_string(),
        )
    };
    let numpy_says = |name: &str| ("invalid-argument".to_string(), messages[name].as_str().unwrap().to_string());
    assert_eq!(got[0], json!({"ok": true}));
    assert_eq!(error(1), numpy_says("scale"));
    assert_eq!(error(2), numpy_says("scale_empty"));
    assert_eq!(error(3), numpy_says("low_high"));
    assert_eq!(error(4), numpy_says("high_zero"));
    assert_eq!(error(5), numpy_says("endpoint"));
    assert_eq!(messages["empty"], Value::Null);
    assert_eq!(got[6], json!({"hex": ""}), "an empty draw, whose bounds numpy does not check");
    let over = format!(
        "a draw of {} bytes is over the limit of 1048576 bytes per call; move the data in smaller selections",
        u64::MAX
    );
    assert_eq!(error(7), ("limit-exceeded".to_string(), over), "2**62 values of 8 bytes");
    assert_eq!(error(8).0, "limit-exceeded");
    assert_eq!(error(12).0, "mismatch", "floats into an int32 array: {:?}", error(12));
    assert_eq!(
        error(13),
        (
            "mismatch".into(),
            "integers from 0 to 2147483648 do not fit in a memmap of int32, which holds -2147483648 to 2147483647"
                .into()
        )
    );
    assert_eq!(error(14).0, "mismatch", "integers into a float64 array");
    assert_eq!(error(15).0, "mismatch", "floats into a read-only int32 array are the wrong kind first");
    assert_eq!(got[16], json!({"ok": true}), "an empty selection draws nothing");
    assert_eq!(error(17), ("read-only".into(), messages["read_only"].as_str().unwrap().into()));
    assert_eq!(error(18), ("index-out-of-bounds".into(), "index 20 is out of bounds for axis 0 with size 10".into()));
    assert_eq!(error(20).0, "invalid-argument");
    assert!(error(20).1.contains("was closed"), "{:?}", error(20));
    assert_eq!(error(21), numpy_says("scale"));
    assert_eq!((&got[22], &got[23]), (&json!({"ok": true}), &json!({"ok": true})));
    assert_ne!(got[24]["hex"], got[25]["hex"], "generators seeded from the host's entropy differ");
}

/// Generators are handles: a plugin cannot make more than the embedder's limit on live handles
/// (shared with its maps and views), and dropping them frees their places.
#[test]
fn generators_count_against_the_live_handle_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.u1"), [0u8; 10]).unwrap();
    let limits = MemmapLimits { max_handles: 50, ..MemmapLimits::default() };
    let ops = json!([
        {"op": "open", "path": "x.u1", "dtype": "uint8", "mode": "r", "shape": [10], "order": "C"},
        {"op": "rngs", "count": 1_000_000},
        {"op": "drop_rngs"},
        {"op": "rngs", "count": 10},
        {"op": "draw", "rng": 9, "dist": {"random": null}, "count": 1},
    ]);
    let got = hostcalls(&ops, dir.path(), Some(limits));
    assert_eq!(
        got[1],
        json!({"made": 49, "error": ["limit-exceeded", "another random generator would make 51 live handles, over the limit of 50; drop handles you no longer need"]})
    );
    assert_eq!(got[3], json!({"made": 10}));
    let want = numpy::run("print(np.random.default_rng(9).random(1).tobytes().hex())", &[]);
    assert_eq!(got[4]["hex"], want.trim());
}
