//! A local S3 server for the tests: moto's `moto_server` (pip `moto[server]`), from the workspace's
//! `.venv` (or beside `$WASM_MEMMAP_PYTHON`), on a free port of 127.0.0.1 with one empty bucket:
//! one per test ([`S3Server::start`], stopped when dropped) or one per test process
//! ([`S3Server::shared`]).
//! A missing `moto_server` is a test failure with a message that says how to install it, never a
//! silent skip.
//!
//! The host's S3 client reads its credentials and endpoint from the process environment
//! ([`S3Server::env`]), which a test cannot change in its own process without `unsafe`
//! (`std::env::set_var`): give the variables to a child process, the CLI's or this test binary's
//! own ([`rerun_with_env`]).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long moto may take to start (it imports boto and Flask; slow on a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variable [`rerun_with_env`] sets in the child.
const CHILD: &str = "WASM_MEMMAP_TEST_CHILD";

/// A running `moto_server` with one bucket. It is stopped when dropped, and in any case when the
/// test process ends (a watching shell stops it), so a [`shared`](S3Server::shared) server, never
/// dropped, does not outlive the tests either.
pub struct S3Server {
    /// The watching shell, `moto_server`'s parent.
    watcher: Child,
    port: u16,
    bucket: String,
    /// moto logs every request: to a file, never to a pipe no one reads (it would block moto once
    /// the pipe is full).
    log: tempfile::NamedTempFile,
}

/// The `moto_server` the tests run: beside the interpreter of the numpy oracle
/// ([`crate::numpy::python`]: `$WASM_MEMMAP_PYTHON`, else `.venv/bin/python`).
pub fn moto_server() -> PathBuf {
    match std::env::var_os("WASM_MEMMAP_PYTHON") {
        Some(python) => PathBuf::from(python).with_file_name("moto_server"),
        None => crate::workspace_root().join(".venv/bin/moto_server"),
    }
}

/// A port no one listens on now (the kernel's choice for port 0).
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// Sends one HTTP/1.1 request without a body and returns the status code and the response.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok((status, response))
}

impl S3Server {
    /// Starts `moto_server` on a free port and creates an empty bucket.
    ///
    /// # Panics
    /// When `moto_server` is missing (the message says how to install it), does not start, or
    /// refuses the bucket.
    pub fn start() -> Self {
        let program = moto_server();
        assert!(
            program.exists(),
            "{} is missing: the S3 tests need a local S3 server; install it with `.venv/bin/pip install 'moto[server]'` (the README's test command does)",
            program.display()
        );
        let port = free_port();
        let log = tempfile::NamedTempFile::new().expect("a log file");
        // The shell starts moto, stops it on SIGTERM (Drop) and when the test process is gone.
        let watch = format!(
            "trap 'kill $s 2>/dev/null; wait $s; exit 0' TERM; \"$0\" -H 127.0.0.1 -p {port} >\"$1\" 2>&1 & s=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 1; done; kill $s 2>/dev/null; wait $s",
            parent = std::process::id()
        );
        let watcher = Command::new("sh")
            .arg("-c")
            .arg(watch)
            .arg(&program)
            .arg(log.path())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        static BUCKETS: AtomicU32 = AtomicU32::new(0);
        let bucket = format!("test-{}-{}", std::process::id(), BUCKETS.fetch_add(1, Ordering::Relaxed));
        let mut server = Self { watcher, port, bucket, log };
        server.wait_until_answering();
        server.create_bucket(&server.bucket.clone());
        server
    }

    /// One server for the whole test process, started by the first call (each test then works
    /// under its own prefix of [`bucket`](Self::bucket), or its own bucket).
    ///
    /// # Panics
    /// As [`start`](Self::start).
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<S3Server> = OnceLock::new();
        SHARED.get_or_init(Self::start)
    }

    /// Creates the empty bucket `name` (S3's `CreateBucket`).
    ///
    /// # Panics
    /// When the server refuses it.
    pub fn create_bucket(&self, name: &str) {
        let (status, response) = http(self.port, "PUT", &format!("/{name}")).expect("create a bucket");
        assert_eq!(status, 200, "moto refused to create bucket {name}:\n{response}");
    }

    fn wait_until_answering(&mut self) {
        let start = Instant::now();
        loop {
            if let Ok((200, _)) = http(self.port, "GET", "/") {
                return;
            }
            if let Ok(Some(status)) = self.watcher.try_wait() {
                let log = std::fs::read_to_string(self.log.path()).unwrap_or_default();
                panic!("{} exited ({status}) before answering:\n{log}", moto_server().display());
            }
            assert!(
                start.elapsed() < START_TIMEOUT,
                "{} did not answer on port {} within {START_TIMEOUT:?}:\n{}",
                moto_server().display(),
                self.port,
                std::fs::read_to_string(self.log.path()).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bucket made for this server (empty at start).
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The environment that points an S3 client (object_store's, boto3's) at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.endpoint())
    }
}

/// The environment of an S3 client pointed at `endpoint` with moto's test credentials.
pub fn env_for(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ALLOW_HTTP", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

impl Drop for S3Server {
    fn drop(&mut self) {
        // SIGTERM, which the watching shell turns into stopping moto (SIGKILL would orphan it).
        let stopped = Command::new("kill").arg(self.watcher.id().to_string()).status();
        if !stopped.is_ok_and(|s| s.success()) {
            let _ = self.watcher.kill();
        }
        let _ = self.watcher.wait();
    }
}

/// Whether this process is the child [`rerun_with_env`] started: the test then does its work.
pub fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Runs the test `name` of this test binary again in a child process with `env` added, and
/// fails when it fails (its output in the message). The test checks [`in_child`] first:
///
/// ```ignore
/// #[test]
/// fn round_trip() {
///     if in_child() { /* the test, with the S3 environment */ return; }
///     let s3 = S3Server::start();
///     rerun_with_env("round_trip", &s3.env());
/// }
/// ```
///
/// # Panics
/// When the child cannot be started or its test fails.
pub fn rerun_with_env(name: &str, env: &[(String, String)]) {
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(&exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "test {name} failed in its child process ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("1 passed"), "test {name} did not run in its child process:\n{stdout}\n{stderr}");
}
