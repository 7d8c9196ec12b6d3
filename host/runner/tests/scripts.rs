//! The runner library runs Python scripts as the CLI does: through the test kit's
//! `Sandbox::run_script_source` (`Runner::run_script` underneath), with `sys.argv`, exit codes,
//! grants and the memory limit's report.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use wasm_memmap_runner::testkit::Sandbox;
use wasm_memmap_runner::{InstanceLimits, Script, Status};

#[test]
fn a_script_gets_its_arguments_and_exits_with_its_code() {
    let sandbox = Sandbox::new();
    sandbox.write("in.txt", b"granted");
    let script = Script::new("tool.py", "import sys\nprint(sys.argv, open('in.txt').read())\nsys.exit(4)\n");
    let outcome = sandbox.run_script_source(&script, &["x", "y z"]);
    assert!(matches!(outcome.status, Status::Exited(4)), "{}", outcome.stderr_text());
    assert_eq!(outcome.stdout_text(), "['tool.py', 'x', 'y z'] granted\n");
    assert_eq!(outcome.refused_memory, None);
}

#[test]
fn an_exception_is_a_traceback_and_exit_code_1() {
    let outcome = Sandbox::new().run_script_source(&Script::new("bad.py", "x = 1\nx.missing\n"), &[]);
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(
        outcome.stderr_text(),
        "Traceback (most recent call last):\n  File \"bad.py\", line 2, in <module>\n    x.missing\nAttributeError: 'int' object has no attribute 'missing'\n"
    );
}

#[test]
fn a_memory_growth_the_limit_refused_is_reported_though_the_script_went_on() {
    let limits = InstanceLimits { max_memory_bytes: 128 << 20, ..InstanceLimits::default() };
    let sandbox = Sandbox::new().instance_limits(limits);
    let script =
        Script::new("hungry.py", "try:\n    b = bytearray(512 << 20)\nexcept MemoryError:\n    print('caught')\n");
    let outcome = sandbox.run_script_source(&script, &[]);
    assert!(matches!(outcome.status, Status::Exited(0)), "{}", outcome.stderr_text());
    assert_eq!(outcome.stdout_text(), "caught\n");
    assert!(outcome.refused_memory.is_some_and(|n| n > 128 << 20), "{:?}", outcome.refused_memory);
}
