//! numpy's indexing and reductions on Zarr arrays, against numpy on what zarr-python reads from the
//! same store: views (negative steps, new axes, ellipsis, transpose), slice-reads across chunk
//! edges, items, `take`, `sum`/`min`/`max`/`mean`, absent chunks reading as the fill value; then
//! broadcasting slice-writes, set-item and `put`, read back by zarr-python.

use crate::both;
use crate::lake::{Lake, Where};

/// The arrays: `a` float64 (20, 30) in (7, 4) chunks (zstd), `b` big-endian int32 (6, 7, 8) in
/// (4, 3, 5) chunks (crc32c), `f` float32 (6, 6) in (4, 4) chunks with fill value 7.5 of which
/// only one chunk is stored.
const PREPARE: &str = r#"
rng = np.random.default_rng(14)
a = rng.standard_normal((20, 30))
a[3, ::2] = -0.0
z, top = create(place, 'a.zarr', 'f8', a.shape, (7, 4), ['zstd'])
z[...] = a
place.publish(top, 'a.zarr')
b = rng.integers(-2**31, 2**31, size=(6, 7, 8), dtype='i4').astype('>i4')
z, top = create(place, 'b.zarr', '>i4', b.shape, (4, 3, 5), ['crc32c'])
z[...] = b
place.publish(top, 'b.zarr')
z, top = create(place, 'f.zarr', 'f4', (6, 6), (4, 4), [], fill_value=7.5)
z[0:4, 0:4] = np.arange(16, dtype='f4').reshape(4, 4)
place.publish(top, 'f.zarr')
print(json.dumps(sorted(place.names('f.zarr'))))
"#;

/// (array, expression, exact): the expression evaluated on the array bound to its name; sums and
/// means of strided selections are compared within 1e-12 relative (numpy sums them in its own
/// blocks), everything else bit for bit.
const EXPRS: &[(&str, &str, bool)] = &[
    ("a", "a[...]", true),
    ("a", "a[2, ::-3]", true),
    ("a", "a[::-2, 1::3]", true),
    ("a", "a[None, ..., 5]", true),
    ("a", "a[..., None, 2:29:2]", true),
    ("a", "a.T", true),
    ("a", "a.T[3:, ::-1]", true),
    ("a", "a.transpose()[-1:-15:-4, -2]", true),
    ("a", "a[5:5]", true),
    ("a", "a[6:8, 3:5]", true),
    ("a", "a[[1, 5, 19]]", true),
    ("a", "a[[0, 3, 3], [29, 0, 7]]", true),
    ("a", "a.take([0, 599, 31, 31, 298])", true),
    ("a", "a[7, 4]", true),
    ("a", "a.item(6, 3)", true),
    ("a", "a[3].min()", true),
    ("a", "a.min()", true),
    ("a", "a.max()", true),
    ("a", "a.sum()", false),
    ("a", "a.mean()", false),
    ("a", "a[3:17, ::-5].sum()", false),
    ("b", "b[...]", true),
    ("b", "b[1:, ::-2, None, 3]", true),
    ("b", "b.transpose(2, 0, 1)[::3]", true),
    ("b", "b[..., 4]", true),
    ("b", "b.min()", true),
    ("b", "b.max()", true),
    ("b", "b.sum()", true),
    ("b", "b[5, 6, 7]", true),
    ("f", "f[...]", true),
    ("f", "f[3:6, ::-1]", true),
    ("f", "f.sum()", true),
];

const CHECK: &str = r#"
exprs = json.loads(sys.argv[1])
arrays = {n: place.open(f'{n}.zarr')[...] for n in 'abf'}
bad = []
for i, (name, expr, exact) in enumerate(exprs):
    want = np.asarray(eval(expr, {'np': np}, {name: arrays[name]}))
    got = np.load(f'r{i}.npy')
    same = got.shape == want.shape and got.dtype.newbyteorder('=') == want.dtype.newbyteorder('=')
    if same and exact:
        same = bits(got) == bits(want)
    elif same:
        same = np.allclose(got, want, rtol=1e-12, atol=0)
    if not same:
        bad.append(f'{expr}: {got.dtype} {got.shape} {got.ravel()[:5]} != {want.dtype} {want.shape} {want.ravel()[:5]}')
print(json.dumps(bad))
"#;

fn views_reads_and_reductions_equal_numpy(at: Where) {
    let lake = Lake::new(at);
    // zarr-python stored one chunk of `f` (and its metadata): the others read as the fill value.
    assert_eq!(lake.oracle_json(PREPARE, &[]), serde_json::json!(["c/0/0", "zarr.json"]));
    let pairs: Vec<(&str, &str)> = EXPRS.iter().map(|&(n, e, _)| (n, e)).collect();
    lake.put("exprs.json", &serde_json::to_string(&pairs).unwrap());
    let ran = lake.run("zarr_views.py", &[], &[]).ok();
    assert_eq!(ran.json()["done"], EXPRS.len());
    let bad = lake.oracle_json(CHECK, &[&serde_json::to_string(EXPRS).unwrap()]);
    assert_eq!(bad, serde_json::json!([]), "differences from numpy");
}
both!(views_and_reductions, views_reads_and_reductions_equal_numpy);

/// Writes through views: broadcasting slice-writes with negative steps, new axes and transposes,
/// set-item, `put` with a repeated index (the last value wins) and fancy set-item.
const STMTS: &[&str] = &[
    "a[2:5, ::-3] = [float(i) for i in range(10)]",
    "a[..., 7] = -0.0",
    "a[None, 11, 3:29:6] = [[1.0, 2.0, 3.0, 4.0, 5.0]]",
    "a[13, 13] = 1e300",
    "a.T[0:4, 18] = 7.25",
    "a.put([0, 599, 31, 31], [9.0, 8.0, 7.0, 6.0])",
    "a[[19, 0], [0, 29]] = 3.5",
    "a[15:, 20:][::-1, ::2] = -1.5",
];

const WRITES_PREPARE: &str = r#"
rng = np.random.default_rng(41)
a = rng.standard_normal((20, 30))
np.save('before.npy', a)
z, top = create(place, 'w.zarr', 'f8', a.shape, (6, 8), ['gzip'])
z[...] = a
place.publish(top, 'w.zarr')
"#;

const WRITES_CHECK: &str = r#"
a = np.load('before.npy')
for stmt in json.loads(sys.argv[1]):
    exec(stmt, {'np': np, 'a': a})
got = place.open('w.zarr')[...]
print(json.dumps([] if bits(got) == bits(a) else [f'{np.argwhere(got != a)[:10].tolist()}']))
"#;

fn broadcasting_writes_and_puts_equal_numpy(at: Where) {
    let lake = Lake::new(at);
    lake.oracle(WRITES_PREPARE, &[]);
    lake.put("stmts.json", &serde_json::to_string(STMTS).unwrap());
    lake.run("zarr_writes.py", &[], &[]).ok();
    let bad = lake.oracle_json(WRITES_CHECK, &[&serde_json::to_string(STMTS).unwrap()]);
    assert_eq!(bad, serde_json::json!([]), "positions that differ from numpy's");
}
both!(writes, broadcasting_writes_and_puts_equal_numpy);
