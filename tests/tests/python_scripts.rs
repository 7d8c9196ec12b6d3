//! Python scripts run twice: by CPython with real numpy (the oracle) and by `wasm-memmap run
//! SCRIPT.py` in the sandbox, each in its own fresh directory. What they print on stdout must be the
//! same text and every file they leave must be the same bytes; a script that fails must fail in both
//! with exit status 1, the same frames of its own file and the same last traceback line. Hostile
//! scripts run in the sandbox only and must meet the refusals components meet (see
//! `components/hostile.rs` and the CLI's tests).
//!
//! The scripts are `tests/python/*.py` and `examples/session.py`; each test names the feature its
//! script checks. Both interpreters get the script by the same absolute path, so `sys.argv[0]` and
//! the file named in tracebacks are the same string.
//!
//! The sandbox runs share one compile cache (in the target directory, kept between test runs); the
//! first run compiles the Python runner once while the other tests wait, so they never race to
//! compile it.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Read as _;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wasm_memmap_tests::{numpy, workspace_root};

/// How long one interpreter may take on one script before the test gives up on it (the first
/// sandbox run also compiles the runner, ~6-20 s on a loaded machine).
const GUARD: Duration = Duration::from_secs(300);

/// What one interpreter did with one script.
#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// The directory of the test binary's profile (`target/release`), where cargo puts the
/// `wasm-memmap` binary when it builds the workspace.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/release/deps/python_scripts-HASH
    exe.parent().and_then(Path::parent).expect("the test binary is in <target>/<profile>/deps").to_path_buf()
}

/// The `wasm-memmap` command built with this test (`cargo test --release` builds it for the CLI's
/// own tests).
fn cli() -> PathBuf {
    let path = profile_dir().join(format!("wasm-memmap{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} is missing: build the workspace first (`cargo build --release`)", path.display());
    path
}

/// The compile cache every sandbox run of this suite uses.
fn cache_dir() -> PathBuf {
    profile_dir().join("python-scripts-cache")
}

fn script(name: &str) -> PathBuf {
    workspace_root().join("tests/python").join(name)
}

/// Runs `command` to its end (killing it after [`GUARD`]), capturing its output.
fn run(mut command: Command) -> Ran {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        out.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let mut stderr = Vec::new();
    let err_reader = std::thread::spawn(move || {
        err.read_to_end(&mut stderr).unwrap();
        stderr
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > GUARD {
            child.kill().unwrap();
            panic!("{command:?} ran for more than {GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    Ran {
        code: status.code(),
        stdout: text(reader.join().unwrap()),
        stderr: text(err_reader.join().unwrap()),
        took: start.elapsed(),
    }
}

/// `python SCRIPT ARGS...` with real numpy, in `dir`.
fn numpy_run(script: &Path, args: &[&str], dir: &Path) -> Ran {
    let mut command = Command::new(numpy::python());
    command.arg(script).args(args).current_dir(dir).env("PYTHONDONTWRITEBYTECODE", "1");
    run(command)
}

/// `wasm-memmap run SCRIPT --dir . FLAGS... -- ARGS...` in `dir`, on the shared compile cache.
fn sandbox_run(script: &Path, flags: &[&str], args: &[&str], dir: &Path) -> Ran {
    warm_cache();
    sandbox_command(script, flags, args, dir)
}

fn sandbox_command(script: &Path, flags: &[&str], args: &[&str], dir: &Path) -> Ran {
    let mut command = Command::new(cli());
    command.arg("--cache-dir").arg(cache_dir()).arg("run").arg(script).args(["--dir", "."]).args(flags);
    if !args.is_empty() {
        command.arg("--").args(args);
    }
    command.current_dir(dir);
    run(command)
}

/// The first sandbox run of the process, with nothing to do: it fills the compile cache if it is
/// cold, once, before any test runs a script.
fn warm_cache() {
    static WARM: OnceLock<()> = OnceLock::new();
    WARM.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.py");
        std::fs::write(&empty, "").unwrap();
        let ran = sandbox_command(&empty, &[], &[], dir.path());
        assert_eq!(ran.code, Some(0), "an empty script failed in the sandbox:\n{}", ran.stderr);
        eprintln!("sandbox ready in {:?}", ran.took);
    });
}

/// Every regular file under `dir`, by its path relative to `dir` (symbolic links as their target).
fn files(dir: &Path) -> BTreeMap<PathBuf, PathBuf> {
    let mut found = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                todo.push(path);
            } else if meta.is_file() {
                found.insert(path.strip_prefix(dir).unwrap().to_path_buf(), path);
            }
        }
    }
    found
}

