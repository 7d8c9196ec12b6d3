//! A time or fuel limit stops a plugin whatever it is doing: waiting in a WASI call, or keeping the
//! host busy in one long `memmap` call. The data it wrote still reaches its file, and the runner
//! serves the next plugin.

use std::path::Path;
use std::time::{Duration, Instant};

use wasm_memmap_guest_artifacts::test_programs::STALL;
use wasm_memmap_host::{FsPerms, InstanceLimits};
use wasm_memmap_runner::testkit::{config, fuel_runner, plugin, read_array, run_config, runner};
use wasm_memmap_runner::{DirGrant, Outcome, Runner, Status, Stop};
use wasm_memmap_tests::numpy;

/// Runs `stall ARGS` with `dir` granted read-write as `.` under `instance`; returns the outcome
/// and how long the run took.
fn stall(runner: &'static Runner, dir: &Path, args: &[&str], instance: InstanceLimits) -> (Outcome, Duration) {
    let mut config =
        config(STALL, args, vec![DirGrant { host: dir.to_path_buf(), guest: ".".into(), perms: FsPerms::ReadWrite }]);
    config.instance = instance;
    // Compiled before the clock starts: only the run is timed.
    plugin(runner, STALL);
    let start = Instant::now();
    let outcome = run_config(runner, STALL, &config);
    (outcome, start.elapsed())
}

/// The limit that must have stopped a run.
fn stop(outcome: &Outcome) -> Stop {
    match &outcome.status {
        Status::Stopped(stop) => *stop,
        other => panic!("the plugin was not stopped: {other:?}, stdout {}", outcome.stdout_text()),
    }
}

fn timeout(seconds: f64) -> InstanceLimits {
    InstanceLimits { timeout: Some(Duration::from_secs_f64(seconds)), ..InstanceLimits::default() }
}

/// A plugin that waits in WASI (`how` is `sleep` or `poll`) for 60 s under a 0.5 s timeout is
/// stopped within about a second, as a time-out, with its unflushed writes on disk.
fn stopped_while_waiting(how: &str) {
    let dir = tempfile::tempdir().unwrap();
    let limits = timeout(0.5);
    let (outcome, took) = stall(runner(), dir.path(), &[how, "60"], limits);
    let stop = stop(&outcome);
    assert_eq!(stop, Stop::Time { limit: limits.timeout.unwrap() });
    assert_eq!(stop.to_string(), "the plugin ran longer than its time limit of 0.500 s and was stopped");
    assert!(took < Duration::from_millis(2500), "a plugin waiting in WASI ({how}) ran {took:?} under a 0.5 s timeout");
    let values = read_array::<f64>(dir.path().join("stall.f8"));
    assert_eq!(values, (0..1000u32).map(|k| 1.5 * f64::from(k)).collect::<Vec<_>>());
    let stats = &outcome.stats;
    assert!(stats.flushes() >= 1 && stats.live_maps() == 0 && stats.background_flushes() == 0, "{stats:?}");
    // The same runner runs the next plugin to its end.
    let (next, _) = stall(runner(), dir.path(), &[how, "0.01"], timeout(30.0));
    assert!(matches!(next.status, Status::Exited(0)), "{:?}", next.status);
}

#[test]
fn a_plugin_sleeping_in_wasi_is_stopped_at_its_timeout() {
    stopped_while_waiting("sleep");
}

#[test]
fn a_plugin_blocked_in_a_wasi_poll_is_stopped_at_its_timeout() {
    stopped_while_waiting("poll");
}

