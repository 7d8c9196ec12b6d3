//! `wasm-memmap show` prints what numpy's `repr(np.memmap(...))` prints, on real files, for every
//! dtype, layout and print option; and refuses bad input with numpy's messages.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use wasm_memmap_tests::numpy;

fn show(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-memmap")).arg("show").args(args).output().expect("the CLI starts")
}

/// numpy writes a file per case into `sys.argv[1]` and prints `[{"args": [...], "repr": ...}]`:
/// the `show` arguments for the file and numpy's `repr` of the same memmap under the same options.
const SCRIPT: &str = r#"
import json, os
os.chdir(sys.argv[1])
rng = np.random.default_rng(7)
dtypes = ['|b1', '|i1', '<i2', '>i2', '<i4', '>i4', '<i8', '>i8', '|u1', '<u2', '>u2', '<u4', '>u4', '<u8', '>u8',
          '<f2', '>f2', '<f4', '>f4', '<f8', '>f8', '<c8', '>c8', '<c16', '>c16']
def values(dt, n):
    dt = np.dtype(dt)
    if dt.kind == 'b':
        return rng.integers(0, 2, n).astype(bool)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        v = rng.integers(info.min, info.max, n, dtype=dt.newbyteorder('='), endpoint=True)
        v[:2] = [info.min, info.max][:n]
        return v
    part = np.dtype({'f': dt.str, 'c': dt.str[0] + 'f' + str(dt.itemsize // 2)}[dt.kind]).newbyteorder('=')
    scale = rng.choice([1e-6, 1e-2, 1.0, 37.0, 1e5, 1e9])
    x = (rng.standard_normal(n) * scale).astype(part)
    if n > 6:
        x[[1, 3, 5]] = [np.nan, np.inf, -0.0]
    if dt.kind == 'c':
        y = (rng.standard_normal(n) * scale).astype(part)
        return x + 1j * y
    return x
options = [
    {}, {'precision': 3}, {'suppress': True}, {'threshold': 5}, {'edgeitems': 1, 'threshold': 10},
    {'linewidth': 40}, {'floatmode': 'fixed'}, {'floatmode': 'unique'}, {'floatmode': 'maxprec_equal', 'precision': 4},
    {'sign': '+'}, {'sign': ' '}, {'legacy': '2.1'}, {'precision': 2, 'suppress': True, 'linewidth': 60},
]
shapes = [(7,), (3, 4), (2, 3, 4), (), (0,), (0, 3), (1200,), (40, 50), (10, 10, 12), (4, 1), (5, 300)]
cases = []
i = 0
for dt in dtypes:
    for k in range(4):
        shape = shapes[(i * 3 + k) % len(shapes)]
        opts = options[(i + 5 * k) % len(options)]
        order = 'CF'[(i + k) % 2]
        offset = [0, 5, 16][(i + k) % 3]
        n = int(np.prod(shape))
        name = f'case{i}_{k}.bin'
        v = values(dt, n)
        with open(name, 'wb') as f:
            f.write(b'\xab' * offset)
            f.write(np.asarray(v.reshape(shape), dtype=dt).tobytes(order=order))
            f.write(b'\xcd' * 3)
        args = [name, '--dtype', dt, '--offset', str(offset), '--order', order,
                '--shape', ','.join(map(str, shape))]
        for key, value in opts.items():
            if key == 'suppress':
                args.append('--suppress')
            else:
                args += [f'--{key}', str(value)]
        with np.printoptions(**opts):
            text = repr(np.memmap(name, dtype=dt, mode='r', offset=offset, shape=shape, order=order))
        cases.append({"args": args, "repr": text})
    i += 1
# numpy's defaults: uint8, shape inferred from the file's size; dtype spellings.
with open('bytes.bin', 'wb') as f:
    f.write(bytes(range(256)) * 5)
cases.append({"args": ['bytes.bin'], "repr": repr(np.memmap('bytes.bin', mode='r'))})
for spelling in ['float64', 'f8', 'double', 'int16', 'i2', '<u4', 'complex64', 'e', '?']:
    a = np.memmap('bytes.bin', dtype=spelling, mode='r', offset=0)
    cases.append({"args": ['bytes.bin', '--dtype', spelling], "repr": repr(a)})
# .npy files: dtype, shape and order from the header.
for j, (dt, shape, fortran) in enumerate([('<f8', (3, 4), False), ('>i4', (2, 3, 2), True), ('<c8', (), False),
                                          ('|b1', (0, 2), False), ('>f2', (50, 60), False)]):
    name = f'file{j}.npy'
    m = np.lib.format.open_memmap(name, mode='w+', dtype=dt, shape=shape, fortran_order=fortran)
    m[...] = values(dt, int(np.prod(shape))).reshape(shape)
    m.flush()
    del m
    cases.append({"args": [name], "repr": repr(np.load(name, mmap_mode='r'))})
print(json.dumps(cases))
"#;

#[test]
fn show_prints_what_numpy_prints() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&numpy::run(SCRIPT, &[dir.path().to_str().unwrap()])).unwrap();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let mut args: Vec<String> =
            case["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
        args[0] = dir.path().join(&args[0]).to_str().unwrap().to_owned();
        let out = show(&args);
        let got = String::from_utf8_lossy(&out.stdout);
        let want = format!("{}\n", case["repr"].as_str().unwrap());
        if !out.status.success() || got != want {
            failures.push(format!(
                "show {}\n--- numpy ---\n{want}--- ours ---\n{got}{}",
                args[1..].join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// numpy's messages for the same mistakes.
const ERRORS: &str = r#"
import os
os.chdir(sys.argv[1])
open('empty.bin', 'wb').close()
with open('odd.bin', 'wb') as f:
    f.write(b'\0' * 12)
cases = {
    "missing": lambda: np.memmap('missing.bin', mode='r'),
    "empty": lambda: np.memmap('empty.bin', mode='r'),
    "not-a-multiple": lambda: np.memmap('odd.bin', dtype='f8', mode='r'),
    "too-short": lambda: np.memmap('odd.bin', dtype='f8', mode='r', shape=(2, 3)),
    "bad-dtype": lambda: np.dtype('float65'),
    "bad-order": lambda: np.memmap('odd.bin', mode='r', order='X'),
    "bad-floatmode": lambda: np.set_printoptions(floatmode='round'),
    "bad-sign": lambda: np.set_printoptions(sign='x'),
    "bad-magic": lambda: np.lib.format.open_memmap('odd.bin', mode='r'),
}
"#;

#[test]
fn show_refuses_bad_input_with_numpys_messages() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let expected: serde_json::Value =
        serde_json::from_str(&numpy::messages(ERRORS, &[dir.path().to_str().unwrap()])).unwrap();
    // numpy names the file, as our message does; its FileNotFoundError prefix is "[Errno 2] ".
    let missing = expected["missing"].as_str().unwrap().replace("[Errno 2] ", "");
    let odd = d("odd.bin");
    for (case, args, want) in [
        ("missing", vec![d("missing.bin")], missing.replace("missing.bin", &d("missing.bin"))),
        ("empty", vec![d("empty.bin")], expected["empty"].as_str().unwrap().to_owned()),
        (
            "not-a-multiple",
            vec![odd.clone(), "--dtype".into(), "f8".into()],
            expected["not-a-multiple"].as_str().unwrap().into(),
        ),
        (
            "too-short",
            vec![odd.clone(), "--dtype".into(), "f8".into(), "--shape".into(), "2,3".into()],
            expected["too-short"].as_str().unwrap().into(),
        ),
        (
            "bad-dtype",
            vec![odd.clone(), "--dtype".into(), "float65".into()],
            expected["bad-dtype"].as_str().unwrap().into(),
        ),
        ("bad-order", vec![odd.clone(), "--order".into(), "X".into()], expected["bad-order"].as_str().unwrap().into()),
        (
            "bad-floatmode",
            vec![odd.clone(), "--floatmode".into(), "round".into()],
            expected["bad-floatmode"].as_str().unwrap().into(),
        ),
        ("bad-sign", vec![odd.clone(), "--sign".into(), "x".into()], expected["bad-sign"].as_str().unwrap().into()),
    ] {
        let out = show(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{case}: succeeded");
        assert!(out.stdout.is_empty(), "{case}: printed {}", String::from_utf8_lossy(&out.stdout));
        assert!(stderr.contains(&want), "{case}: {stderr:?} does not contain numpy's {want:?}");
    }
    // A file that starts like a .npy file but is not one: numpy's header message.
    std::fs::write(d("fake.npy"), b"\x93NUMPY\x09\x00").unwrap();
    let out = show(&[d("fake.npy")]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("we only support format version (1,0), (2,0), and (3,0), not (9, 0)")
    );
}
