//! Where a test's Zarr arrays live, seen by the plugin as `/lake`: a fresh local directory, or a
//! fresh prefix of the local S3 server (started once per test process, by the tests themselves).
//! A second fresh directory, `/work`, holds a test's inputs and the plugin's outputs.
//!
//! Plugins run as `wasm-memmap run SCRIPT.py`: the real command, with the real flags (`--dir`,
//! `--store`, `--region`, limits), in its own process, as a user or a Dask task runs it. The oracle
//! is zarr-python and numpy in `.venv` (`tests/python/zarr_oracle.py`), on the same store.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wasm_memmap_tests::s3::S3Server;
use wasm_memmap_tests::{numpy, workspace_root};

/// How long one run may take before the test gives up on it (the first run of a cold cache also
/// compiles the Python runner, ~6-20 s on a loaded machine).
const GUARD: Duration = Duration::from_secs(300);

/// Where the arrays are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    /// A local directory granted with `--dir`.
    Local,
    /// A prefix of the local S3 server granted with `--store`.
    S3,
}

/// What one run did.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Panics (failing the test) unless the run exited with 0.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code,
            Some(0),
            "the run failed:\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The JSON value the plugin printed last.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        let line = self.stdout.lines().last().unwrap_or_default();
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\nstderr: {}", self.stderr))
    }
}

/// The local S3 server of this test process (`wasm_memmap_tests::s3`: `moto_server` from `.venv`
/// on a free port, one bucket, stopped with the test process); each [`Lake`] is a fresh prefix.
fn s3() -> &'static S3Server {
    S3Server::shared()
}