/// The byte ranges of `file` that hold data (`lseek` with `SEEK_DATA` / `SEEK_HOLE`): the rest are
/// holes, which read as zeros. A file system without holes reports the whole file as data.
fn data_extents(file: &std::fs::File) -> Vec<(u64, u64)> {
    let mut extents = Vec::new();
    let mut at = 0;
    loop {
        let start = match rustix::fs::seek(file, rustix::fs::SeekFrom::Data(at)) {
            Ok(start) => start,
            // Past the last data.
            Err(rustix::io::Errno::NXIO) => break,
            Err(e) => panic!("SEEK_DATA: {e}"),
        };
        let end = rustix::fs::seek(file, rustix::fs::SeekFrom::Hole(start)).unwrap();
        extents.push((start, end));
        at = end;
    }
    extents
}

/// Asserts that `a` and `b` hold the same files with the same bytes. Only the ranges where either
/// file holds data are read (a range that is a hole in both is zeros in both), so the session's
/// 800 MB file, of which 400 KB were written, is compared in milliseconds.
fn assert_same_files(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    let names = |m: &BTreeMap<PathBuf, PathBuf>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb), "numpy left the first list of files, the sandbox the second");
    for (name, pa) in &fa {
        let (ra, rb) = (std::fs::File::open(pa).unwrap(), std::fs::File::open(&fb[name]).unwrap());
        let (la, lb) = (ra.metadata().unwrap().len(), rb.metadata().unwrap().len());
        assert_eq!(la, lb, "{}: numpy left {la} bytes, the sandbox {lb}", name.display());
        let mut ranges = data_extents(&ra);
        ranges.extend(data_extents(&rb));
        ranges.sort_unstable();
        let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
        // Ranges of the two files may overlap: `done` is where comparing has reached.
        let mut done = 0u64;
        for (start, end) in ranges {
            let mut at = start.max(done);
            while at < end {
                let n = usize::try_from((end - at).min(1 << 20)).unwrap();
                ra.read_exact_at(&mut ba[..n], at).unwrap();
                rb.read_exact_at(&mut bb[..n], at).unwrap();
                if let Some(k) = (0..n).find(|&k| ba[k] != bb[k]) {
                    let (from, to) = (k.saturating_sub(8), (k + 8).min(n));
                    panic!(
                        "{}: the bytes differ at offset {}: numpy {:02x?}, sandbox {:02x?}",
                        name.display(),
                        at + u64::try_from(k).unwrap(),
                        &ba[from..to],
                        &bb[from..to]
                    );
                }
                at += u64::try_from(n).unwrap();
            }
            done = done.max(end);
        }
    }
}

/// The first line where `a` and `b` differ, for a message that is short when outputs are long.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    for (i, (x, y)) in la.iter().zip(&lb).enumerate() {
        if x != y {
            return format!("line {}:\n  numpy:   {x:?}\n  sandbox: {y:?}", i + 1);
        }
    }
    format!("numpy printed {} lines, the sandbox {}", la.len(), lb.len())
}

/// Two fresh directories, one per interpreter, side by side.
struct Dirs {
    _top: tempfile::TempDir,
    numpy: PathBuf,
    sandbox: PathBuf,
}

