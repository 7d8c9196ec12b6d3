//! numpy's open semantics end to end, against numpy on a copy of the same files: the errors of
//! empty and odd-sized files (numpy's messages), inferred shapes with offsets, mode `c` writes that
//! never reach the file (and a `flush` that does nothing), `r+` growing a short file with zeros,
//! and zero-size arrays and views (their files and their `repr`).

use std::collections::HashMap;

use wasm_memmap_guest_artifacts::test_programs::MODES;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

const SCRIPT: &str = r#"
import json, os
os.chdir(sys.argv[1])
def f8(path, mode, shape=None, offset=0):
    return np.memmap(path, dtype='float64', mode=mode, shape=shape, offset=offset)
def cow():
    a = f8('cow.f8', 'c', (4,))
    a[1:3] = 9.5
    a.flush()
    return a
def extend():
    a = f8('short.f8', 'r+', (2, 3))
    a[1, 2] = 4.0
    a.flush()
    return a
cases = {
    "empty-r": lambda: f8('empty.bin', 'r'),
    "empty-c": lambda: f8('empty.bin', 'c'),
    "empty-r-shape": lambda: f8('empty.bin', 'r', (0,)),
    "not-a-multiple": lambda: f8('odd.bin', 'r'),
    "offset-inferred": lambda: f8('data.f8', 'r', None, 8),
    "offset-unaligned": lambda: f8('odd.bin', 'r', None, 4),
    "copy-on-write": cow,
    "reopen-after-c": lambda: f8('cow.f8', 'r'),
    "r+-extends": extend,
    "zero-size-w+": lambda: f8('zero.f8', 'w+', (0,)),
    "zero-size-w+-offset": lambda: f8('zero_off.f8', 'w+', (0, 3), 10),
    "zero-size-r": lambda: f8('data.f8', 'r', (0, 3)),
    "zero-size-view": lambda: f8('data.f8', 'r', (4,))[2:2],
    "zero-size-view-2d": lambda: f8('data.f8', 'r', (2, 2))[:, 5:],
}
out = {}
for name, fn in cases.items():
    try:
        out[name] = {"ok": repr(fn())}
    except Exception as e:
        out[name] = {"message": str(e)}
print(json.dumps(out))
"#;

fn setup(dir: &std::path::Path) {
    let f8s = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    std::fs::write(dir.join("empty.bin"), b"").unwrap();
    std::fs::write(dir.join("odd.bin"), f8s(&[0.5]).into_iter().chain([1, 2, 3, 4]).collect::<Vec<u8>>()).unwrap();
    std::fs::write(dir.join("data.f8"), f8s(&[1.0, 2.5, -3.0, 4.25])).unwrap();
    std::fs::write(dir.join("cow.f8"), f8s(&[1.0, 2.5, -3.0, 4.25])).unwrap();
    std::fs::write(dir.join("short.f8"), f8s(&[7.0])).unwrap();
}

#[test]
fn open_semantics_match_numpy_on_the_same_files() {
    let top = tempfile::tempdir().unwrap();
    let (ours, theirs) = (top.path().join("ours"), top.path().join("theirs"));
    for d in [&ours, &theirs] {
        std::fs::create_dir(d).unwrap();
        setup(d);
    }
    let expected: HashMap<String, serde_json::Value> =
        serde_json::from_str(&numpy::run(SCRIPT, &[theirs.to_str().unwrap()])).unwrap();
    let outcome = run_in(MODES, &[], &ours);
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let got: HashMap<String, serde_json::Value> = outcome
        .stdout_text()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["case"].as_str().unwrap().to_owned(), v)
        })
        .collect();
    assert_eq!(got.len(), expected.len());
    for (case, want) in &expected {
        let ours = &got[case];
        match want["message"].as_str() {
            Some(message) => {
                assert_eq!(ours["code"], "invalid-argument", "{case}: {ours}");
                assert_eq!(ours["message"], message, "{case}");
            }
            None => assert_eq!(ours["ok"], want["ok"], "{case}: {ours}"),
        }
    }
    // Every file ends as numpy leaves it: `c` never wrote cow.f8, `r+` grew short.f8 with zeros,
    // `w+` of zero elements made 1 byte (or offset + 1), nothing else changed.
    let mut names: Vec<_> = std::fs::read_dir(&theirs).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    for name in &names {
        let (a, b) = (std::fs::read(ours.join(name)).unwrap(), std::fs::read(theirs.join(name)).unwrap());
        assert!(a == b, "{name:?}: {a:?} != numpy's {b:?}");
    }
    assert_eq!(names.len(), 7);
    assert_eq!(std::fs::metadata(ours.join("short.f8")).unwrap().len(), 48);
}
