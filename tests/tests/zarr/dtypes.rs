//! Every dtype in both byte orders: arrays zarr-python wrote read back in the plugin equal to
//! numpy's values, and arrays the plugin wrote read back by zarr-python equal to them, bit for bit
//! (NaN payloads, -0.0, infinities, integer limits, subnormals), through every codec and both chunk
//! orders, with edge chunks that the array's shape cuts short.

use crate::both;
use crate::lake::{Lake, Where};

/// numpy makes the values and zarr-python the arrays `zp_TAG.zarr`; writes the manifest.
const PREPARE: &str = r#"
def values(k):
    dt = np.dtype(k)
    if dt.kind == 'b':
        return np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0], dtype=bool)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        return np.array([info.min, info.max, 0, 1, 2, info.min + 1, info.max - 1, 42, 7, 100, info.max // 3,
                         info.min // 3], dtype=dt)
    if dt.kind == 'f':
        info = np.finfo(dt)
        uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dt.itemsize]
        bits_ = dt.itemsize * 8
        mant = {2: 10, 4: 23, 8: 52}[dt.itemsize]
        exp_all = ((1 << (bits_ - 1 - mant)) - 1) << mant
        qnan = np.array([exp_all | (1 << (mant - 1)) | 0x5], dtype=uint).view(dt)[0]
        snan = np.array([exp_all | 0x3], dtype=uint).view(dt)[0]
        neg_nan = np.array([(1 << (bits_ - 1)) | exp_all | (1 << (mant - 1))], dtype=uint).view(dt)[0]
        return np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, qnan, snan, info.max, info.tiny,
                         info.smallest_subnormal, neg_nan], dtype=dt)
    part = values({8: 'f4', 16: 'f8'}[dt.itemsize])
    out = np.empty(12, dtype=dt)
    out.view(part.dtype)[0::2] = part
    out.view(part.dtype)[1::2] = part[::-1]
    return out

kinds = ['b1', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16']
codecs = [[], ['zstd'], ['gzip'], ['crc32c'], ['zstd', 'crc32c']]
manifest = []
for k in kinds:
    for bo in ('|' if np.dtype(k).itemsize == 1 else '<>'):
        dt = np.dtype(bo + k)
        tag = k + {'|': '', '<': '_le', '>': '_be'}[bo]
        case = {'tag': tag, 'dtype': dt.str, 'chunks': [3, 2], 'codecs': codecs[len(manifest) % len(codecs)],
                'order': 'CF'[len(manifest) % 2]}
        v = np.resize(values(k), 35).reshape(7, 5).astype(dt)
        np.save(f'values_{tag}.npy', v)
        z, top = create(place, f'zp_{tag}.zarr', dt, (7, 5), (3, 2), case['codecs'])
        z[...] = v
        place.publish(top, f'zp_{tag}.zarr')
        manifest.append(case)
json.dump(manifest, open('manifest.json', 'w'))
print(json.dumps(len(manifest)))
"#;

/// What differs from numpy's values: the plugin's reads, and zarr-python's reads of the plugin's
/// arrays (also their dtype, shape, chunk shape and the byte order in `zarr.json`).
const CHECK: &str = r#"
bad = []
for case in json.load(open('manifest.json')):
    tag, dt = case['tag'], np.dtype(case['dtype'])
    v = np.load(f'values_{tag}.npy')
    r = np.load(f'rd_{tag}.npy')
    if r.dtype != dt or r.shape != v.shape or bits(r) != bits(v):
        bad.append(f'plugin read zp_{tag}.zarr as {r.dtype} {r.shape}: {r.ravel()[:6]} vs {v.ravel()[:6]}')
    name = f'our_{tag}.zarr'
    z = place.open(name)
    got = z[...]
    if z.dtype != dt.newbyteorder('=') or z.shape != v.shape or z.chunks != tuple(case['chunks']) or bits(got) != bits(v):
        bad.append(f'zarr-python read {name} as {z.dtype} {z.shape} {z.chunks}: {got.ravel()[:6]} vs {v.ravel()[:6]}')
    meta = json.loads(place.read(name, 'zarr.json'))
    codecs = meta['codecs']
    endian = next(c for c in codecs if c['name'] == 'bytes').get('configuration', {}).get('endian')
    want = {'>': 'big', '<': 'little', '=': 'little', '|': None}[dt.byteorder]
    if endian != want:
        bad.append(f'{name}: bytes codec endian {endian}, dtype {dt.str}')
    names = [c['name'] for c in codecs]
    if (case['order'] == 'F') != ('transpose' in names) or [n for n in names if n not in ('bytes', 'transpose')] != case['codecs']:
        bad.append(f'{name}: codecs {names} for order {case["order"]} and {case["codecs"]}')
print(json.dumps(bad))
"#;

fn every_dtype_and_byte_order_round_trips_with_zarr_python(at: Where) {
    let lake = Lake::new(at);
    let cases: usize = serde_json::from_value(lake.oracle_json(PREPARE, &[])).unwrap();
    // 14 kinds, the 11 of more than one byte in both byte orders.
    assert_eq!(cases, 25);
    let ran = lake.run("zarr_roundtrip.py", &[], &[]).ok();
    assert_eq!(ran.json()["done"], cases);
    let bad = lake.oracle_json(CHECK, &[]);
    assert_eq!(bad, serde_json::json!([]), "differences from numpy's values");
}
both!(every_dtype, every_dtype_and_byte_order_round_trips_with_zarr_python);
