//! The document's session, replayed by the demo plugin, against numpy replaying it in python3.

use std::io::Read;

use wasm_memmap_guest_artifacts::DEMO_PATH;
use wasm_memmap_host::run::Status;
use wasm_memmap_tests::{numpy, run_in, stdout};

const ROWS: usize = 10_000;
const COLS: usize = 10_000;

/// The session in python3 + numpy, cell by cell, printed as the demo prints it: each cell's input
/// line, then for an expression `Out[n]:` and numpy's repr, cells separated by a blank line. The
/// cell texts are the session's; every output comes from numpy. Run in the directory `sys.argv[1]`
/// with `default_rng(int(sys.argv[2]))`; prints the transcript, then a line with the hex of rows 0-4
/// of the file numpy wrote.
const NUMPY_SESSION: &str = r#"
import ast, os
os.chdir(sys.argv[1])
np.set_printoptions(precision=4, suppress=True, legacy='2.1')
rng = np.random.default_rng(int(sys.argv[2]))
cells = [
    (217, "mmap = np.memmap('mymmap', dtype='float64', mode='w+', shape=(10000, 10000))"),
    (218, "mmap"),
    (219, "section = mmap[:5]"),
    (220, "section[:] = rng.standard_normal((5, 10000))"),
    (221, "mmap.flush()"),
    (222, "mmap"),
    (223, "del mmap"),
    (224, "mmap = np.memmap('mymmap', dtype='float64', shape=(10000, 10000))"),
    (225, "mmap"),
]
names = {'np': np, 'rng': rng}
blocks = []
for n, source in cells:
    lines = [f"In [{n}]: {source}"]
    if isinstance(ast.parse(source).body[0], ast.Expr):
        value = eval(source, names)
        if value is not None:
            lines += [f"Out[{n}]:", repr(value)]
    else:
        exec(source, names)
    blocks.append("\n".join(lines))
print("\n\n".join(blocks))
print(np.asarray(names['mmap'][:5]).astype('<f8').tobytes().hex())
"#;

/// Runs the demo (with `args`) and numpy's session with `seed`, each in its own directory; asserts
/// the transcripts are equal character for character and the files hold the same bytes.
fn demo_prints_what_numpy_prints(args: &[&str], seed: u64) {
    let ours = tempfile::tempdir().unwrap();
    let outcome = run_in(DEMO_PATH, args, ours.path());
    assert!(
        matches!(outcome.status, Status::Exited(0)),
        "{:?}\n{}",
        outcome.status,
        String::from_utf8_lossy(&outcome.stderr)
    );
    let transcript = stdout(&outcome);

    let theirs = tempfile::tempdir().unwrap();
    let numpy_out = numpy::run(NUMPY_SESSION, &[theirs.path().to_str().unwrap(), &seed.to_string()]);
    let (numpy_transcript, numpy_head) = numpy_out.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(transcript, format!("{numpy_transcript}\n"), "the demo's transcript differs from numpy's");

    // The file: exactly 10000 x 10000 float64 values, rows 0-4 numpy's draws, every other byte zero.
    let path = ours.path().join("mymmap");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 800_000_000);
    let mut file = std::fs::File::open(&path).unwrap();
    let mut head = vec![0u8; 5 * COLS * 8];
    file.read_exact(&mut head).unwrap();
    let head_hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
    assert!(head_hex == numpy_head, "rows 0-4 differ from numpy's draws for seed {seed}");
    let zeros = vec![0u8; 8 << 20];
    let mut chunk = vec![0u8; 8 << 20];
    let mut left = (ROWS - 5) * COLS * 8;
    while left > 0 {
        let n = left.min(chunk.len());
        file.read_exact(&mut chunk[..n]).unwrap();
        assert!(chunk[..n] == zeros[..n], "non-zero bytes after row 4");
        left -= n;
    }
}

#[test]
fn the_demo_with_its_default_seed_prints_numpys_session_with_seed_12345() {
    demo_prints_what_numpy_prints(&[], 12345);
}

#[test]
fn the_demo_with_another_seed_prints_numpys_session_with_that_seed() {
    demo_prints_what_numpy_prints(&["--seed", "7"], 7);
}
