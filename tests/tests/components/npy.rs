//! `.npy` files: what numpy writes opens with numpy's dtype, shape, order, offset and `repr`
//! (format versions 1.0, 2.0, 3.0, hand-written headers); what this host creates has numpy's
//! header byte for byte; modes `r`, `r+`, `c` behave as numpy's; and malformed or hostile headers
//! give typed errors with numpy's message, compared with numpy's `str(e)` on the same files.

use std::collections::HashMap;

use wasm_memmap_guest_artifacts::test_programs::NPY;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// numpy writes the files (in `sys.argv[1]`, copied to `sys.argv[2]` for its own writes), opens
/// each with `open_memmap(mode='r')` and reports what it got; creates the same `.npy` files as the
/// guest; and does the `fill` steps on its copies.
const SCRIPT: &str = r#"
import json, os, shutil, struct, warnings
warnings.simplefilter('ignore')
ours_dir, theirs_dir = sys.argv[1], sys.argv[2]
os.chdir(ours_dir)
def raw(name, body, version=(1, 0), data=b''):
    fmt = '<H' if version == (1, 0) else '<I'
    with open(name, 'wb') as f:
        f.write(b'\x93NUMPY' + bytes(version) + struct.pack(fmt, len(body)) + body + data)
def dict_(descr="'<f8'", fortran='False', shape='(2, 3)'):
    return f"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}".encode()
np.save('v1.npy', np.arange(6, dtype='>i4').reshape(2, 3))
for v in [(2, 0), (3, 0)]:
    with open(f'v{v[0]}.npy', 'wb') as f:
        np.lib.format.write_array(f, (np.arange(6, dtype='<f4') + 0.5).reshape(3, 2, order='F'), version=v)
np.save('zero_d.npy', np.array(2.5))
np.save('empty.npy', np.zeros((0, 4), dtype='<c8'))
np.save('big.npy', np.linspace(-1, 1, 5000).reshape(50, 100))
np.save('f16.npy', np.array([[1.5, -np.inf], [np.nan, 65504]], dtype='>f2'))
raw('unpadded.npy', b"{'shape':(3,),'fortran_order':False,'descr':'<u2'}\n", data=np.arange(3, dtype='<u2').tobytes())
raw('dquote.npy', b'{"descr": "|b1", "fortran_order": True, "shape": (2,2)}', data=bytes([1, 0, 0, 1]))
raw('unicode3.npy', "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), } \u00e9\n".encode(), version=(3, 0), data=b'\x01\x00\x02\x00')
with open('badmagic.npy', 'wb') as f: f.write(b'PK\x03\x04\x14\x00\x00\x00\x08\x00')
with open('short.npy', 'wb') as f: f.write(b'\x93NUM')
raw('version.npy', dict_(), version=(4, 0))
with open('nolen.npy', 'wb') as f: f.write(b'\x93NUMPY\x01\x00\x05')
with open('truncated.npy', 'wb') as f: f.write(b'\x93NUMPY\x01\x00\x40\x00{"descr"')
raw('notdict.npy', b"[1, 2, 3]")
raw('keys.npy', b"{'descr': '<f8', 'shape': (2,)}")
raw('extrakey.npy', b"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}")
raw('shapelist.npy', dict_(shape='[2, 3]'))
raw('shapefloat.npy', dict_(shape='(2.0, 3)'))
raw('fortran.npy', dict_(fortran='1'))
raw('object.npy', dict_(descr="'|O'"))
raw('negative.npy', dict_(shape='(-2, 3)'))
raw('overflow.npy', dict_(shape='(4611686018427387904, 4)'))
raw('toosmall.npy', dict_(), data=b'\0' * 8)
raw('long.npy', dict_() + b' ' * 10000 + b'\n')
raw('deep.npy', b'(' * 200 + b')' * 200)
raw('badutf8.npy', dict_() + b'\xff', version=(3, 0))
raw('badcont.npy', dict_() + b'\xe2\x28\xa1', version=(3, 0))
# Not numpy's message: numpy maps these dtypes or fails in Python's own parser.
raw('unicode.npy', dict_(descr="'<U3'"))
raw('structured.npy', dict_(descr="[('a', '<f8')]"))
raw('syntax.npy', b"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)")
raw('huge.npy', dict_(shape='(1180591620717411303424,)'))
for name in ['fill_r.npy', 'fill_c.npy', 'fill_rw.npy']:
    m = np.lib.format.open_memmap(name, mode='w+', dtype='f8', shape=(2, 2))
    m[:] = 1.5
    m.flush()
    del m
