//! `wasm-memmap run SCRIPT.py`: a Python script runs in the bundled Python runner under the same
//! grants and limits as a component, with `sys.argv`, exit codes and tracebacks as `python3 SCRIPT`
//! gives them (python3 is the oracle where the two agree by design), and a script that cannot be
//! run is refused with a clear message before anything is compiled.
//!
//! Each run gets its own `HOME` and `XDG_CACHE_HOME` and no `WASM_MEMMAP_CACHE_DIR`. The tests share
//! one compile cache (compiling the runner takes seconds), made by the first run of the process,
//! whose stderr the first-run test checks.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A working directory, a home, and the shared compile cache.
struct Env {
    _root: tempfile::TempDir,
    home: PathBuf,
    work: PathBuf,
}

impl Env {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().canonicalize().unwrap();
        let (home, work) = (base.join("home"), base.join("work"));
        std::fs::create_dir(&home).unwrap();
        std::fs::create_dir(&work).unwrap();
        Self { _root: root, home, work }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.work.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `wasm-memmap --cache-dir CACHE ARGS...` in the working directory.
    fn run_with_cache(&self, cache: &Path, args: &[&str]) -> Output {
        let bin = std::env::var_os("WASM_MEMMAP_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_wasm-memmap").into());
        Command::new(bin)
            .arg("--cache-dir")
            .arg(cache)
            .args(args)
            .current_dir(&self.work)
            .env("HOME", &self.home)
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env_remove("WASM_MEMMAP_CACHE_DIR")
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("the CLI starts")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_cache(&shared_cache().0, args)
    }

    /// `python3 ARGS...` in the working directory: the oracle, its output with the working directory
    /// taken out of paths. Since Python 3.9 `__file__` and tracebacks name the script by its
    /// absolute path; the runner names it as given, so that a script learns nothing of the host's
    /// directories.
    fn python(&self, args: &[&str]) -> Output {
        let mut out =
            Command::new(wasm_memmap_tests::numpy::python()).args(args).current_dir(&self.work).output().unwrap();
        let prefix = format!("{}/", self.work.display());
        for stream in [&mut out.stdout, &mut out.stderr] {
            *stream = text(stream).replace(&prefix, "").into_bytes();
        }
        out
    }
}

