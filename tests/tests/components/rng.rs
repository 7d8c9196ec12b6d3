//! The SDK's `random::default_rng` against numpy's `np.random.default_rng`: a guest program and numpy
//! run the same calls on the same seed and write what they drew to files; the files must be equal
//! byte for byte.

use wasm_memmap_guest_artifacts::test_programs::RNG;
use wasm_memmap_runner::Status;
use wasm_memmap_runner::testkit::run_in;
use wasm_memmap_tests::numpy;

/// numpy's side of the `rng` guest program: the same OPs on `default_rng(SEED)`, written with `.tofile`.
const NUMPY_DRAWS: &str = r#"
out, seed, *ops = sys.argv[1:]
rng = np.random.default_rng(int(seed))
with open(out, 'wb') as f:
    for op in ops:
        name, *a = op.split(':')
        if name == 'raw':
            v = rng.bit_generator.random_raw(int(a[0])).astype('<u8')
        elif name == 'random':
            v = rng.random(int(a[0]))
        elif name == 'standard_normal':
            v = rng.standard_normal(int(a[0]))
        elif name == 'normal':
            v = rng.normal(float(a[0]), float(a[1]), int(a[2]))
        elif name == 'integers':
            v = rng.integers(int(a[0]), int(a[1]), int(a[2]), dtype=np.int64, endpoint=a[3:] == ['endpoint'])
        else:
            raise SystemExit('bad op ' + op)
        v.astype(v.dtype.newbyteorder('<')).tofile(f)
"#;

/// How many draws of the ziggurat's rare branches a run took (the guest's count).
#[derive(Debug, Default)]
struct Branches {
    tail: u64,
    wedge: u64,
    wedge_rejected: u64,
}

/// Runs `ops` on `seed` in the guest and in numpy and asserts the same bytes; returns the guest's
/// branch counts.
fn same_draws_as_numpy(seed: &str, ops: &[&str]) -> Branches {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = ["ours.bin", seed].into_iter().chain(ops.iter().copied()).collect();
    let outcome = run_in(RNG, &args, dir.path());
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    let counts: serde_json::Value = serde_json::from_str(&outcome.stdout_text()).unwrap();

    let theirs_path = dir.path().join("numpy.bin");
    let numpy_args: Vec<&str> = [theirs_path.to_str().unwrap(), seed].into_iter().chain(ops.iter().copied()).collect();
    numpy::run(NUMPY_DRAWS, &numpy_args);

    let ours = std::fs::read(dir.path().join("ours.bin")).unwrap();
    let theirs = std::fs::read(&theirs_path).unwrap();
    assert_eq!(ours.len(), theirs.len(), "seed {seed}, {ops:?}: numbers of bytes differ");
    if let Some(i) = ours.chunks_exact(8).zip(theirs.chunks_exact(8)).position(|(a, b)| a != b) {
        let word = |b: &[u8]| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap());
        let (a, b) = (word(&ours), word(&theirs));
        panic!(
            "seed {seed}, {ops:?}: value {i} differs: ours {a:#018x} ({}), numpy's {b:#018x} ({})",
            f64::from_bits(a),
            f64::from_bits(b)
        );
    }
    let count = |k: &str| counts[k].as_u64().unwrap();
    Branches { tail: count("tail"), wedge: count("wedge"), wedge_rejected: count("wedge_rejected") }
}

#[test]
fn raw_uniform_and_normal_draws_are_numpys_bit_for_bit() {
    // 0 and 12345 (the demo's default), a seed of two 32-bit words and one of four (numpy splits an
    // integer seed into 32-bit words, and a seed of more words than the pool takes the last mixing loop).
    let seeds = ["0", "12345", "18446744073709551615", "340282366920938463463374607431768211455"];
    let mut total = Branches::default();
    for seed in seeds {
        let b = same_draws_as_numpy(
            seed,
            &["raw:1000", "random:100000", "standard_normal:1000000", "normal:3.5:2.25:10000", "raw:10"],
        );
        eprintln!("seed {seed}: {b:?}");
        total.tail += b.tail;
        total.wedge += b.wedge;
        total.wedge_rejected += b.wedge_rejected;
    }
    // The comparison covered the branches that use `log1p` and `exp`, not only the fast path.
    eprintln!("all seeds: {total:?}");
    assert!(total.tail > 100 && total.wedge > 1000 && total.wedge_rejected > 100, "{total:?}");
}

#[test]
fn bounded_integers_are_numpys_for_every_kind_of_range() {
    let min = i64::MIN.to_string();
    let max = i64::MAX.to_string();
    let ops = [
        // Ranges that fit in 32 bits draw 32-bit halves; an odd count leaves a half buffered for the
        // next call, which numpy keeps across other methods.
        "integers:0:10:1001".to_string(),
        "standard_normal:3".into(),
        "integers:-5:5:999".into(),
        "random:3".into(),
        "integers:0:3:1000:endpoint".into(),
        // 3 * 2^30 rejects a quarter of the 32-bit draws.
        "integers:0:3221225472:1001".into(),
        // 2^32 values: every 32-bit draw is one; 2^32 + 1: the 64-bit method.
        "integers:0:4294967296:1001".into(),
        "integers:-4294967296:1:1000".into(),
        "raw:5".into(),
        "integers:-1000000000000:1000000000000:1000".into(),
        // 3 * 2^62 values reject a quarter of the 64-bit draws.
        format!("integers:{min}:4611686018427387904:1000"),
        // Every int64 (`endpoint`), and all but one.
        format!("integers:{min}:{max}:1000:endpoint"),
        format!("integers:{min}:{max}:1000"),
        // One value draws nothing.
        "integers:7:8:10".into(),
        format!("integers:{max}:{max}:10:endpoint"),
        "integers:0:1000:1".into(),
        "raw:5".into(),
    ];
    let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
    for seed in ["0", "12345", "98765432123456789"] {
        same_draws_as_numpy(seed, &ops);
    }
}