fn dirs() -> Dirs {
    let top = tempfile::tempdir().unwrap();
    let (numpy, sandbox) = (top.path().join("numpy"), top.path().join("sandbox"));
    std::fs::create_dir(&numpy).unwrap();
    std::fs::create_dir(&sandbox).unwrap();
    Dirs { _top: top, numpy, sandbox }
}

/// Runs `script` with `args` under numpy and in the sandbox; both must exit 0, print the same and
/// leave the same files. Returns what was printed.
fn same(script: &Path, args: &[&str]) -> String {
    same_in(&dirs(), script, args)
}

/// [`same`] in the directories `d` (which may hold input files); `script` may be relative to them.
fn same_in(d: &Dirs, script: &Path, args: &[&str]) -> String {
    let want = numpy_run(script, args, &d.numpy);
    assert_eq!(want.code, Some(0), "{} failed under numpy:\n{}", script.display(), want.stderr);
    let got = sandbox_run(script, &[], args, &d.sandbox);
    assert_eq!(
        got.code,
        Some(0),
        "{} failed in the sandbox:\n{}\n--- stdout ---\n{}",
        script.display(),
        got.stderr,
        got.stdout
    );
    assert!(
        want.stdout == got.stdout,
        "{} printed otherwise in the sandbox, {}",
        script.display(),
        first_difference(&want.stdout, &got.stdout)
    );
    assert_same_files(&d.numpy, &d.sandbox);
    got.stdout
}

/// The lines of a traceback that name `script` (`  File "SCRIPT", line N, in NAME`), and its
/// last line (`Type: message`).
fn traceback(stderr: &str, script: &Path) -> (Vec<String>, String) {
    let quoted = format!("File \"{}\"", script.display());
    let frames = stderr.lines().filter(|l| l.contains(&quoted)).map(|l| l.trim().to_owned()).collect();
    let last = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default().to_owned();
    (frames, last)
}

/// Runs `script` under numpy and in the sandbox; both must exit 1 with a traceback whose frames
/// in the script and last line agree, after printing the same and leaving the same files.
fn same_failure(script: &Path) {
    let d = dirs();
    let want = numpy_run(script, &[], &d.numpy);
    assert_eq!(want.code, Some(1), "numpy: {}", want.stderr);
    let got = sandbox_run(script, &[], &[], &d.sandbox);
    assert_eq!(got.code, Some(1), "the sandbox: {}", got.stderr);
    assert_eq!(want.stdout, got.stdout);
    let (want_frames, want_last) = traceback(&want.stderr, script);
    let (got_frames, got_last) = traceback(&got.stderr, script);
    assert!(got.stderr.contains("Traceback (most recent call last):"), "{}", got.stderr);
    assert_eq!(want_frames, got_frames, "the sandbox's traceback:\n{}", got.stderr);
    assert_eq!(want_last, got_last, "the sandbox's traceback:\n{}", got.stderr);
    assert_same_files(&d.numpy, &d.sandbox);
}

// The document's session.

#[test]
fn session_script_prints_what_numpy_prints_and_leaves_the_same_mymmap() {
    // As the README runs it: `python3 examples/session.py` and `wasm-memmap run
    // examples/session.py --dir .` from a directory that holds the example (a copy here).
    let d = dirs();
    for dir in [&d.numpy, &d.sandbox] {
        std::fs::create_dir(dir.join("examples")).unwrap();
        std::fs::copy(workspace_root().join("examples/session.py"), dir.join("examples/session.py")).unwrap();
    }
    let out = same_in(&d, Path::new("examples/session.py"), &[]);
    assert!(out.starts_with("memmap([[0., 0., 0., ..., 0., 0., 0.],\n"), "{out}");
    assert_eq!(std::fs::metadata(d.sandbox.join("mymmap")).unwrap().len(), 800_000_000);
}

