//! Views of views, negative steps and selections that cross rows, against numpy doing the same
//! selection on the same file.

use wasm_memmap_guest_artifacts::test_programs::SELECT;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// (shape, chain of views, final selection): numpy's `a[c0][c1]...[last]`.
const CASES: &[(&str, &[&str], &str)] = &[
    ("6,7,8", &[], ":"),
    ("6,7,8", &[":5"], "::-1"),
    ("6,7,8", &["2, ::-3"], "..."),
    ("6,7,8", &["1:5", "::-2"], "1:, 3"),
    ("6,7,8", &["..., ::-3"], "-1"),
    ("6,7,8", &[":, 2:6, 1::2"], "::2, ::-1"),
    ("6,7,8", &["None, -1"], "0, 1:3"),
    ("6,7,8", &[], "3, 4, 5"),
    ("6,7,8", &[], "1:1"),
    ("6,7,8", &["::-1, ::-1, ::-1"], "::2, 1::3, ::-2"),
    ("6,7,8", &[], "2:4"),
    ("6,7,8", &["5:1:-1"], ":, 6:, :"),
    ("6,7,8", &["-100:100"], "..., 7:-100:-3"),
    ("5,10", &["1:4"], ":, 8:"),
    ("5,10", &[":, 3:7"], "1:4"),
    ("5,10", &[], "::-2, 9"),
    ("5,10", &["::2"], "None, ..., None"),
    ("1000", &["::7"], "10:-10:3"),
];

/// numpy's side: the same selections, read from and written to its own copy of the file.
const SCRIPT: &str = r#"
import json, shutil
cases = json.loads(sys.argv[1])
out = []
for c in cases:
    shape = tuple(int(d) for d in c["shape"].split(","))
    m = np.memmap(c["read_file"], dtype='float64', mode='r', shape=shape)
    v = m
    for idx in c["chain"]:
        v = eval(f"v[{idx}]")
    sel = np.asarray(eval(f"v[{c['last']}]"))
    w = np.memmap(c["write_file"], dtype='float64', mode='r+', shape=shape)
    v = w
    for idx in c["chain"]:
        v = eval(f"v[{idx}]")
    exec(f"v[{c['last']}] = (1000 + np.arange(sel.size, dtype='float64')).reshape(sel.shape)")
    w.flush()
    out.append({"shape": list(sel.shape), "bits": [f"{x:016x}" for x in sel.ravel().view(np.uint64)]})
print(json.dumps(out))
"#;

#[test]
fn selections_read_and_write_what_numpy_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut numpy_cases = Vec::new();
    for (i, (shape, chain, last)) in CASES.iter().enumerate() {
        // Distinct values (their positions) so a wrong element cannot pass for a right one.
        let n: usize = shape.split(',').map(|d| d.parse::<usize>().unwrap()).product();
        let bytes: Vec<u8> = (0..n).flat_map(|k| (f64::from(u32::try_from(k).unwrap()) + 0.25).to_le_bytes()).collect();
        for name in ["base", "ours", "theirs"] {
            std::fs::write(dir.path().join(format!("{name}-{i}.f8")), &bytes).unwrap();
        }
        numpy_cases.push(serde_json::json!({
            "shape": shape, "chain": chain, "last": last,
            "read_file": dir.path().join(format!("base-{i}.f8")),
            "write_file": dir.path().join(format!("theirs-{i}.f8")),
        }));
    }
    let expected: Vec<serde_json::Value> =
        serde_json::from_str(&numpy::run(SCRIPT, &[&serde_json::Value::from(numpy_cases).to_string()])).unwrap();

    for (i, (shape, chain, last)) in CASES.iter().enumerate() {
        let what =
            format!("a{}[{last}] of shape ({shape})", chain.iter().map(|c| format!("[{c}]")).collect::<String>());
        let base = format!("base-{i}.f8");
        let mut args = vec![base.as_str(), shape, "read"];
        args.extend_from_slice(chain);
        args.push(last);
        let read = run_in(SELECT, &args, dir.path());
        assert!(matches!(read.status, Status::Exited(0)), "{what}: {}", read.stdout_text());
        let got: serde_json::Value = serde_json::from_str(read.stdout_text().trim()).unwrap();
        assert_eq!(got["shape"], expected[i]["shape"], "shape of {what}");
        assert_eq!(got["bits"], expected[i]["bits"], "values of {what}");

        let ours = format!("ours-{i}.f8");
        args[0] = &ours;
        args[2] = "write";
        let write = run_in(SELECT, &args, dir.path());
        assert!(matches!(write.status, Status::Exited(0)), "{what}: {}", write.stdout_text());
        let ours = std::fs::read(dir.path().join(format!("ours-{i}.f8"))).unwrap();
        let theirs = std::fs::read(dir.path().join(format!("theirs-{i}.f8"))).unwrap();
        assert!(ours == theirs, "writing {what} changed other bytes than numpy's assignment");
    }
}