opened = {}
for n in sorted(os.listdir('.')):
    try:
        a = np.lib.format.open_memmap(n, mode='r')
        opened[n] = {"dtype": a.dtype.str, "shape": list(a.shape),
                     "order": 'F' if (a.flags.f_contiguous and not a.flags.c_contiguous) else 'C',
                     "offset": a.offset, "mode": a.mode, "repr": repr(a)}
    except Exception as e:
        opened[n] = {"exception": type(e).__name__, "message": str(e)}
for n in os.listdir('.'):
    shutil.copy(n, theirs_dir)
os.chdir(theirs_dir)
created = {}
for spec in json.loads(sys.argv[3]):
    name, dt, order, shape = spec
    m = np.lib.format.open_memmap(name, mode='w+', dtype=dt, shape=tuple(shape), fortran_order=(order == 'F'))
    created[name] = {"dtype": m.dtype.str, "shape": list(m.shape), "order": order, "offset": m.offset, "mode": m.mode,
                     "repr": repr(m)}
    del m
fills = {}
for name, mode in [('fill_r.npy', 'r'), ('fill_c.npy', 'c'), ('fill_rw.npy', 'r+')]:
    try:
        m = np.lib.format.open_memmap(name, mode=mode)
        m[...] = 2.25
        m.flush()
        del m
        fills[name] = None
    except Exception as e:
        fills[name] = str(e)
print(json.dumps({"opened": opened, "created": created, "fills": fills}))
"#;

/// `.npy` files the guest creates: (name, dtype, order, shape).
const CREATED: &[(&str, &str, &str, &[u64])] = &[
    ("c_f8.npy", "<f8", "C", &[3, 4]),
    ("c_0d.npy", ">i2", "C", &[]),
    ("c_empty.npy", "|b1", "C", &[0]),
    ("c_1d.npy", "<c16", "C", &[5]),
    ("c_f.npy", ">f4", "F", &[2, 3, 4]),
    ("c_big.npy", "<f8", "C", &[10000, 10000]),
    ("c_bigf.npy", "<u2", "F", &[7, 123_456_789]),
    ("c_many.npy", "|u1", "C", &[1; 64]),
];