#[test]
fn session_script_echo_prints_the_ipython_transcript() {
    let out = same(&workspace_root().join("examples/session.py"), &["--echo"]);
    assert!(out.starts_with("In [217]: mmap = np.memmap('mymmap', dtype='float64', mode='w+', shape=(10000, 10000))\n\nIn [218]: mmap\nOut[218]:\nmemmap([[0., 0., 0., ..., 0., 0., 0.],\n"), "{out}");
    assert!(out.contains("\nOut[225]:\nmemmap([[-1.4238,  1.2637, -0.8707, ..."), "{out}");
}

// np.memmap, .npy files, views.

#[test]
fn memmap_accepts_every_dtype_spelling_and_byte_order() {
    same(&script("memmap_dtypes.py"), &[]);
}

#[test]
fn memmap_modes_and_their_aliases_reach_the_file_or_not() {
    same(&script("memmap_modes.py"), &[]);
}

#[test]
fn memmap_offset_shape_none_and_fortran_order() {
    same(&script("memmap_offset_shape_order.py"), &[]);
}

#[test]
fn npy_files_by_open_memmap_and_load_mmap_mode() {
    same(&script("npy_files.py"), &[]);
}

#[test]
fn basic_indexing_views_of_views_and_transpose() {
    same(&script("indexing.py"), &[]);
}

#[test]
fn assignment_of_scalars_lists_arrays_and_draws_broadcasts() {
    same(&script("assignment.py"), &[]);
}

#[test]
fn flush_and_del_leave_the_written_values_in_the_file() {
    same(&script("flush_del.py"), &[]);
}

#[test]
fn attributes_of_maps_and_views() {
    same(&script("attributes.py"), &[]);
}

#[test]
fn item_conversions_tolist_and_reductions() {
    same(&script("item_reduce.py"), &[]);
}

// Printing.

#[test]
fn print_options_precision_and_suppress() {
    same(&script("print_precision_suppress.py"), &[]);
}

#[test]
fn print_options_threshold_and_edgeitems() {
    same(&script("print_threshold_edgeitems.py"), &[]);
}

#[test]
fn print_options_linewidth() {
    same(&script("print_linewidth.py"), &[]);
}

#[test]
fn print_options_floatmode_and_sign() {
    same(&script("print_floatmode_sign.py"), &[]);
}

#[test]
fn print_options_legacy_2_1() {
    same(&script("print_legacy.py"), &[]);
}

#[test]
fn printing_every_dtype_complex_bool_float16_big_endian_and_specials() {
    same(&script("print_dtypes.py"), &[]);
}

// Random numbers.

#[test]
fn default_rng_draws_numpys_streams_for_every_seed_kind_size_and_out() {
    same(&script("random_streams.py"), &[]);
}

// Exceptions.

#[test]
fn integer_array_indexing_take_put_and_flat_match_numpy() {
    same(&script("take_put.py"), &[]);
}

#[test]
fn integer_array_indexing_errors_have_numpys_messages() {
    same(&script("errors_take.py"), &[]);
}

#[test]
fn index_errors_have_numpys_messages() {
    same(&script("errors_index.py"), &[]);
}

#[test]
fn value_errors_have_numpys_messages() {
    same(&script("errors_value.py"), &[]);
}

#[test]
fn type_errors_have_numpys_messages() {
    same(&script("errors_type.py"), &[]);
}

#[test]
fn file_not_found_errors_have_numpys_messages() {
    same(&script("errors_files.py"), &[]);
}

/// The unprivileged user the permission test runs both interpreters as when the tests run as root
/// (root may write a mode-0444 file, so neither would refuse): `nobody` on Linux.
const NOBODY: u32 = 65_534;

/// Writes the read-only inputs of `errors_permission.py` into `dir`: `ro.dat` (two float64) and
/// `ro.npy` (`np.save` of `np.arange(3)`, written by numpy), both mode 0444.
fn read_only_inputs(dir: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let dat = dir.join("ro.dat");
    std::fs::write(&dat, [0.0f64, 1.0].iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>()).unwrap();
    let npy = dir.join("ro.npy");
    numpy::run("np.save(sys.argv[1], np.arange(3))", &[npy.to_str().unwrap()]);
    for file in [dat, npy] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
}

