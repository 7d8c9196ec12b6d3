//! The host's native reductions (`sum`, `min`, `max`, `mean`) and the SDK's `chunks` and
//! `read_into`, against numpy on the same files.

use wasm_memmap_guest_artifacts::test_programs::REDUCE;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// How the result of a reduction is compared with numpy's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Compare {
    /// The same bits as numpy's `a[index].sum()` / `.mean()`.
    Exact,
    /// Within a relative 1e-12 of numpy's `a[index].sum(dtype=np.float64)`: numpy converts other
    /// kinds (and byte-swapped float64) through 8192-element buffers, and walks reversed or
    /// multi-dimensional strided selections in its own blocks, so its rounding differs in the
    /// last bits.
    Close,
}

/// (dtype, contents, shape, index, how sums compare).
const CASES: &[(&str, &str, &str, &str, Compare)] = &[
    ("float64", "normal", "40,1000", "...", Compare::Exact),
    ("float64", "normal", "40,1000", "::2", Compare::Close),
    ("float64", "normal", "40,1000", ":, 7", Compare::Exact),
    ("float64", "normal", "40,1000", "3:30, 5:905", Compare::Close),
    ("float64", "normal", "40,1000", "::-1, ::-3", Compare::Close),
    ("float64", "normal", "40,1000", "0:0", Compare::Exact),
    ("float64", "normal", "12345", "...", Compare::Exact),
    ("float64", "normal", "5", "...", Compare::Exact),
    ("float64", "negzero", "20", "...", Compare::Exact),
    ("float64", "nan", "100", "...", Compare::Exact),
    ("float64", "normal", "3,50,70", "...", Compare::Exact),
    ("float64", "normal", "2,20000", "...", Compare::Exact),
    ("float64", "normal", "2,20000", ":, ::-7", Compare::Close),
    (">f8", "normal", "40,1000", "...", Compare::Close),
    ("float32", "normal", "50,60", "...", Compare::Close),
    ("float16", "normal", "500", "...", Compare::Close),
    ("int32", "ints", "50,60", "...", Compare::Close),
    (">i2", "ints", "50,60", "1:, ::4", Compare::Close),
    ("uint8", "ints", "1000", "1::3", Compare::Close),
    ("int64", "ints", "1000", "...", Compare::Close),
    ("uint64", "ints", "1000", "...", Compare::Close),
    ("bool", "ints", "1000", "...", Compare::Close),
    ("complex128", "normal", "10", "...", Compare::Exact),
];

/// numpy's side: makes each file, then computes what each reduction gives (or the error it raises)
/// and the selection's values in C order.
const SCRIPT: &str = r#"
import json, warnings
warnings.simplefilter("ignore")
cases = json.loads(sys.argv[1])
rng = np.random.default_rng(7)
hexbits = lambda x: f"{np.float64(x).view(np.uint64):016x}"
out = []
for c in cases:
    shape = tuple(int(d) for d in c["shape"].split(","))
    dt = np.dtype(c["dtype"])
    n = int(np.prod(shape))
    if c["contents"] == "normal":
        v = rng.standard_normal(n * (2 if dt.kind == "c" else 1)) * 1000
        v = v.view(np.complex128) if dt.kind == "c" else v
    elif c["contents"] == "negzero":
        v = np.full(n, -0.0)
    elif c["contents"] == "nan":
        v = rng.standard_normal(n)
        v[n // 2] = np.nan
    else:
        info = np.iinfo(dt) if dt.kind in "iu" else None
        lo, hi = (info.min, info.max) if info else (0, 2)
        v = rng.integers(lo, hi, size=n, endpoint=bool(info), dtype=np.int64 if dt.kind != "u" else np.uint64)
    np.asarray(v).astype(dt).tofile(c["file"])
    a = np.memmap(c["file"], dtype=dt, mode="r", shape=shape)
    sel = eval(f"a[{c['index']}]")
    r = {}
    for op in ["sum", "min", "max", "mean"]:
        try:
            if op in ("sum", "mean") and dt != np.float64:
                val = getattr(sel, op)(dtype=np.float64)
            else:
                val = getattr(sel, op)()
            r[op] = {"bits": hexbits(val)} if dt.kind != "c" else {"complex": True}
        except ValueError as e:
            r[op] = {"numpy_error": str(e)}
    if dt == np.float64:
        r["values"] = [hexbits(x) for x in np.asarray(sel).ravel()]
    out.append(r)
print(json.dumps(out))
"#;

fn bits_to_f64(hex: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(hex, 16).unwrap())
}

