//! The document's session, replayed by the demo plugin.

use std::io::Read;

use wasm_memmap_guest_artifacts::DEMO_PATH;
use wasm_memmap_host::run::Status;
use wasm_memmap_tests::{f64s, numpy, run_in, stdout};

const ROWS: usize = 10_000;
const COLS: usize = 10_000;
const SEED: u64 = 7;

/// The text after `Out[n]:` up to the next blank line.
fn out_block(transcript: &str, n: u32) -> String {
    let marker = format!("Out[{n}]:\n");
    let start = transcript.find(&marker).unwrap_or_else(|| panic!("no {marker:?} in:\n{transcript}")) + marker.len();
    let rest = &transcript[start..];
    rest.split("\n\n").next().unwrap_or(rest).trim_end().to_string()
}

#[test]
fn the_demo_replays_the_session_into_a_file_numpy_reads_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_in(DEMO_PATH, &["--seed", &SEED.to_string()], dir.path());
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    let transcript = stdout(&outcome);

    // The session's inputs, in the document's order.
    let inputs: Vec<&str> = transcript.lines().filter(|l| l.starts_with("In [")).collect();
    assert_eq!(
        inputs,
        [
            "In [217]: mmap = np.memmap('mymmap', dtype='float64', mode='w+', shape=(10000, 10000))",
            "In [218]: mmap",
            "In [219]: section = mmap[:5]",
            "In [220]: section[:] = rng.standard_normal((5, 10000))",
            "In [221]: mmap.flush()",
            "In [222]: mmap",
            "In [223]: del mmap",
            "In [224]: mmap = np.memmap('mymmap', dtype='float64', shape=(10000, 10000))",
            "In [225]: mmap",
        ]
    );

    // The file: exactly 10000 x 10000 float64 values.
    let path = dir.path().join("mymmap");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 800_000_000);
    let mut file = std::fs::File::open(&path).unwrap();

    // Rows 0-4 hold the numbers the plugin drew: the SDK's generator with the same seed, run here.
    let expected = wasm_memmap_sdk::random::default_rng(SEED).standard_normal(&[5, 10_000]);
    let mut head = vec![0u8; 5 * COLS * 8];
    file.read_exact(&mut head).unwrap();
    let written = f64s(&head);
    assert!(
        written.iter().zip(&expected).all(|(a, b)| a.to_bits() == b.to_bits()),
        "rows 0-4 differ from the seeded draws"
    );

    // Every other byte is zero.
    let zeros = vec![0u8; 8 << 20];
    let mut chunk = vec![0u8; 8 << 20];
    let mut left = (ROWS - 5) * COLS * 8;
    while left > 0 {
        let n = left.min(chunk.len());
        file.read_exact(&mut chunk[..n]).unwrap();
        assert!(chunk[..n] == zeros[..n], "non-zero bytes after row 4");
        left -= n;
    }

    // numpy opens the same file as the document does and sees the same bits; its repr with the
    // book's print options is what the plugin printed.
    let script = r#"
import json
path, zeros = sys.argv[1], sys.argv[2]
np.set_printoptions(precision=4, suppress=True, legacy='2.1')
m = np.memmap(path, dtype='float64', shape=(10000, 10000))
z = np.memmap(zeros, dtype='float64', mode='w+', shape=(10000, 10000))
print(json.dumps({
    "head": m[:5].tobytes().hex(),
    "nonzero_after_row_4": int(np.count_nonzero(m[5:])),
    "repr": repr(m),
    "repr_zeros": repr(z),
}))
"#;
    let zeros_path = dir.path().join("zeros");
    let out = numpy::run(script, &[path.to_str().unwrap(), zeros_path.to_str().unwrap()]);
    let seen: serde_json::Value = serde_json::from_str(&out).unwrap();
    let head_hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
    assert!(seen["head"].as_str().unwrap() == head_hex, "numpy reads other bytes in rows 0-4");
    assert_eq!(seen["nonzero_after_row_4"], 0);
    assert_eq!(out_block(&transcript, 218), seen["repr_zeros"].as_str().unwrap());
    assert_eq!(out_block(&transcript, 222), seen["repr"].as_str().unwrap());
    assert_eq!(out_block(&transcript, 225), seen["repr"].as_str().unwrap());
}
