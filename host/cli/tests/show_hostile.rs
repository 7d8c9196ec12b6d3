//! `wasm-memmap show` on files a plugin may have left for the operator (issue 10, finding 6):
//! whatever the shape, it reads and prints a bounded number of elements, refuses more than numpy's
//! 64 axes with numpy's message, and never waits on a FIFO.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use wasm_memmap_numpy_core::{DType, npy};
use wasm_memmap_tests::numpy;

/// Runs `show` with `args`, killing it after `deadline` (then the test fails, naming the run).
fn show_within(args: &[&str], deadline: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasm-memmap"))
        .arg("show")
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    // Drained as it runs, so a long output cannot fill the pipe and stall it.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("show {args:?} was still running after {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

fn show(args: &[&str]) -> Output {
    show_within(args, Duration::from_secs(20))
}

/// The message of a refusal: `show` exits with status 1 (not a signal), prints nothing on stdout
/// and one `Error: ...` line first on stderr.
fn refusal(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "printed {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr.lines().next().unwrap_or_default().strip_prefix("Error: ").unwrap_or_else(|| panic!("{stderr}")).to_owned()
}

/// A sparse `.npy` file of `shape` (uint8, numpy's header): a few KB on disk however large.
fn sparse_npy(path: &Path, shape: &[u64]) {
    let header = npy::header_bytes(&DType::parse("|u1").unwrap(), false, shape);
    std::fs::write(path, &header).unwrap();
    let len = shape.iter().product::<u64>() + u64::try_from(header.len()).unwrap();
    std::fs::File::options().write(true).open(path).unwrap().set_len(len).unwrap();
}

/// A `.npy` file of shape `(6,)*10`, 60 MB and sparse: numpy's summarisation keeps every element
/// of an axis of at most `2 * edgeitems`, so all 60,466,176 would print (1f22ff2 took 40-55 s
/// and 5.9 GB). `show` refuses at once, naming the count and the flag; under the cap it prints
/// what numpy prints.
#[test]
fn a_sparse_file_of_many_short_axes_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let ten = dir.path().join("ten.npy");
    sparse_npy(&ten, &[6; 10]);
    let start = Instant::now();
    let out = show_within(&[ten.to_str().unwrap()], Duration::from_secs(10));
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    assert_eq!(
        refusal(&out),
        "show would read and print 60466176 elements of this array of shape (6, 6, 6, 6, 6, 6, 6, 6, 6, 6) \
         (numpy's summarisation, with threshold 1000 and edgeitems 3, keeps that many), more than \
         --max-elements 100000; raise --max-elements, or lower --threshold or --edgeitems to print fewer"
    );

    // Six axes (46,656 elements) are under the default cap and print exactly as numpy prints them;
    // the cap counts what would print, so one fewer refuses and that many prints.
    let six = dir.path().join("six.npy");
    sparse_npy(&six, &[6; 6]);
    let want = numpy::run("print(repr(np.load(sys.argv[1], mmap_mode='r')))", &[six.to_str().unwrap()]);
    let out = show(&[six.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    let out = show(&[six.to_str().unwrap(), "--max-elements", "46655"]);
    assert!(refusal(&out).starts_with("show would read and print 46656 elements"));
    let out = show(&[six.to_str().unwrap(), "--max-elements", "46656"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    // Summarised long axes keep 2 * edgeitems each, so --edgeitems raises the count with them.
    let (big, f) = (["--shape", "1000,1000,60"], ten.to_str().unwrap());
    let want = numpy::run(
        "with np.printoptions(edgeitems=20):\n    print(repr(np.memmap(sys.argv[1], mode='r', shape=(1000, 1000, 60))))",
        &[f],
    );
    let out = show(&[&[f][..], &big, &["--edgeitems", "20"]].concat());
    assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{}", String::from_utf8_lossy(&out.stderr));
    let out = show(&[&[f][..], &big, &["--edgeitems", "50"]].concat());
    assert!(refusal(&out).starts_with(
        "show would read and print 600000 elements of this array of shape (1000, 1000, 60) (numpy's \
         summarisation, with threshold 1000 and edgeitems 50, keeps that many)"
    ));
}

/// 60,000 axes once overflowed the stack (SIGABRT); numpy allows 64. Both `--shape` and a `.npy`
/// header get numpy's refusal, and 64 axes still print as numpy prints them.
#[test]
fn more_than_64_axes_get_numpys_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.bin");
    std::fs::write(&file, [7u8]).unwrap();
    let f = file.to_str().unwrap();
    let expected: serde_json::Value = serde_json::from_str(&numpy::messages(
        "cases = {'65': lambda: np.memmap(sys.argv[1], mode='r', shape=(1,)*65)}",
        &[f],
    ))
    .unwrap();
    assert_eq!(expected["65"], "maximum supported dimension for an ndarray is currently 64, found 65");
    let ones = |n: usize| vec!["1"; n].join(",");
    assert_eq!(refusal(&show(&[f, "--shape", &ones(65)])), expected["65"].as_str().unwrap());
    let start = Instant::now();
    let out = show(&[f, "--shape", &ones(60_000)]);
    assert_eq!(refusal(&out), "maximum supported dimension for an ndarray is currently 64, found 60000");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());

    let want = numpy::run("print(repr(np.memmap(sys.argv[1], mode='r', shape=(1,)*64)))", &[f]);
    let out = show(&[f, "--shape", &ones(64)]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{}", String::from_utf8_lossy(&out.stderr));

    // A hand-made header of 3,000 axes (numpy cannot write one, and refuses to load it).
    let npy_file = dir.path().join("axes.npy");
    let dict = format!("{{'descr': '|u1', 'fortran_order': False, 'shape': ({}), }}", "1, ".repeat(3000));
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&u16::try_from(dict.len() + 1).unwrap().to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes.extend_from_slice(b"\n\x07");
    std::fs::write(&npy_file, bytes).unwrap();
    let n = npy_file.to_str().unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&numpy::messages("cases = {'npy': lambda: np.load(sys.argv[1], mmap_mode='r')}", &[n]))
            .unwrap();
    assert_eq!(refusal(&show(&[n])), expected["npy"].as_str().unwrap());
}

/// A FIFO is refused, and so is one swapped in for a regular file between `show`'s check of the
/// path and its open: the open does not wait for a writer (O_NONBLOCK), and the opened descriptor
/// is checked again. 1f22ff2 checked the path, then opened without O_NONBLOCK: a swap in between
/// hung it.
#[test]
fn a_fifo_never_makes_show_wait() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = show_within(&[fifo.to_str().unwrap()], Duration::from_secs(5));
    assert_eq!(refusal(&out), format!("'{}' is not a regular file", fifo.display()));

    std::fs::write(d.join("real"), [1u8, 2, 3]).unwrap();
    let target = d.join("swap.bin");
    std::fs::copy(d.join("real"), &target).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (d, target, stop) = (d.to_path_buf(), target.clone(), std::sync::Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut swaps = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // rename(2) replaces the name atomically: it is always the file or the FIFO.
                for node in ["real", "pipe"] {
                    let _ = std::fs::remove_file(d.join("tmp"));
                    std::fs::hard_link(d.join(node), d.join("tmp")).unwrap();
                    std::fs::rename(d.join("tmp"), &target).unwrap();
                }
                swaps += 1;
            }
            swaps
        })
    };
    let (mut printed, mut refused) = (0u32, 0u32);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) && printed + refused < 300 {
        let out = show_within(&[target.to_str().unwrap()], Duration::from_secs(5));
        if out.status.success() {
            assert_eq!(String::from_utf8_lossy(&out.stdout), "memmap([1, 2, 3], dtype=uint8)\n");
            printed += 1;
        } else {
            assert_eq!(refusal(&out), format!("'{}' is not a regular file", target.display()));
            refused += 1;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    println!("{swaps} swaps: {printed} runs printed the file, {refused} refused the FIFO");
    assert!(swaps > 0 && printed + refused > 0);
}
