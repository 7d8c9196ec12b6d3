//! A plugin whose stdout's reader goes away (`wasm-memmap run plugin.wasm | head -1`) ends quietly,
//! as a Unix tool ended by `SIGPIPE` does: no panic message, no backtrace, status 141.

#![allow(clippy::unwrap_used)]

use std::io::BufRead;
use std::process::{Command, Stdio};

use wasm_memmap_runner::{DirGrant, FsPerms, Output, RunConfig, Runner, Status};

/// Set in the child process this test starts: there the test runs the plugin instead.
const CHILD: &str = "WASM_MEMMAP_TEST_STDOUT_CHILD";

#[test]
fn a_plugin_whose_stdout_reader_went_away_ends_quietly() {
    if std::env::var_os(CHILD).is_some() {
        run_the_demo_into_this_stdout();
    }
    // This test again, in a child whose stdout is a pipe the test reads one line of and closes.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_plugin_whose_stdout_reader_went_away_ends_quietly", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The test harness's own lines ("running 1 test") come first; then the demo's first line.
    loop {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the demo printed nothing");
        if !line.trim().is_empty() && !line.starts_with("running ") {
            break;
        }
    }
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "the child saw another ending: {stderr}");
    assert_eq!(stderr, "", "a closed stdout must end the plugin without a word");
}

/// In the child: runs the demo with this process's stdout and stderr, and exits 0 when it ended as
/// [`Status::StdoutClosed`] with exit code 141 (before the test harness could write to the closed
/// pipe itself).
fn run_the_demo_into_this_stdout() -> ! {
    let runner = Runner::new(None).unwrap();
    let plugin = runner.load(wasm_memmap_guest_artifacts::DEMO).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = RunConfig {
        args: vec!["demo".into()],
        dirs: vec![DirGrant { host: dir.path().into(), guest: ".".into(), perms: FsPerms::ReadWrite }],
        stdout: Output::Inherit,
        stderr: Output::Inherit,
        ..RunConfig::default()
    };
    let outcome = runner.run(&plugin, &config).unwrap();
    let code = match outcome.status {
        Status::StdoutClosed if outcome.exit_code() == 141 => 0,
        other => {
            eprintln!("the demo ended as {other:?}");
            3
        }
    };
    std::process::exit(code)
}