#[test]
fn reductions_chunks_and_read_into_match_numpy() {
    let dir = tempfile::tempdir().unwrap();
    let numpy_cases: Vec<serde_json::Value> = CASES
        .iter()
        .enumerate()
        .map(|(i, (dtype, contents, shape, index, _))| {
            serde_json::json!({ "dtype": dtype, "contents": contents, "shape": shape, "index": index,
                "file": dir.path().join(format!("case-{i}")) })
        })
        .collect();
    let expected: Vec<serde_json::Value> =
        serde_json::from_str(&numpy::run(SCRIPT, &[&serde_json::Value::from(numpy_cases).to_string()])).unwrap();

    let mut compared = 0;
    for (i, ((dtype, contents, shape, index, compare), want)) in CASES.iter().zip(&expected).enumerate() {
        let what = format!("a[{index}] of a {dtype} array ({contents}) of shape ({shape})");
        let file = format!("case-{i}");
        let run = run_in(REDUCE, &[&file, dtype, shape, index], dir.path());
        let text = run.stdout_text();
        assert!(matches!(run.status, Status::Exited(0)), "{what}: {text}");
        let got: serde_json::Value = serde_json::from_str(&text).unwrap();
        for op in ["sum", "min", "max", "mean"] {
            let (ours, theirs) = (&got[op], &want[op]);
            if theirs.get("complex").is_some() {
                assert_eq!(ours["error"][0], "invalid-argument", "{what}: {op} of a complex array: {ours}");
                compared += 1;
                continue;
            }
            if let Some(message) = theirs.get("numpy_error") {
                assert_eq!(ours["error"][0], "invalid-argument", "{what}: {op}: {ours}");
                assert_eq!(&ours["error"][1], message, "{what}: {op} says numpy's message");
                compared += 1;
                continue;
            }
            let ours_hex = ours["bits"].as_str().unwrap_or_else(|| panic!("{what}: {op} failed: {ours}"));
            let theirs_hex = theirs["bits"].as_str().unwrap();
            let exact = *compare == Compare::Exact || op == "min" || op == "max";
            if exact {
                assert_eq!(
                    ours_hex,
                    theirs_hex,
                    "{what}: {op} is {} but numpy says {}",
                    bits_to_f64(ours_hex),
                    bits_to_f64(theirs_hex)
                );
            } else {
                let (o, t) = (bits_to_f64(ours_hex), bits_to_f64(theirs_hex));
                assert!(
                    (o - t).abs() <= 1e-12 * t.abs().max(1.0) || (o.is_nan() && t.is_nan()),
                    "{what}: {op} is {o} but numpy says {t}"
                );
            }
            compared += 1;
        }
        if let Some(values) = want.get("values") {
            let chunks = &got["chunks"];
            assert_eq!(&chunks["bits"], values, "{what}: the chunks hold the selection in C order");
            let max_bytes = chunks["max_bytes"].as_u64().unwrap();
            for len in chunks["lengths"].as_array().unwrap() {
                let len = len.as_u64().unwrap();
                assert!(len > 0 && len * 8 <= max_bytes, "{what}: a chunk of {len} elements");
            }
            assert_eq!(&got["read_into"]["bits"], values, "{what}: read_into fills the buffer in C order");
            assert_eq!(got["read_into"]["too_long"][0], "mismatch", "{what}: a buffer of the wrong length");
            assert_eq!(got["chunks_of_f32"], "mismatch", "{what}: chunks of another kind");
        }
    }
    assert_eq!(compared, CASES.len() * 4);
}