#[test]
fn permission_errors_have_numpys_messages() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let d = dirs();
    for dir in [&d.numpy, &d.sandbox] {
        read_only_inputs(dir);
    }
    let script = script("errors_permission.py");
    // The owner of a directory this process made is its effective user.
    if std::fs::metadata(&d.numpy).unwrap().uid() != 0 {
        let out = same_in(&d, &script, &[]);
        assert!(out.contains("r+ PermissionError: [Errno 13] Permission denied: 'ro.dat'\n"), "{out}");
        return;
    }
    // As root, both run as `nobody` (by `setpriv`, which can still reach an interpreter installed
    // under root's home), on a copy of the script, in directories and on a compile cache that user
    // owns (the cache of the other tests is root's, mode 0700).
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: the tests run as root, to whom mode 0444 does not refuse writes, and setpriv is missing");
        return;
    }
    let top = d.numpy.parent().unwrap();
    std::fs::set_permissions(top, std::fs::Permissions::from_mode(0o755)).unwrap();
    let as_nobody = |program: &Path| {
        let mut command = Command::new("setpriv");
        command
            .args([format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"), "--clear-groups".to_owned()])
            .arg(program)
            .env("HOME", top);
        command
    };
    // A workspace under root's home is out of nobody's reach: then the cache is the test's own
    // (the runner is compiled again, ~10 s).
    let reachable = as_nobody(Path::new("test")).arg("-x").arg(profile_dir()).status().is_ok_and(|s| s.success());
    // Where `nobody` cannot even start the interpreter or the command (a checkout it may not
    // enter), there is no unprivileged run to compare: say so rather than fail on the machine.
    let starts = |program: &Path, args: &[&str]| {
        as_nobody(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    };
    if !starts(&numpy::python(), &["-c", "import numpy"]) || !starts(&cli(), &["--version"]) {
        eprintln!(
            "skipped: the tests run as root and `nobody` cannot start {} or {}",
            numpy::python().display(),
            cli().display()
        );
        return;
    }
    let cache =
        if reachable { profile_dir().join("python-scripts-cache-nobody") } else { top.join("python-scripts-cache") };
    std::fs::create_dir_all(&cache).unwrap();
    for path in [top, &d.numpy, &d.sandbox, &cache] {
        std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    let script = {
        let copy = top.join("errors_permission.py");
        std::fs::copy(&script, &copy).unwrap();
        copy
    };
    let mut python = as_nobody(&numpy::python());
    python.arg(&script).current_dir(&d.numpy).env("PYTHONDONTWRITEBYTECODE", "1");
    let want = run(python);
    assert_eq!(want.code, Some(0), "numpy as nobody: {}", want.stderr);
    assert!(want.stdout.contains("r+ PermissionError: [Errno 13] Permission denied: 'ro.dat'\n"), "{}", want.stdout);
    let mut sandbox = as_nobody(&cli());
    sandbox.arg("--cache-dir").arg(&cache).arg("run").arg(&script).args(["--dir", "."]).current_dir(&d.sandbox);
    let got = run(sandbox);
    assert_eq!(got.code, Some(0), "the sandbox as nobody: {}\n--- stdout ---\n{}", got.stderr, got.stdout);
    assert!(want.stdout == got.stdout, "{}", first_difference(&want.stdout, &got.stdout));
    assert_same_files(&d.numpy, &d.sandbox);
}

#[test]
fn overflow_errors_have_numpys_messages() {
    same(&script("errors_overflow.py"), &[]);
}

#[test]
fn memory_errors_have_numpys_messages() {
    same(&script("errors_memory.py"), &[]);
}

#[test]
fn an_uncaught_exception_exits_1_with_a_traceback_naming_the_script() {
    same_failure(&script("uncaught_exception.py"));
}

#[test]
fn sys_argv_is_the_script_and_its_arguments() {
    let out = same(&script("argv.py"), &["4", "a b.dat", "--flag", ""]);
    assert!(out.contains("'4', 'a b.dat', '--flag', '']"), "{out}");
}

// Hostile scripts: the sandbox only (numpy outside a sandbox has nothing to refuse).

/// A grant `sandbox` beside a file `outside.dat`, with symbolic links leading out of the grant.
fn escape_dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let top = tempfile::tempdir().unwrap();
    let grant = top.path().join("grant");
    std::fs::create_dir_all(grant.join("sub")).unwrap();
    let outside = top.path().join("outside.dat");
    std::fs::write(&outside, b"outside!").unwrap();
    std::os::unix::fs::symlink("../outside.dat", grant.join("link-out")).unwrap();
    std::os::unix::fs::symlink(&outside, grant.join("link-abs")).unwrap();
    std::os::unix::fs::symlink("..", grant.join("dir-out")).unwrap();
    (top, grant, outside)
}

#[test]
fn hostile_paths_out_of_the_grant_are_refused_as_for_components() {
    let (top, grant, outside) = escape_dirs();
    let outside_text = outside.to_str().unwrap();
    let got = sandbox_run(&script("hostile_paths.py"), &[], &[outside_text], &grant);
    assert_eq!(got.code, Some(0), "{}\n{}", got.stderr, got.stdout);
    let leads_out = |p: &str| format!("PermissionError: path '{p}' leads outside its granted directory '.'");
    let not_granted = |p: &str| format!("PermissionError: path '{p}' is not inside a granted directory (granted: '.')");
    let mut want = String::new();
    for refusal in [
        leads_out("../outside.dat"),
        leads_out("sub/../../outside.dat"),
        not_granted(outside_text),
        not_granted("/etc/passwd"),
        leads_out("link-out"),
        leads_out("link-abs"),
        leads_out("dir-out/outside.dat"),
    ] {
        for mode in ["r", "r+", "w+"] {
            want += &format!("{mode} {refusal}\n");
        }
    }
    // Python's own `open` goes through WASI, which refuses as it refuses a component: a path that
    // leads out of a grant is not permitted; an absolute path under no grant does not exist.
    for refusal in ["PermissionError", "FileNotFoundError", "PermissionError"] {
        for how in ["rb", "r+b", "wb"] {
            want += &format!("{how} {refusal}\n");
        }
    }
    want += &format!("{}\n", leads_out("../escape.npy"));
    want += "inside [7, 7, 7, 7]\n";
    assert!(got.stdout == want, "{}\n--- stdout ---\n{}", first_difference(&want, &got.stdout), got.stdout);
    // Nothing outside the grant changed or appeared.
    assert_eq!(std::fs::read(&outside).unwrap(), b"outside!");
    let mut names: Vec<_> =
        std::fs::read_dir(top.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["grant", "outside.dat"]);
}

/// A component that hits its memory limit is stopped, and the CLI names the limit and the flag that
/// raises it ("... more memory than its limit of 67108864 bytes (--max-memory) and was stopped").
/// Python's allocator fails cleanly instead (`MemoryError`, which a script may catch); when the
/// script then fails, the user must still learn which limit it was and how to raise it.
const MEMORY_LIMIT: [&str; 2] = ["limit of 67108864 bytes", "--max-memory"];

fn memory_bomb(how: &str) {
    let d = dirs();
    let got = sandbox_run(&script("hostile_memory_bomb.py"), &["--max-memory", "64MiB"], &[how], &d.sandbox);
    assert_eq!(got.code, Some(1), "{}", got.stderr);
    assert_eq!(got.stdout, format!("start {how}\n"));
    assert!(MEMORY_LIMIT.iter().all(|part| got.stderr.contains(part)), "{}", got.stderr);
    assert!(got.stderr.contains("MemoryError"), "{}", got.stderr);
}

#[test]
fn hostile_memory_bomb_one_huge_bytearray_is_stopped_at_the_memory_limit() {
    memory_bomb("bytearray");
}

#[test]
fn hostile_memory_bomb_one_huge_list_is_stopped_at_the_memory_limit() {
    memory_bomb("list");
}

#[test]
fn hostile_memory_bomb_growing_bit_by_bit_is_stopped_at_the_memory_limit() {
    memory_bomb("grow");
}

#[test]
fn hostile_infinite_loop_is_stopped_at_the_timeout() {
    let d = dirs();
    let got = sandbox_run(&script("hostile_infinite_loop.py"), &["--timeout", "0.5"], &[], &d.sandbox);
    assert_eq!(got.code, Some(1), "{}", got.stderr);
    assert_eq!(got.stdout, "start\n");
    assert!(
        got.stderr.contains("the plugin ran longer than its time limit of 0.500 s (--timeout) and was stopped"),
        "{}",
        got.stderr
    );
    assert!(got.took < Duration::from_secs(30), "stopped only after {:?}", got.took);
}

#[test]
fn hostile_huge_memmaps_are_refused_by_the_mapping_and_file_size_limits() {
    let d = dirs();
    let got = sandbox_run(&script("hostile_huge_memmap.py"), &["--max-file-size", "1MiB"], &[], &d.sandbox);
    assert_eq!(got.code, Some(0), "{}\n{}", got.stderr, got.stdout);
    // The host checks the bytes mapped at once (64 GiB by default) before the file's size, as it
    // does for components (`components/limits.rs`).
    let mapped = |name: &str, bytes: u64| {
        format!(
            "{name} MemoryError: mapping {bytes} more bytes would make {bytes} bytes mapped at once, over the limit of 68719476736; drop maps you no longer need or map a smaller part (shape and offset)\n"
        )
    };
    let file = |name: &str, bytes: u64| {
        format!(
            "{name} MemoryError: mode 'w+' would make '{name}' {bytes} bytes long, over the limit of 1048576 bytes per file; map a smaller shape\n"
        )
    };
    let want = mapped("huge.dat", 1 << 43)
        + &mapped("wide.dat", 1 << 44)
        + &file("big.dat", (1 << 20) + 1)
        + "small [1, 1, 1]\n";
    assert!(got.stdout == want, "{}\n--- stdout ---\n{}", first_difference(&want, &got.stdout), got.stdout);
    assert!(got.stderr.contains("--max-file-size") && got.stderr.contains("--max-mapped"), "{}", got.stderr);
    let names: Vec<_> = files(&d.sandbox).into_keys().collect();
    assert_eq!(names, [PathBuf::from("small.dat")], "a refused map left a file");
}

// Refusals: the sandbox only, as numpy succeeds where the sandbox refuses.

#[test]
fn arithmetic_missing_print_options_and_advanced_indexing_raise_not_implemented_naming_the_operation() {
    let script = script("not_implemented.py");
    // numpy does each of these: they are the sandbox's documented refusals, not errors of the script.
    let numpy = numpy_run(&script, &[], &dirs().numpy);
    assert_eq!(numpy.code, Some(0), "{}", numpy.stderr);
    assert!(numpy.stdout.lines().all(|l| l.ends_with(" no error")), "{}", numpy.stdout);
    let got = sandbox_run(&script, &[], &[], &dirs().sandbox);
    assert_eq!(got.code, Some(0), "{}\n{}", got.stderr, got.stdout);
    // docs/python.md: "every operator raises `NotImplementedError` naming it (`array arithmetic is
    // not supported: memmap + (numpy's __add__) ...`)"; Python's names for the operators.
    let arithmetic = |case: &str, op: &str, dunder: &str| {
        format!("{case} NotImplementedError: array arithmetic is not supported: memmap {op} (numpy's {dunder})")
    };
    let wanted = [
        arithmetic("a + 1", "+", "__add__"),
        arithmetic("1 + a", "+", "__radd__"),
        arithmetic("-a", "unary -", "__neg__"),
        arithmetic("a < 0", "<", "__lt__"),
        arithmetic("a * a", "*", "__mul__"),
        arithmetic("a[0] - a[1]", "-", "__sub__"),
        // "the rest of numpy's namespace: `AttributeError` naming the missing name".
        "np.sin(a) AttributeError: module 'numpy' has no attribute 'sin'".to_owned(),
        // "Print options the host's printer lacks: `nanstr`, `infstr`, ...".
        "set_printoptions(nanstr='x') NotImplementedError: np.set_printoptions(nanstr='x') is not supported".to_owned(),
        "set_printoptions(infstr='x') NotImplementedError: np.set_printoptions(infstr='x') is not supported".to_owned(),
        // "Integer arrays mixed with slices, and boolean masks: `NotImplementedError`".
        "a[:, [0, 1]] NotImplementedError: indexing with an integer array after a slice".to_owned(),
        "a[[0, 1], 1:] NotImplementedError: indexing with a slice other than ':' beside integer arrays".to_owned(),
        "a[np.array([True, False])] NotImplementedError: boolean mask indexing (a[mask]) is not supported".to_owned(),
    ];
    let printed: Vec<&str> = got.stdout.lines().collect();
    assert_eq!(printed.len(), wanted.len(), "{}", got.stdout);
    for (line, want) in printed.iter().zip(&wanted) {
        assert!(line.starts_with(want.as_str()), "want a line starting {want:?}, got {line:?}");
    }
}

// The comparison itself.

#[test]
fn the_file_comparison_sees_one_differing_byte_in_a_sparse_file() {
    let d = dirs();
    for (dir, byte) in [(&d.numpy, 1u8), (&d.sandbox, 2u8)] {
        let file = std::fs::File::create(dir.join("sparse.dat")).unwrap();
        file.set_len(800_000_000).unwrap();
        file.write_all_at(&[byte], 654_321_987).unwrap();
    }
    let failed = std::panic::catch_unwind(|| assert_same_files(&d.numpy, &d.sandbox)).unwrap_err();
    let message = failed.downcast_ref::<String>().unwrap();
    assert!(message.contains("sparse.dat: the bytes differ at offset 654321987"), "{message}");
    // A hole in one file against written zeros in the other is the same bytes.
    std::fs::File::options()
        .write(true)
        .open(d.sandbox.join("sparse.dat"))
        .unwrap()
        .write_all_at(&[1], 654_321_987)
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(d.numpy.join("sparse.dat"))
        .unwrap()
        .write_all_at(&[0; 4096], 4096)
        .unwrap();
    assert_same_files(&d.numpy, &d.sandbox);
}

#[test]
fn hostile_writes_in_a_read_only_grant_are_refused_as_for_components() {
    let d = dirs();
    let frozen = [1.5f64, 2.5].iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>();
    std::fs::write(d.numpy.join("frozen.dat"), &frozen).unwrap();
    let grant = format!("{}::/data", d.numpy.display());
    let got = sandbox_run(&script("hostile_read_only.py"), &["--ro-dir", &grant], &[], &d.sandbox);
    assert_eq!(got.code, Some(0), "{}\n{}", got.stderr, got.stdout);
    let refused = |mode: &str| {
        format!(
            "{mode} PermissionError: path '/data/frozen.dat' is in the read-only grant '/data'; mode '{mode}' needs a read-write grant; modes 'r' and 'c' work here\n"
        )
    };
    let want = refused("r+")
        + &refused("w+")
        + "r [1.5, 2.5]\nc [-1.0, -1.0]\nValueError: assignment destination is read-only\nopen PermissionError\n";
    assert!(got.stdout == want, "{}\n--- stdout ---\n{}", first_difference(&want, &got.stdout), got.stdout);
    assert_eq!(std::fs::read(d.numpy.join("frozen.dat")).unwrap(), frozen);
}

// The standard library.

#[test]
fn standard_library_modules_import_and_work_beside_numpy() {
    same(&script("stdlib_modules.py"), &[]);
}
