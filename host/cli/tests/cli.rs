//! The `wasm-memmap` command as a user runs it.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use wasm_memmap_guest_artifacts::test_programs::{DURABILITY, HOSTILE, SELECT, STRESS};

fn wasm_memmap(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-memmap")).args(args).current_dir(cwd).output().expect("the CLI starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn out_block(transcript: &str, n: u32) -> &str {
    let marker = format!("Out[{n}]:\n");
    let start = transcript.find(&marker).expect("an Out block") + marker.len();
    transcript[start..].split("\n\n").next().unwrap_or_default().trim_end()
}

#[test]
fn demo_writes_mymmap_in_the_granted_directory_and_the_seed_picks_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let first = wasm_memmap(&["--no-cache", "demo", "--dir", d, "--seed", "5"], dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(std::fs::metadata(dir.path().join("mymmap")).unwrap().len(), 800_000_000);
    let again = wasm_memmap(&["--no-cache", "demo", "--dir", d, "--seed", "5"], dir.path());
    let other = wasm_memmap(&["--no-cache", "demo", "--dir", d, "--seed", "6"], dir.path());
    let (first, again, other) = (text(&first.stdout), text(&again.stdout), text(&other.stdout));
    assert!(first.starts_with("In [217]: mmap = np.memmap('mymmap'"), "{first}");
    assert_eq!(first, again, "the same seed printed another session");
    assert_ne!(out_block(&first, 222), out_block(&other, 222), "another seed printed the same numbers");
    assert_eq!(out_block(&first, 222), out_block(&first, 225), "reopening showed other values than were written");
}

#[test]
fn demo_grants_the_current_directory_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = wasm_memmap(&["--no-cache", "demo"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("mymmap").is_file());
}

#[test]
fn a_second_run_loads_the_compiled_plugin_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache_home = tempfile::tempdir().unwrap();
    let cache = cache_home.path().join("cache");
    let args = ["--cache-dir", cache.to_str().unwrap(), "--verbose", "demo", "--dir", dir.path().to_str().unwrap()];
    let first = wasm_memmap(&args, dir.path());
    let second = wasm_memmap(&args, dir.path());
    assert!(first.status.success() && second.status.success());
    assert!(text(&first.stderr).contains("plugin compiled in"), "{}", text(&first.stderr));
    assert!(text(&second.stderr).contains("plugin loaded from the compile cache in"), "{}", text(&second.stderr));
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some(std::ffi::OsStr::new("cwasm")))
        .collect();
    assert_eq!(entries.len(), 1, "one compiled component in the cache (beside its key)");
}

#[test]
fn run_shows_a_plugin_only_the_granted_directories_under_their_guest_names() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let values = [0.5f64, -1.25, 3.0, 1e300];
    std::fs::write(data.join("x.f8"), values.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>()).unwrap();

    let grant = format!("{}::/data", data.display());
    let out = wasm_memmap(
        &["--no-cache", "run", SELECT, "--dir", &grant, "--", "/data/x.f8", "4", "read", "::-1"],
        dir.path(),
    );
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let got: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    let want: Vec<String> = values.iter().rev().map(|v| format!("{:016x}", v.to_bits())).collect();
    assert_eq!(got["bits"], serde_json::json!(want));

    // The same path without the grant: refused, and the plugin says so.
    let out = wasm_memmap(&["--no-cache", "run", SELECT, "--", "/data/x.f8", "4", "read", ":"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let got: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(got["error"], "path '/data/x.f8' is not inside a granted directory (no directory is granted)");
}

#[test]
fn a_trapping_plugin_fails_the_command_and_its_writes_are_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let out = wasm_memmap(&["--no-cache", "run", DURABILITY, "--dir", ".", "--", "trap", "d.f8"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the plugin trapped"), "{}", text(&out.stderr));
    let bytes = std::fs::read(dir.path().join("d.f8")).unwrap();
    assert_eq!(f64::from_le_bytes(bytes[8 * 999..].try_into().unwrap()), 1.5 * 999.0);
}

#[test]
fn a_compile_cache_inside_a_grant_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let out = wasm_memmap(
        &["--cache-dir", cache.to_str().unwrap(), "run", SELECT, "--dir", ".", "--", "x", "1", "read", ":"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("would let the plugin write the compile cache"), "{err}");
    assert!(out.stdout.is_empty(), "the plugin ran: {}", text(&out.stdout));
}

#[test]
fn a_compile_cache_others_may_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("shared-cache");
    std::fs::create_dir(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = wasm_memmap(
        &["--cache-dir", cache.to_str().unwrap(), "demo", "--dir", dir.path().to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("must belong to this user") && err.contains("mode 777"), "{err}");
    assert!(!dir.path().join("mymmap").exists(), "the plugin ran anyway");
}

/// Kills the host process (SIGKILL) right after the plugin reports that `flush` returned, many
/// times; every flushed byte is in the file afterwards. `WASM_MEMMAP_KILL_TRIALS` sets the number
/// of trials (default 20; the README describes a run of 1000).
#[test]
fn data_flushed_before_the_host_is_killed_is_on_disk() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let trials: u32 = std::env::var("WASM_MEMMAP_KILL_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    for trial in 1..=trials {
        let seed = trial.to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasm-memmap"))
            .args(["--cache-dir", cache.to_str().unwrap(), "run", STRESS, "--dir", "."])
            .args(["--", "flush-marker", "data.f8", &seed])
            .current_dir(&work)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line, "flushed\n", "trial {trial}");
        child.kill().unwrap(); // SIGKILL: no destructor, no flush at exit runs.
        let status = child.wait().unwrap();
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "trial {trial}");
        let bytes = std::fs::read(work.join("data.f8")).unwrap();
        assert_eq!(bytes.len(), 65536 * 8, "trial {trial}");
        for (k, chunk) in bytes.chunks_exact(8).enumerate() {
            let want = f64::from(trial) * 1e6 + f64::from(u32::try_from(k).unwrap());
            assert_eq!(f64::from_le_bytes(chunk.try_into().unwrap()), want, "trial {trial}, element {k}");
        }
    }
    println!("{trials} SIGKILL trials, every flushed byte present");
}

