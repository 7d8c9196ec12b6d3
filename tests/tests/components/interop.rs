//! The interop matrix: files numpy writes read back bit-exactly through this host, and files this
//! host writes equal numpy's byte for byte, for every dtype x byte order x order x offset (0 and an
//! unaligned 13), as raw files (`np.memmap`) and as `.npy` files (`open_memmap` / `np.load`).
//!
//! The values stress conversion: integer limits, -0.0, infinities, NaNs with payloads (quiet and
//! signalling), the largest finite values, the smallest normal and subnormal numbers, for float16
//! too, and complex numbers built from them.

use wasm_memmap_guest_artifacts::test_programs::INTEROP;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// numpy writes its files, the values, and the manifest of cases for the guest; it prints the
/// comparisons the test must make as JSON pairs `[ours, expected]`.
const SCRIPT: &str = r#"
import json, os
os.chdir(sys.argv[1])
shape = (3, 4)
def values(k):
    dt = np.dtype(k)
    if dt.kind == 'b':
        return np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0], dtype=bool)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        vals = [info.min, info.max, 0, 1, 2, info.min + 1, info.max - 1, 42, 7, 100, info.max // 3, info.min // 3]
        return np.array(vals, dtype=dt)
    if dt.kind == 'f':
        info = np.finfo(dt)
        uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dt.itemsize]
        bits = dt.itemsize * 8
        mant = {2: 10, 4: 23, 8: 52}[dt.itemsize]
        exp_all = ((1 << (bits - 1 - mant)) - 1) << mant
        qnan_payload = np.array([exp_all | (1 << (mant - 1)) | 0x5], dtype=uint).view(dt)[0]
        snan = np.array([exp_all | 0x3], dtype=uint).view(dt)[0]
        neg_nan = np.array([(1 << (bits - 1)) | exp_all | (1 << (mant - 1))], dtype=uint).view(dt)[0]
        return np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, qnan_payload, snan, info.max, info.tiny,
                         info.smallest_subnormal, neg_nan], dtype=dt)
    part = values({8: 'f4', 16: 'f8'}[dt.itemsize])
    out = np.empty(12, dtype=dt)
    out.view(part.dtype)[0::2] = part
    out.view(part.dtype)[1::2] = part[::-1]
    return out
kinds = ['b1', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16']
manifest, pairs = [], []
for k in kinds:
    v = values(k)
    v.tofile(f'values_{k}.bin')
    orders = '|' if v.dtype.itemsize == 1 else '<>'
    for bo in orders:
        dt = bo + k
        tag = {'|': 'na', '<': 'le', '>': 'be'}[bo]
        for order in 'CF':
            for off in (0, 13):
                name = f'{k}_{tag}_{order}_{off}'
                m = np.memmap(f'np_{name}.bin', dtype=dt, mode='w+', offset=off, shape=shape, order=order)
                m[:] = v.reshape(shape)
                m.flush()
                del m
                manifest.append(f'raw-read np_{name}.bin {dt} {order} {off} 3,4 rd_{name}.bin')
                manifest.append(f'raw-write values_{k}.bin our_{name}.bin {dt} {order} {off} 3,4')
                pairs += [[f'rd_{name}.bin', f'values_{k}.bin'], [f'our_{name}.bin', f'np_{name}.bin']]
            name = f'{k}_{tag}_{order}'
            m = np.lib.format.open_memmap(f'np_{name}.npy', mode='w+', dtype=dt, shape=shape,
                                          fortran_order=(order == 'F'))
            m[:] = v.reshape(shape)
            m.flush()
            del m
            manifest.append(f'npy-read np_{name}.npy rdn_{name}.bin')
            manifest.append(f'npy-write values_{k}.bin our_{name}.npy {dt} {order} 3,4')
            pairs += [[f'rdn_{name}.bin', f'values_{k}.bin'], [f'our_{name}.npy', f'np_{name}.npy']]
with open('manifest.txt', 'w') as f:
    f.write('\n'.join(manifest) + '\n')
print(json.dumps(pairs))
"#;

/// numpy reading the files this host wrote: each must hold the same values as numpy's own file.
const CHECK: &str = r#"
import json, os
os.chdir(sys.argv[1])
pairs = json.loads(sys.argv[2])
bad = []
for ours, theirs in pairs:
    if ours.endswith('.npy'):
        a, b = np.load(ours, mmap_mode='r'), np.load(theirs, mmap_mode='r')
        same = (a.dtype == b.dtype and a.shape == b.shape and a.flags.f_contiguous == b.flags.f_contiguous
                and np.asarray(a).tobytes() == np.asarray(b).tobytes())
        if not same:
            bad.append(ours)
print(json.dumps(bad))
"#;

#[test]
fn every_dtype_order_and_offset_round_trips_with_numpy_bit_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let pairs: Vec<(String, String)> = serde_json::from_str(&numpy::run(SCRIPT, &[path])).unwrap();
    // 25 dtypes (14 kinds, the 11 multi-byte ones in both byte orders) x 2 orders: 2 offsets of raw
    // files and one .npy file each, two comparisons per file.
    assert_eq!(pairs.len(), 25 * 2 * 3 * 2);

    let outcome = run_in(INTEROP, &[], dir.path());
    let out = outcome.stdout_text();
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}: {out}", outcome.status);
    assert_eq!(out.trim(), format!("ok {}", pairs.len()));

    let mut mismatched = Vec::new();
    for (ours, expected) in &pairs {
        let a = std::fs::read(dir.path().join(ours)).unwrap();
        let b = std::fs::read(dir.path().join(expected)).unwrap();
        if a != b {
            mismatched.push(format!("{ours} != {expected}: {} vs {} bytes", a.len(), b.len()));
        }
    }
    assert!(mismatched.is_empty(), "{} of {} files differ:\n{}", mismatched.len(), pairs.len(), mismatched.join("\n"));

    // And numpy itself loads every .npy file this host created, with the same dtype, shape and order.
    let bad: Vec<String> =
        serde_json::from_str(&numpy::run(CHECK, &[path, &serde_json::to_string(&pairs).unwrap()])).unwrap();
    assert!(bad.is_empty(), "numpy reads these differently: {bad:?}");
}