#[test]
fn a_large_float64_sum_has_numpys_bits_and_chunks_are_cache_sized() {
    // 2,000,000 elements: a deep pairwise recursion and many chunks.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big");
    let want = numpy::run(
        "import json\nrng = np.random.default_rng(11)\n\
         a = rng.standard_normal((1000, 2000)) + 3\n\
         a.tofile(sys.argv[1])\n\
         m = np.memmap(sys.argv[1], dtype='float64', mode='r', shape=(1000, 2000))\n\
         print(json.dumps([f'{np.float64(x).view(np.uint64):016x}' for x in (m.sum(), m.min(), m.max(), m.mean())]))",
        &[path.to_str().unwrap()],
    );
    let want: Vec<String> = serde_json::from_str(want.trim()).unwrap();
    let run = run_in(REDUCE, &["big", "float64", "1000,2000", "..."], dir.path());
    let got: serde_json::Value = serde_json::from_str(&run.stdout_text()).unwrap();
    for (op, want) in ["sum", "min", "max", "mean"].iter().zip(&want) {
        assert_eq!(got[op]["bits"], *want, "{op} of 1000x2000 float64");
    }
    assert_eq!(got["chunks"]["same_as_read_into"], true, "chunks and read_into read the same values");
    let lengths = got["chunks"]["lengths"].as_array().unwrap();
    let max_bytes = got["chunks"]["max_bytes"].as_u64().unwrap();
    // Whole rows per chunk: as many 2000-element rows as fit.
    let per_chunk = max_bytes / 8 / 2000 * 2000;
    assert!(lengths.iter().all(|l| l.as_u64().unwrap() <= per_chunk));
    assert_eq!(lengths.iter().map(|l| l.as_u64().unwrap()).sum::<u64>(), 2_000_000);
    assert_eq!(u64::try_from(lengths.len()).unwrap(), 2_000_000_u64.div_ceil(per_chunk));
}

#[test]
fn runs_large_enough_to_be_summed_on_several_threads_keep_numpys_bits() {
    // Contiguous runs of 4 MiB or more are summed in parts on separate threads (`reduce.rs`): an
    // odd count, a run that starts and ends inside the file, and int16 (whose sum is exact in any
    // order, so equal bits show that no element was lost or counted twice at the cuts).
    let cases = [("float64", "5:-3"), ("float64", "..."), ("int16", "..."), ("int16", "7:")];
    let dir = tempfile::tempdir().unwrap();
    let want = numpy::run(
        "import json\nrng = np.random.default_rng(13)\n\
         n = 3_000_001\n\
         (rng.standard_normal(n) * 1000).tofile(sys.argv[1] + '/float64')\n\
         rng.integers(-32768, 32768, size=n).astype(np.int16).tofile(sys.argv[1] + '/int16')\n\
         out = []\n\
         for dt, index in json.loads(sys.argv[2]):\n\
         \x20   a = eval(f\"np.memmap(sys.argv[1] + '/{dt}', dtype='{dt}', mode='r')[{index}]\")\n\
         \x20   out.append([f'{np.float64(x).view(np.uint64):016x}' for x in (a.sum(dtype=np.float64), a.mean(dtype=np.float64))])\n\
         print(json.dumps(out))",
        &[dir.path().to_str().unwrap(), &serde_json::to_string(&cases).unwrap()],
    );
    let want: Vec<[String; 2]> = serde_json::from_str(want.trim()).unwrap();
    for ((dtype, index), [sum, mean]) in cases.iter().zip(&want) {
        let run = run_in(REDUCE, &[dtype, dtype, "3000001", index], dir.path());
        let got: serde_json::Value = serde_json::from_str(&run.stdout_text()).unwrap();
        assert_eq!(got["sum"]["bits"], *sum, "sum of a[{index}] of 3000001 {dtype}");
        assert_eq!(got["mean"]["bits"], *mean, "mean of a[{index}] of 3000001 {dtype}");
    }
}