/// A plugin whose WASI `open` blocks in the host (a FIFO with no writer) is stopped at its timeout:
/// the blocked thread is left behind, the run and the runner are not.
#[test]
fn a_plugin_blocked_opening_a_fifo_is_stopped_at_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let limits = timeout(0.5);
    let (outcome, took) = stall(runner(), dir.path(), &["read-file", "fifo"], limits);
    assert_eq!(stop(&outcome), Stop::Time { limit: Duration::from_millis(500) });
    assert!(took < Duration::from_millis(2500), "a plugin blocked on a FIFO ran {took:?} under a 0.5 s timeout");
    let values = read_array::<f64>(dir.path().join("stall.f8"));
    assert_eq!(values, (0..1000u32).map(|k| 1.5 * f64::from(k)).collect::<Vec<_>>());
    // Release the host thread still blocked in `open`: a writer arrives and leaves at once (on a
    // thread of its own, which would block, not this test, were no reader left).
    std::thread::spawn(move || drop(std::fs::OpenOptions::new().write(true).open(fifo)));
}

/// The sum of a view with two million runs of two elements (`[2000000, 2]` uint8, `[:, ::-1]`)
/// took 27-36 s (a cgroup read per run) and ignored the timeout; it now takes milliseconds and
/// gives numpy's sum.
#[test]
fn a_sum_over_two_million_short_runs_takes_milliseconds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strided.u1");
    let expected = numpy::run(
        "a = np.random.default_rng(7).integers(0, 256, size=(2000000, 2), dtype=np.uint8)\n\
         a.tofile(sys.argv[1])\n\
         print(repr(float(a[:, ::-1].sum(dtype=np.float64))))",
        &[path.to_str().unwrap()],
    );
    let args = ["sum", "strided.u1", "uint8", "2000000,2", ":, ::-1"];
    for (runner, limits) in [
        (runner(), timeout(1.0)),
        (fuel_runner(), InstanceLimits { fuel: Some(100_000_000), ..InstanceLimits::default() }),
    ] {
        let (outcome, took) = stall(runner, dir.path(), &args, limits);
        assert!(matches!(outcome.status, Status::Exited(0)), "{:?}: {}", outcome.status, outcome.stdout_text());
        let v: serde_json::Value = serde_json::from_str(outcome.stdout_text().trim()).unwrap();
        assert_eq!(v["sum"].as_f64(), Some(expected.trim().parse::<f64>().unwrap()), "{v}");
        assert!(took < Duration::from_millis(900), "the strided sum took {took:?}");
    }
}

/// Sums an 8 GiB sparse file (reading zero pages, some seconds of host work in one call) under
/// `limits` on `runner`; returns the limit that stopped it and how long the run took.
fn sum_sparse(runner: &'static Runner, limits: InstanceLimits) -> (Stop, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("sparse.u1")).unwrap();
    file.set_len(8 << 30).unwrap();
    let (outcome, took) = stall(runner, dir.path(), &["sum", "sparse.u1", "uint8", "8589934592", ":"], limits);
    match outcome.status {
        Status::Stopped(stop) => (stop, took),
        other => panic!("the sum was not stopped: {other:?}"),
    }
}

#[test]
fn a_sum_of_a_large_sparse_file_stops_at_the_timeout() {
    let limits = timeout(0.5);
    let (stop, took) = sum_sparse(runner(), limits);
    assert_eq!(stop, Stop::Time { limit: Duration::from_millis(500) });
    assert_eq!(stop.to_string(), "the plugin ran longer than its time limit of 0.500 s and was stopped");
    assert!(took > Duration::from_millis(450) && took < Duration::from_millis(2000), "stopped after {took:?}");
}

#[test]
fn a_sum_the_fuel_cannot_pay_for_is_stopped_before_it_starts() {
    // 8 GiB at 64 bytes a unit is 134,217,728 units of host fuel: more than the plugin has.
    let limits = InstanceLimits { fuel: Some(100_000_000), ..InstanceLimits::default() };
    let (stop, took) = sum_sparse(fuel_runner(), limits);
    assert_eq!(stop, Stop::Fuel { limit: 100_000_000 });
    assert_eq!(stop.to_string(), "the plugin used up its fuel of 100000000 and was stopped");
    assert!(took < Duration::from_millis(500), "stopped after {took:?}");
}
