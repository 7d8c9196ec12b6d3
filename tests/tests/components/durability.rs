//! Data written without an explicit `flush` still reaches the file, however the plugin leaves.

use std::time::Duration;

use wasm_memmap_guest_artifacts::test_programs::{DURABILITY, HOSTILE, STRESS};
use wasm_memmap_host::{FsPerms, InstanceLimits};
use wasm_memmap_runner::testkit::{array_from_bytes, config, fuel_runner, read_array, run_config, run_in, runner};
use wasm_memmap_runner::{DirGrant, Status, Stop};

fn leave(how: &str) -> Status {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_in(DURABILITY, &[how, "data.f8"], dir.path());
    // The guest wrote 1.5 * k at element k; the file's bytes must say so.
    let bytes = std::fs::read(dir.path().join("data.f8")).unwrap();
    assert_eq!(bytes.len(), 1000 * 8);
    let values = array_from_bytes::<f64>(&bytes);
    for (k, v) in values.iter().enumerate() {
        assert_eq!(*v, 1.5 * f64::from(u32::try_from(k).unwrap()), "element {k} after '{how}'");
    }
    // The host wrote the dirty pages back (msync) rather than leaving them to the kernel, and no
    // mapping outlived the instance.
    assert!(outcome.stats.flushes() >= 1, "no msync after '{how}'");
    assert_eq!(outcome.stats.live_maps(), 0, "a mapping outlived the instance after '{how}'");
    outcome.status
}

#[test]
fn a_dropped_handle_is_flushed() {
    assert!(matches!(leave("drop"), Status::Exited(0)));
}

#[test]
fn a_leaked_handle_is_flushed_when_the_instance_ends() {
    assert!(matches!(leave("forget"), Status::Exited(0)));
}

#[test]
fn a_handle_held_at_exit_is_flushed() {
    // WASI 0.2's `exit` carries success or failure only, so `exit(3)` arrives as 1.
    let status = leave("exit");
    assert!(matches!(status, Status::Exited(1)), "{status:?}");
}

#[test]
fn a_handle_held_at_a_trap_is_flushed() {
    let status = leave("trap");
    assert!(matches!(status, Status::Trapped(_)), "{status:?}");
}

/// Runs `hostile spin` (writes 1.5 * k at element k of `spin.f8`, then loops without end) until
/// `config`'s limit stops it; returns the limit that stopped it and checks the data reached the file.
fn stopped_while_spinning(runner: &'static wasm_memmap_runner::Runner, instance: InstanceLimits) -> Stop {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(
        HOSTILE,
        &["spin"],
        vec![DirGrant { host: dir.path().into(), guest: ".".into(), perms: FsPerms::ReadWrite }],
    );
    config.instance = instance;
    let outcome = run_config(runner, HOSTILE, &config);
    let values = read_array::<f64>(dir.path().join("spin.f8"));
    assert_eq!(values, (0..1000u32).map(|k| 1.5 * f64::from(k)).collect::<Vec<_>>());
    assert!(outcome.stats.flushes() >= 1 && outcome.stats.live_maps() == 0);
    match outcome.status {
        Status::Stopped(stop) => stop,
        other => panic!("the spinning plugin was not stopped by its limit: {other:?}"),
    }
}

#[test]
fn a_handle_held_at_a_time_out_is_flushed() {
    let limits = InstanceLimits { timeout: Some(Duration::from_millis(300)), ..InstanceLimits::default() };
    let stop = stopped_while_spinning(runner(), limits);
    assert_eq!(stop, Stop::Time { limit: Duration::from_millis(300) });
    assert_eq!(stop.to_string(), "the plugin ran longer than its time limit of 0.300 s and was stopped");
    // The runner serves the next plugin, with no time limit.
    assert!(matches!(leave("drop"), Status::Exited(0)));
}

#[test]
fn a_handle_held_at_a_fuel_stop_is_flushed() {
    let limits = InstanceLimits { fuel: Some(50_000_000), ..InstanceLimits::default() };
    let stop = stopped_while_spinning(fuel_runner(), limits);
    assert_eq!(stop, Stop::Fuel { limit: 50_000_000 });
    assert_eq!(stop.to_string(), "the plugin used up its fuel of 50000000 and was stopped");
    // The same fuel-metering runner runs the next plugin to the end when given enough.
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(
        DURABILITY,
        &["drop", "d.f8"],
        vec![DirGrant { host: dir.path().into(), guest: ".".into(), perms: FsPerms::ReadWrite }],
    );
    config.instance.fuel = Some(1_000_000_000);
    assert!(matches!(run_config(fuel_runner(), DURABILITY, &config).status, Status::Exited(0)));
}

/// Another process truncates a file while a plugin reads and writes it in a loop: the plugin gets
/// an `io` error naming the new size (not a SIGBUS that kills the host), every later call on that
/// map fails the same way, its other map keeps working, and the host runs the next plugin.
#[test]
fn a_file_truncated_by_another_process_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let truncator = {
        let dir = dir.path().to_path_buf();
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while !dir.join("ready").exists() {
                assert!(std::time::Instant::now() < deadline, "the plugin never got ready");
                std::thread::sleep(Duration::from_millis(5));
            }
            // Let the plugin get well into its loop first.
            std::thread::sleep(Duration::from_millis(100));
            let status =
                std::process::Command::new("truncate").args(["-s", "4096"]).arg(dir.join("data.f8")).status().unwrap();
            assert!(status.success());
        })
    };
    let outcome = run_in(STRESS, &["truncated", "data.f8"], dir.path());
    truncator.join().unwrap();
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}", outcome.status);
    let v: serde_json::Value = serde_json::from_str(outcome.stdout_text().trim()).unwrap();
    let message = "'data.f8' was truncated to 4096 bytes while mapped; the array needs 2097152 bytes of it, so it cannot be read or written any more";
    assert_eq!((v["code"].as_str(), v["message"].as_str()), (Some("io"), Some(message)), "{v}");
    assert_eq!((v["again"].as_str(), v["again_message"].as_str()), (Some("io"), Some(message)), "{v}");
    assert_eq!(v["other_ok"], true, "{v}");
    assert!(v["calls"].as_u64().unwrap() > 1, "{v}");
    assert_eq!(std::fs::metadata(dir.path().join("data.f8")).unwrap().len(), 4096);
    assert!(matches!(leave("drop"), Status::Exited(0)));
}