/// Real Python with `tests/python` importable (for `zarr_oracle`), in `dir`, with `env`.
fn run_python(script: &str, args: &[&str], dir: &Path, env: &[(String, String)]) -> String {
    let program = format!(
        "import sys\nsys.path.insert(0, {:?})\nimport numpy as np\n{script}",
        workspace_root().join("tests/python").display()
    );
    let out = Command::new(numpy::python())
        .arg("-c")
        .arg(&program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", numpy::python().display()));
    assert!(
        out.status.success(),
        "the oracle failed ({}):\n{}\n--- script ---\n{program}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One test's arrays and files.
pub struct Lake {
    pub at: Where,
    /// The local lake (for [`Where::Local`]).
    dir: tempfile::TempDir,
    /// The plugin's `/work`, the oracle's working directory.
    pub work: tempfile::TempDir,
    /// The S3 prefix (for [`Where::S3`]), unique in the process.
    prefix: String,
}

impl Lake {
    pub fn new(at: Where) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        if at == Where::S3 {
            s3();
        }
        Self {
            at,
            dir: tempfile::tempdir().unwrap(),
            work: tempfile::tempdir().unwrap(),
            prefix: format!("t{n}-{}", std::process::id()),
        }
    }

    /// The store as the host names it: `s3://lake/PREFIX`, or the local directory.
    pub fn url(&self) -> String {
        match self.at {
            Where::Local => self.dir.path().display().to_string(),
            Where::S3 => format!("s3://{}/{}", s3().bucket(), self.prefix),
        }
    }

    /// The flag granting the lake as `/lake`, read-write or read-only.
    pub fn grant(&self, writable: bool) -> [String; 2] {
        let flag = match (self.at, writable) {
            (Where::Local, true) => "--dir",
            (Where::Local, false) => "--ro-dir",
            (Where::S3, true) => "--store",
            (Where::S3, false) => "--ro-store",
        };
        [flag.to_owned(), format!("{}::/lake", self.url())]
    }

    /// The environment of every process (the S3 server's address and credentials).
    pub fn env(&self) -> Vec<(String, String)> {
        match self.at {
            Where::Local => Vec::new(),
            Where::S3 => s3().env(),
        }
    }

    /// The oracle's `Place` spec.
    fn place(&self) -> String {
        match self.at {
            Where::Local => format!("dir:{}", self.dir.path().display()),
            Where::S3 => format!("s3:{}/{}", s3().bucket(), self.prefix),
        }
    }

    /// Runs `script` in real Python with `place` (a `zarr_oracle.Place` of this lake), `np` and
    /// everything of `zarr_oracle` in scope, in `/work`; `sys.argv[1:]` are `args`. Returns stdout.
    pub fn oracle(&self, script: &str, args: &[&str]) -> String {
        let script = format!("from zarr_oracle import *\nplace = Place({:?})\n{script}", self.place());
        run_python(&script, args, self.work.path(), &self.env())
    }

    /// [`Lake::oracle`], parsing the last line it prints as JSON.
    pub fn oracle_json(&self, script: &str, args: &[&str]) -> serde_json::Value {
        let out = self.oracle(script, args);
        serde_json::from_str(out.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }

    /// Every object of the array `name` with its bytes (hex).
    pub fn snapshot(&self, name: &str) -> serde_json::Value {
        self.oracle_json("print(json.dumps(place.snapshot(sys.argv[1])))", &[name])
    }

    /// The `wasm-memmap run` command for the sandboxed script `tests/python/SCRIPT` with the lake
    /// granted read-write (`/lake`) and `/work`, then `flags`, then `-- args`.
    pub fn command(&self, script: &str, flags: &[&str], args: &[&str]) -> Command {
        self.command_with(script, &self.grant(true), flags, args)
    }

    /// [`Lake::command`] with the lake granted by `grant` instead.
    pub fn command_with(&self, script: &str, grant: &[String], flags: &[&str], args: &[&str]) -> Command {
        warm_cache();
        let mut command = Command::new(cli());
        command
            .arg("--cache-dir")
            .arg(cache_dir())
            .arg("run")
            .arg(workspace_root().join("tests/python").join(script))
            .arg("--dir")
            .arg(format!("{}::/work", self.work.path().display()))
            .args(grant)
            .args(flags);
        if !args.is_empty() {
            command.arg("--").args(args);
        }
        command.current_dir(self.work.path()).envs(self.env());
        command
    }

    /// Runs [`Lake::command`] to its end.
    pub fn run(&self, script: &str, flags: &[&str], args: &[&str]) -> Ran {
        finish(self.command(script, flags, args))
    }

    /// Writes `text` to `/work/NAME`.
    pub fn put(&self, name: &str, text: &str) {
        std::fs::write(self.work.path().join(name), text).unwrap();
    }
}

/// Runs `command` to its end (killing it after [`GUARD`]), capturing its output.
pub fn finish(mut command: Command) -> Ran {
    let child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait(child, &format!("{command:?}"))
}

/// Waits for `child` (killing it after [`GUARD`]), capturing its output.
pub fn wait(mut child: Child, what: &str) -> Ran {
    let start = Instant::now();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > GUARD {
            child.kill().unwrap();
            panic!("{what} ran for more than {GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ran { code: status.code(), stdout: reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

/// The directory of the test binary's profile (`target/release`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).expect("the test binary is in <target>/<profile>/deps").to_path_buf()
}

/// The `wasm-memmap` command of this build.
pub fn cli() -> PathBuf {
    let path = profile_dir().join(format!("wasm-memmap{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} is missing: build the workspace first (`cargo build --release`)", path.display());
    path
}

/// The compile cache of the sandbox runs (the one the Python script tests use: the runner is
/// compiled once for both).
pub fn cache_dir() -> PathBuf {
    profile_dir().join("python-scripts-cache")
}

/// The first run of the process, with nothing to do: it fills the compile cache if it is cold,
/// once, before the tests run their scripts in parallel.
fn warm_cache() {
    static WARM: OnceLock<()> = OnceLock::new();
    WARM.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.py");
        std::fs::write(&empty, "").unwrap();
        let mut command = Command::new(cli());
        command.arg("--cache-dir").arg(cache_dir()).arg("run").arg(&empty).current_dir(dir.path());
        finish(command).ok();
    });
}