#[test]
fn help_documents_every_grant_and_limit_with_its_default() {
    for command in ["run", "demo"] {
        let out = wasm_memmap(&[command, "--help"], Path::new("."));
        let help = text(&out.stdout);
        for flag in [
            "--dir",
            "--ro-dir",
            "--max-memory",
            "--timeout",
            "--fuel",
            "--max-handles",
            "--max-mapped",
            "--max-file-size",
            "--max-transfer",
        ] {
            let at =
                help.find(&format!("{flag} <")).unwrap_or_else(|| panic!("{command} --help lacks {flag}:\n{help}"));
            let entry = help[at..].split("\n      --").next().unwrap();
            assert!(entry.contains("[default: "), "{command} {flag} states no default:\n{entry}");
        }
    }
}

#[test]
fn a_read_only_grant_refuses_writing_modes_and_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.f8"), 3.0f64.to_le_bytes()).unwrap();
    let grant = format!("{}::/data", dir.path().display());
    let read = wasm_memmap(
        &["--no-cache", "run", SELECT, "--ro-dir", &grant, "--", "/data/x.f8", "1", "read", ":"],
        dir.path(),
    );
    assert!(read.status.success(), "{}", text(&read.stderr));
    assert!(text(&read.stdout).contains(&format!("{:016x}", 3.0f64.to_bits())), "{}", text(&read.stdout));
    let write = wasm_memmap(
        &["--no-cache", "run", SELECT, "--ro-dir", &grant, "--", "/data/x.f8", "1", "write", ":"],
        dir.path(),
    );
    assert!(!write.status.success());
    let all = text(&write.stdout) + &text(&write.stderr);
    assert!(all.contains("is in the read-only grant '/data'; mode 'r+' needs a read-write grant;"), "{all}");
    assert!(all.contains("grant the directory with --dir instead of --ro-dir"), "{all}");
    assert_eq!(std::fs::read(dir.path().join("x.f8")).unwrap(), 3.0f64.to_le_bytes());
}

#[test]
fn limit_flags_reach_the_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let out = wasm_memmap(&["--no-cache", "run", HOSTILE, "--dir", ".", "--timeout", "0.2", "--", "spin"], dir.path());
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("the plugin ran longer than its time limit of 0.200 s (--timeout) and was stopped"),
        "{}",
        text(&out.stderr)
    );
    let out = wasm_memmap(&["--no-cache", "run", HOSTILE, "--dir", ".", "--fuel", "1000000", "--", "spin"], dir.path());
    assert!(
        text(&out.stderr).contains("the plugin used up its fuel of 1000000 (--fuel) and was stopped"),
        "{}",
        text(&out.stderr)
    );
    let out = wasm_memmap(
        &["--no-cache", "run", HOSTILE, "--dir", ".", "--max-memory", "32MiB", "--", "grow-memory"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(text(&out.stdout).lines().count() <= 2, "{}", text(&out.stdout));
    // Byte counts with suffixes reach the memmap limits: 126 float64 values are 1008 bytes, under
    // 1K (1024) and over 1KB (1000).
    std::fs::write(dir.path().join("x.f8"), [0u8; 1008]).unwrap();
    for (flag, limit) in [("16B", 16), ("1K", 1024), ("1KB", 1000)] {
        let out = wasm_memmap(
            &["--no-cache", "run", SELECT, "--dir", ".", "--max-transfer", flag, "--", "x.f8", "126", "read", ":"],
            dir.path(),
        );
        let shown = text(&out.stdout);
        if limit < 1008 {
            assert!(
                shown.contains(&format!("a read of 1008 bytes is over the limit of {limit} bytes per call")),
                "{flag}: {shown}"
            );
        } else {
            assert!(out.status.success(), "{flag}: {shown}");
        }
    }
    let out = wasm_memmap(&["run", HOSTILE, "--max-file-size", "20000000TiB"], dir.path());
    assert!(
        text(&out.stderr).contains("'20000000TiB' is more than 18446744073709551615 bytes"),
        "{}",
        text(&out.stderr)
    );
    let out = wasm_memmap(&["run", HOSTILE, "--max-memory", "12XB"], dir.path());
    assert!(text(&out.stderr).contains("unknown unit 'XB' in '12XB'"), "{}", text(&out.stderr));
}