/// The compile cache every test shares, and the stderr of the run that filled it.
fn shared_cache() -> &'static (PathBuf, String) {
    static CACHE: OnceLock<(tempfile::TempDir, PathBuf, String)> = OnceLock::new();
    let (_, dir, stderr) = CACHE.get_or_init(|| {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().canonicalize().unwrap().join("cache");
        let env = Env::new();
        env.write("nothing.py", "");
        let out = env.run_with_cache(&dir, &["run", "nothing.py"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (root, dir, text(&out.stderr))
    });
    // The directory lives as long as the process: the `TempDir` is in the static.
    static VIEW: OnceLock<(PathBuf, String)> = OnceLock::new();
    VIEW.get_or_init(|| (dir.clone(), stderr.clone()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_first_run_says_it_compiles_the_runner_and_later_runs_start_from_the_cache() {
    let (_, first) = shared_cache();
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 2, "{first}");
    assert!(
        lines[0].starts_with("wasm-memmap: compiling the Python runner once (")
            && lines[0].ends_with(" MB); later runs start from the cache"),
        "{first}"
    );
    assert!(lines[1].starts_with("wasm-memmap: compiled the Python runner in ") && lines[1].ends_with(" s"), "{first}");
    let env = Env::new();
    env.write("nothing.py", "");
    let again = env.run(&["run", "nothing.py"]);
    assert_eq!(
        (again.status.code(), text(&again.stderr), text(&again.stdout)),
        (Some(0), String::new(), String::new())
    );
    let verbose = env.run(&["-v", "run", "nothing.py"]);
    assert!(text(&verbose.stderr).contains("plugin loaded from the compile cache in "), "{}", text(&verbose.stderr));
}

#[test]
fn argv_name_and_file_are_those_of_python3() {
    let env = Env::new();
    env.write(
        "scripts/args.py",
        "import sys\nprint(sys.argv)\nprint(__name__, __file__)\nimport __main__\nprint(__main__.__file__ == __file__)\n",
    );
    let args = ["scripts/args.py", "a", "--b", "c d", ""];
    let out = env.run(&["run", args[0], "--", args[1], args[2], args[3], args[4]]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let oracle = env.python(&args);
    assert_eq!(text(&out.stdout), text(&oracle.stdout));
    assert_eq!(text(&out.stdout).lines().next(), Some("['scripts/args.py', 'a', '--b', 'c d', '']"));
}

#[test]
fn exit_codes_are_those_of_python3() {
    let env = Env::new();
    let cases = [
        ("ok.py", "print('done')\n"),
        ("exit0.py", "import sys\nsys.exit(0)\n"),
        ("exit_none.py", "import sys\nsys.exit()\n"),
        ("exit3.py", "import sys\nprint('partial', end='')\nsys.exit(3)\n"),
        ("exit_big.py", "import sys\nsys.exit(256 + 7)\n"),
        ("exit_negative.py", "import sys\nsys.exit(-1)\n"),
        ("exit_true.py", "import sys\nsys.exit(True)\n"),
        ("exit_message.py", "import sys\nsys.exit('giving up: no data')\n"),
        ("raise_exit.py", "raise SystemExit(5)\n"),
        ("in_function.py", "import sys\ndef main():\n    sys.exit(9)\nmain()\n"),
        ("uncaught.py", "raise ValueError('bad value')\n"),
        ("atexit_runs.py", "import atexit\natexit.register(print, 'bye')\nprint('hi')\n"),
    ];
    for (name, source) in cases {
        env.write(name, source);
        let out = env.run(&["run", name]);
        let oracle = env.python(&[name]);
        assert_eq!(out.status.code(), oracle.status.code(), "{name}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), text(&oracle.stdout), "{name}");
        if name != "uncaught.py" {
            assert_eq!(text(&out.stderr), text(&oracle.stderr), "{name}");
        }
    }
}

/// The lines of a traceback that do not depend on the Python version: the frames' `File` lines,
/// the source lines under them, and the exception.
fn traceback_lines(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut kept = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("  File ") {
            kept.push((*line).to_owned());
            if let Some(source) =
                lines.get(i + 1).filter(|l| l.starts_with("    ") && !l.trim().starts_with(['~', '^']))
            {
                kept.push((*source).to_owned());
            }
        }
    }
    kept.push(lines.last().copied().unwrap_or_default().to_owned());
    kept
}

#[test]
fn an_uncaught_exception_prints_the_scripts_traceback_and_exits_1() {
    let env = Env::new();
    let source = "import json\n\ndef ratio(a, b):\n    return a / b\n\ndef main():\n    values = json.loads('[1, 0]')\n    print('ratio of', values)\n    return ratio(*values)\n\nmain()\n";
    env.write("fail.py", source);
    let out = env.run(&["run", "fail.py"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(text(&out.stdout), "ratio of [1, 0]\n");
    assert!(stderr.starts_with("Traceback (most recent call last):\n"), "{stderr}");
    assert!(!stderr.contains("runner.py"), "the runner's own frames show:\n{stderr}");
    let oracle = env.python(&["fail.py"]);
    assert_eq!(traceback_lines(&stderr), traceback_lines(&text(&oracle.stderr)), "{stderr}");
    assert_eq!(
        traceback_lines(&stderr),
        [
            "  File \"fail.py\", line 11, in <module>",
            "    main()",
            "  File \"fail.py\", line 9, in main",
            "    return ratio(*values)",
            "  File \"fail.py\", line 4, in ratio",
            "    return a / b",
            "ZeroDivisionError: division by zero",
        ]
    );
}

#[test]
fn a_syntax_error_names_the_script_line() {
    let env = Env::new();
    env.write("broken.py", "print('never')\nx = (1,\ny = 2\n");
    let out = env.run(&["run", "broken.py"]);
    let stderr = text(&out.stderr);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(1), String::new()), "{stderr}");
    let oracle = text(&env.python(&["broken.py"]).stderr);
    let file_line = |s: &str| s.lines().find(|l| l.starts_with("  File ")).map(str::to_owned);
    assert_eq!(file_line(&stderr), file_line(&oracle), "{stderr}");
    assert_eq!(stderr.lines().last(), oracle.lines().last(), "{stderr}");
    assert!(stderr.lines().last().unwrap().starts_with("SyntaxError: "), "{stderr}");
}

#[test]
fn the_scripts_folder_needs_no_grant_and_is_not_granted() {
    let env = Env::new();
    let script = env.write(
        "private/reader.py",
        "import sys\nprint(open('data.txt').read())\ntry:\n    open(__file__)\nexcept OSError as e:\n    print(type(e).__name__)\n",
    );
    std::fs::create_dir(env.work.join("data")).unwrap();
    std::fs::write(env.work.join("data/data.txt"), "granted").unwrap();
    let out = env.run(&["run", script.to_str().unwrap(), "--ro-dir", "data::."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "granted\nFileNotFoundError\n");
}

#[test]
fn a_script_runs_under_the_same_limits_as_a_component() {
    let env = Env::new();
    env.write("spin.py", "print('start', flush=True)\nwhile True:\n    pass\n");
    let out = env.run(&["run", "spin.py", "--timeout", "0.5"]);
    let stderr = text(&out.stderr);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(1), "start\n".to_owned()), "{stderr}");
    assert!(stderr.contains("time limit"), "{stderr}");
    // CPython turns a refused memory growth into a `MemoryError`: the script may catch it, and
    // the command still names the limit and its flag.
    env.write("hungry.py", "try:\n    b = bytearray(512 << 20)\nexcept MemoryError:\n    print('MemoryError')\n");
    let out = env.run(&["run", "hungry.py", "--max-memory", "128MiB"]);
    let stderr = text(&out.stderr);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "MemoryError\n".to_owned()), "{stderr}");
    assert!(
        stderr.starts_with("wasm-memmap: the plugin was refused memory: it asked for ")
            && stderr.ends_with(" bytes, more than its limit of 134217728 bytes; raise it with --max-memory\n"),
        "{stderr}"
    );
}

/// A script that cannot be run is refused with its own message, before the runner is compiled.
#[test]
fn scripts_that_cannot_be_run_are_refused_before_compiling() {
    let env = Env::new();
    let cache = env.work.join("../fresh-cache");
    std::fs::create_dir(env.work.join("folder.py")).unwrap();
    std::fs::write(env.work.join("latin1.py"), b"print('ok')\nname = 'caf\xe9'\n").unwrap();
    std::fs::File::create(env.work.join("huge.py")).unwrap().set_len((16 << 20) + 1).unwrap();
    let cases = [
        ("missing.py", "Error: cannot read script missing.py: No such file or directory (os error 2)\n"),
        ("folder.py", "Error: script folder.py is not a regular file (a directory, FIFO or device cannot be run)\n"),
        ("latin1.py", "Error: script latin1.py is not UTF-8 text: byte 0xe9 at line 2, column 12 (save it as UTF-8)\n"),
        ("huge.py", "Error: script huge.py is 16777217 bytes, more than the limit of 16777216 bytes for a script\n"),
    ];
    for (name, message) in cases {
        let out = env.run_with_cache(&cache, &["run", name]);
        assert_eq!((out.status.code(), text(&out.stderr)), (Some(1), message.to_owned()), "{name}");
    }
    let compiled =
        std::fs::read_dir(&cache).map(|d| d.filter(|e| e.as_ref().unwrap().path().extension().is_some()).count());
    assert_eq!(compiled.unwrap_or(0), 0, "a refused script compiled the runner");
}
