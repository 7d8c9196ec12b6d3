//! `a.T` and `np.transpose(a, axes)` views, alone and mixed with slicing (negative steps, views
//! of views), read and written, against numpy doing the same on the same files; and numpy's
//! errors for bad `axes`.

use wasm_memmap_guest_artifacts::test_programs::TRANSPOSE;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// `DTYPE ORDER SHAPE | STEP; ... | LAST`, as the guest program reads them.
const CASES: &[&str] = &[
    "<f8 C 3,4 | T | :",
    "<f8 C 2,3,4 | T | :",
    ">f8 C 2,3,4 | T | 1, ::-1",
    "<f8 F 3,4 | T | :",
    ">f8 F 2,3,4 | axes=2,0,1 | ...",
    "<f8 C 2,3,4 | axes=-1,0,-2 | ::-1, 1:",
    "<f8 C 5,6 | ::-2, 1::2; T | :",
    ">f8 C 5,6 | T; ::-1 | 2:, ::-3",
    "<f8 C 4,5,6 | 1:, ::-1, ::-2; axes=1,2,0; T | 0",
    "<f8 F 4,5,6 | T; 2; T | ::-1, 1",
    "<f8 C 7 | T | ::-1",
    "<f8 C 3,4 | 1; T | ...",
    "<f8 C 3,4 | None, ::-1; T | :, 0",
    "<f8 C 3,4 | axes=1,0; axes=1,0 | :",
    "<f8 C 3,4 | axes=0 | :",
    "<f8 C 3,4 | axes=0,2 | :",
    "<f8 C 3,4 | axes=1,1 | :",
    "<f8 C 3,4 | axes=-3,0 | :",
];

const SCRIPT: &str = r#"
import json, os
os.chdir(sys.argv[1])
out = []
for i, line in enumerate(json.loads(sys.argv[2])):
    head, steps, last = [p.strip() for p in line.split('|')]
    dt, order, shape = head.split()
    shape = tuple(int(d) for d in shape.split(','))
    def apply(v):
        for step in [s.strip() for s in steps.split(';') if s.strip()]:
            if step == 'T':
                v = v.T
            elif step.startswith('axes='):
                v = np.transpose(v, [int(a) for a in step[5:].split(',')])
            else:
                v = eval(f'v[{step}]')
        return v
    try:
        v = apply(np.memmap(f'base-{i}.bin', dtype=dt, mode='r', shape=shape, order=order))
        sel = np.asarray(eval(f'v[{last}]'), dtype='<f8')
        w = np.memmap(f'theirs-{i}.bin', dtype=dt, mode='r+', shape=shape, order=order)
        exec(f'apply(w)[{last}] = (1000 + np.arange(sel.size, dtype="float64")).reshape(sel.shape)')
        w.flush()
        out.append({"shape": list(sel.shape), "bits": [f"{x:016x}" for x in sel.ravel().view(np.uint64)]})
    except Exception as e:
        out.append({"exception": type(e).__name__, "message": str(e)})
print(json.dumps(out))
"#;

#[test]
fn transposed_views_read_and_write_what_numpy_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cases.txt"), CASES.join("\n")).unwrap();
    for (i, case) in CASES.iter().enumerate() {
        let head: Vec<&str> = case.split('|').next().unwrap().split_whitespace().collect();
        let n: usize = head[2].split(',').map(|d| d.parse::<usize>().unwrap()).product();
        // Distinct values in the file's byte order, so a wrong element cannot pass for a right one.
        let bytes: Vec<u8> = (0..n)
            .flat_map(|k| {
                let v = f64::from(u32::try_from(k).unwrap()) + 0.25;
                if head[0] == ">f8" { v.to_be_bytes() } else { v.to_le_bytes() }
            })
            .collect();
        for name in ["base", "ours", "theirs"] {
            std::fs::write(dir.path().join(format!("{name}-{i}.bin")), &bytes).unwrap();
        }
    }
    let cases_json = serde_json::to_string(CASES).unwrap();
    let expected: Vec<serde_json::Value> =
        serde_json::from_str(&numpy::run(SCRIPT, &[dir.path().to_str().unwrap(), &cases_json])).unwrap();

    let outcome = run_in(TRANSPOSE, &[], dir.path());
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let got: Vec<serde_json::Value> = outcome.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(got.len(), CASES.len());
    let mut errors = 0;
    for (i, case) in CASES.iter().enumerate() {
        if let Some(exception) = expected[i]["exception"].as_str() {
            errors += 1;
            // numpy's AxisError is both a ValueError and an IndexError; the host reports it as the latter.
            let code = if exception == "AxisError" { "index-out-of-bounds" } else { "invalid-argument" };
            assert_eq!(got[i]["code"], code, "{case}");
            assert_eq!(got[i]["message"], expected[i]["message"], "{case}");
            continue;
        }
        assert_eq!(got[i]["shape"], expected[i]["shape"], "shape of {case}");
        assert_eq!(got[i]["bits"], expected[i]["bits"], "values of {case}");
        let ours = std::fs::read(dir.path().join(format!("ours-{i}.bin"))).unwrap();
        let theirs = std::fs::read(dir.path().join(format!("theirs-{i}.bin"))).unwrap();
        assert!(ours == theirs, "writing through {case} changed other bytes than numpy's assignment");
    }
    assert_eq!(errors, 4, "the four bad `axes` cases");
}