#[test]
fn npy_files_open_and_are_created_as_numpy_does() {
    let top = tempfile::tempdir().unwrap();
    let (ours, theirs) = (top.path().join("ours"), top.path().join("theirs"));
    std::fs::create_dir(&ours).unwrap();
    std::fs::create_dir(&theirs).unwrap();
    let created_json = serde_json::to_string(CREATED).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&numpy::run(SCRIPT, &[ours.to_str().unwrap(), theirs.to_str().unwrap(), &created_json]))
            .unwrap();
    let opened = expected["opened"].as_object().unwrap();

    let mut script: Vec<String> = opened.keys().map(|n| format!("open {n} r")).collect();
    for (name, dtype, order, shape) in CREATED {
        let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
        script.push(format!("create {name} {dtype} {order} ({})", dims.join(",")));
    }
    script.extend(["fill fill_r.npy r 2.25", "fill fill_c.npy c 2.25", "fill fill_rw.npy r+ 2.25"].map(String::from));
    std::fs::write(ours.join("npy.txt"), script.join("\n")).unwrap();
    let outcome = run_in(NPY, &[], &ours);
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let got: Vec<serde_json::Value> = outcome.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(got.len(), script.len());
    // Keyed by the command's first two words: `open v1.npy`, `create c_f8.npy`, `fill fill_c.npy`.
    let keys: Vec<String> = script.iter().map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect();
    let got: HashMap<&str, &serde_json::Value> = keys.iter().map(String::as_str).zip(&got).collect();

    // Our messages where numpy fails differently (see the README's list of what is left out).
    let own: HashMap<&str, (&str, &str)> = [
        ("unicode.npy", ("invalid-argument", "descr '<U3' is not a dtype wasm-memmap can map")),
        ("structured.npy", ("invalid-argument", "descr [('a', '<f8')] is not a dtype wasm-memmap can map")),
        (
            "syntax.npy",
            ("invalid-argument", "Cannot parse header: \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)\""),
        ),
        ("huge.npy", ("overflow", "shape (1180591620717411303424,) has an axis longer than 2**64 - 1")),
    ]
    .into();
    let (mut same_files, mut same_errors) = (0, 0);
    for (name, want) in opened {
        let got = got[format!("open {name}").as_str()];
        if let Some((code, prefix)) = own.get(name.as_str()) {
            assert_eq!(got["code"], *code, "{name}: {got}");
            assert!(got["message"].as_str().unwrap().starts_with(prefix), "{name}: {got}");
        } else if let Some(message) = want["message"].as_str() {
            // numpy's size check for a huge shape is "array is too big"; the host adds the sizes.
            let code = if name == "overflow.npy" { "overflow" } else { "invalid-argument" };
            assert_eq!(got["code"], code, "{name}: {got}");
            assert!(got["message"].as_str().unwrap().starts_with(message), "{name}: {got} vs numpy's {message}");
            same_errors += 1;
        } else {
            for key in ["dtype", "shape", "order", "offset", "mode", "repr"] {
                assert_eq!(got[key], want[key], "{key} of {name}");
            }
            same_files += 1;
        }
    }
    // 12 files open (v1, v2, v3, 0-d, empty, big, float16, two hand-written, three for `fill`); 20 errors
    // have numpy's message (unicode3.npy too: a non-ASCII character after the dictionary).
    assert_eq!((same_files, same_errors), (12, 20), "every file compared");

    // Created files: numpy's header and size byte for byte, numpy's metadata (mode 'r+') and repr.
    for (name, ..) in CREATED {
        let want = &expected["created"][name];
        for key in ["dtype", "shape", "order", "offset", "mode", "repr"] {
            assert_eq!(got[format!("create {name}").as_str()][key], want[key], "{key} of created {name}");
        }
        // Sizes, and the header and first data bytes (the rest of a new file is never written).
        let (a, b) = (std::fs::File::open(ours.join(name)).unwrap(), std::fs::File::open(theirs.join(name)).unwrap());
        let len = a.metadata().unwrap().len();
        assert_eq!(len, b.metadata().unwrap().len(), "size of {name}");
        let prefix = |f: &std::fs::File| {
            let mut buf = vec![0u8; usize::try_from(len.min(1 << 16)).unwrap()];
            std::os::unix::fs::FileExt::read_exact_at(f, &mut buf, 0).unwrap();
            buf
        };
        assert!(prefix(&a) == prefix(&b), "{name}: our header differs from numpy's");
    }

    // Writes through each mode: `r` refused with numpy's message, `c` private (the file keeps its
    // bytes and flush does nothing), `r+` written; the files end up as numpy's.
    assert_eq!(got["fill fill_r.npy"]["code"], "read-only");
    assert_eq!(got["fill fill_r.npy"]["message"], expected["fills"]["fill_r.npy"]);
    assert_eq!(got["fill fill_c.npy"]["ok"], true);
    assert_eq!(got["fill fill_rw.npy"]["ok"], true);
    for name in ["fill_r.npy", "fill_c.npy", "fill_rw.npy"] {
        assert!(std::fs::read(ours.join(name)).unwrap() == std::fs::read(theirs.join(name)).unwrap(), "{name}");
    }
    let rw = std::fs::read(ours.join("fill_rw.npy")).unwrap();
    assert_eq!(rw[128..136], 2.25f64.to_le_bytes());
    let c = std::fs::read(ours.join("fill_c.npy")).unwrap();
    assert_eq!(c[128..136], 1.5f64.to_le_bytes());
}
