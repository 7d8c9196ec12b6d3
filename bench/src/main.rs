//! The side-by-side benchmark: the same workloads in numpy (a python3 subprocess), in a sandboxed
//! plugin run by this project's host, and in native Rust over `memmap2`, interleaved repetition by
//! repetition, printed as a table of medians and ratios.
//!
//! ```sh
//! cargo run --release --bin wasm-memmap-bench            # full run, a few minutes
//! cargo run --release --bin wasm-memmap-bench -- --quick # smoke run, under a minute
//! cargo run --release --bin wasm-memmap-bench -- --python # the Python script rows alone
//! cargo run --release --bin wasm-memmap-bench -- --zarr   # the Zarr rows alone (local S3: moto)
//! ```
//!
//! Environment: `WASM_MEMMAP_PYTHON` (default `.venv/bin/python`, else `python3`), the interpreter
//! with numpy; `WASM_MEMMAP_BENCH_DIR` (default `target/bench-data`), where the 800 MB data file is
//! made once and kept; `WASM_MEMMAP_BENCH_QUICK=1` is the same as `--quick`.

mod native;
mod zarr;

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::time::Instant;

use wasm_memmap_runner::{DirGrant, FsPerms, MemmapLimits, Output, Plugin, RunConfig, Runner};

const SIDE: usize = 10000;
const SQUARE: &str = "square.f64";
const SCRATCH: &str = "scratch.f64";
const SCRATCH_BYTES: usize = 16 << 20;
/// The positions `take` picks: little-endian int64 in `[0, SIDE * SIDE)`, drawn once from a fixed
/// seed, read by numpy and the plugin before their clocks start.
const TAKE_INDICES: &str = "take-indices.i64";
const TAKE_COUNT: usize = 1_000_000;

type Error = Box<dyn std::error::Error>;
type Result<T> = std::result::Result<T, Error>;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The median of `values` (sorted in place); NaN for none.
fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { f64::midpoint(values[mid - 1], values[mid]) }
}

/// The CPU model and the number of CPUs this process may use.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned()))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or_else(String::new, |kib| format!(", {} GiB RAM", kib >> 20));
    format!("{model}, {cores} CPUs{mem}, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

/// Makes the 10000x10000 float64 file of non-zero values (once) and the write scratch file.
fn prepare_data(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let square = dir.join(SQUARE);
    let bytes = SIDE * SIDE * 8;
    if std::fs::metadata(&square).map(|m| m.len()).ok() != u64::try_from(bytes).ok() {
        eprintln!("making {} ({bytes} bytes, once)...", square.display());
        let tmp = dir.join("square.tmp");
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        // A cheap generator of values in [0.5, 1.5): non-zero, not all equal.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..SIDE * SIDE {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let unit = f64::from_bits(0x3FF0_0000_0000_0000 | (x >> 12)) - 1.0;
            out.write_all(&(unit + 0.5).to_le_bytes())?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, &square)?;
    }
    let indices = dir.join(TAKE_INDICES);
    if std::fs::metadata(&indices).map(|m| m.len()).ok() != u64::try_from(TAKE_COUNT * 8).ok() {
        std::fs::write(&indices, take_indices().iter().flat_map(|i| i.to_le_bytes()).collect::<Vec<u8>>())?;
    }
    let scratch = dir.join(SCRATCH);
    if std::fs::metadata(&scratch).map(|m| m.len()).ok() != u64::try_from(SCRATCH_BYTES).ok() {
        std::fs::write(&scratch, vec![1u8; SCRATCH_BYTES])?;
    }
    Ok(())
}

/// [`TAKE_COUNT`] positions in the square file, from a fixed seed (xorshift64*, reduced by
/// multiply-shift): scattered over the whole 800 MB, as random indices are.
fn take_indices() -> Vec<i64> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let n = u64::try_from(SIDE * SIDE).unwrap_or(u64::MAX);
    (0..TAKE_COUNT)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
            let at = (u128::from(r) * u128::from(n)) >> 64;
            i64::try_from(at).unwrap_or(0)
        })
        .collect()
}

/// The persistent numpy process (`bench/numpy_bench.py`).
struct Numpy {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Numpy {
    fn start(python: &Path) -> Result<Self> {
        let script = workspace_root().join("bench/numpy_bench.py");
        let mut child = Command::new(python).arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let input = child.stdin.take().ok_or("no stdin")?;
        let mut output = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        output.read_line(&mut line)?;
        if line.trim() != "ready" {
            return Err(
                format!("{} could not start bench/numpy_bench.py (is numpy installed?)", python.display()).into()
            );
        }
        Ok(Self { child, input, output })
    }

    fn run(&mut self, command: &str) -> Result<(f64, f64)> {
        writeln!(self.input, "{command}")?;
        self.input.flush()?;
        let mut line = String::new();
        self.output.read_line(&mut line)?;
        parse_pair(&line).ok_or_else(|| format!("numpy answered {line:?} to {command:?}").into())
    }
}

impl Drop for Numpy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse_pair(line: &str) -> Option<(f64, f64)> {
    let mut it = line.split_whitespace();
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// The plugin side: this project's host running guest/test-programs/src/bin/bench.rs.
struct Guest {
    runner: Runner,
    plugin: Plugin,
    dir: PathBuf,
    limits: MemmapLimits,
}

impl Guest {
    fn run(&self, args: &[&str]) -> Result<(f64, f64)> {
        let config = RunConfig {
            args: std::iter::once("bench").chain(args.iter().copied()).map(str::to_owned).collect(),
            dirs: vec![DirGrant { host: self.dir.clone(), guest: ".".into(), perms: FsPerms::ReadWrite }],
            stdout: Output::Capture,
            stderr: Output::Capture,
            limits: self.limits,
            ..RunConfig::default()
        };
        let outcome = self.runner.run(&self.plugin, &config)?;
        let out = String::from_utf8_lossy(&outcome.stdout);
        parse_pair(&out).ok_or_else(|| {
            format!("the guest answered {out:?} ({}) to {args:?}", String::from_utf8_lossy(&outcome.stderr)).into()
        })
    }
}

/// The plugin's runners: the default one, and one with zero-copy windows enabled when this host
/// has them.
struct Guests {
    plain: Guest,
    windows: Option<Guest>,
}

/// What a number in the table measures.
#[derive(Clone, Copy)]
enum Unit {
    /// Seconds for the whole workload, shown in ms.
    Millis,
    /// Seconds per call, shown in ns.
    Nanos,
    /// Seconds per call moving this many bytes, shown in GB/s.
    Bandwidth(usize),
}

impl Unit {
    fn show(self, seconds: f64) -> String {
        if seconds.is_nan() {
            return "-".into();
        }
        match self {
            Self::Millis => format!("{:.1} ms", seconds * 1e3),
            Self::Nanos => format!("{:.0} ns", seconds * 1e9),
            #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
            Self::Bandwidth(bytes) => format!("{:.1} GB/s", bytes as f64 / seconds / 1e9),
        }
    }
}

/// What issue 13 asks of a row, checked against the medians of the same run.
#[derive(Clone, Copy)]
enum Target {
    /// numpy's time over ours at least this (1.0: as fast as numpy).
    Numpy(f64),
    /// native Rust's time over ours at least this.
    Native(f64),
    /// Ours at least this percentage of memcpy's bandwidth.
    Memcpy(f64),
    /// Ours at most this many nanoseconds per call.
    Nanos(f64),
}

impl Target {
    fn describe(self) -> String {
        match self {
            Self::Numpy(r) => format!("numpy/ours >= {r:.2}"),
            Self::Native(r) => format!("native/ours >= {r:.2}"),
            Self::Memcpy(p) => format!(">= {p:.0}% of memcpy"),
            Self::Nanos(ns) => format!("<= {ns:.0} ns"),
        }
    }

    /// Whether the medians `[numpy, ours, native, memcpy]` (seconds) meet it; `None` when a side
    /// is missing.
    fn met(self, [np, ours, nat, mc]: [f64; 4]) -> Option<bool> {
        let (have, want) = match self {
            Self::Numpy(r) => (np / ours, r),
            Self::Native(r) => (nat / ours, r),
            Self::Memcpy(p) => (100.0 * mc / ours, p),
            Self::Nanos(ns) => (-ours * 1e9, -ns),
        };
        if have.is_nan() { None } else { Some(have >= want) }
    }
}

/// One row: a workload measured on every side that has it.
struct Row {
    name: String,
    unit: Unit,
    numpy: Option<String>,
    guest: Vec<String>,
    native: Option<Box<dyn Fn() -> f64>>,
    memcpy: Option<Box<dyn Fn() -> f64>>,
    samples: [Vec<f64>; 4],
    checks: Vec<(String, f64)>,
    target: Option<Target>,
    /// Run by the runner with zero-copy windows enabled.
    windows: bool,
    /// Why the plugin's side failed (the row is then shown without it).
    failed: Option<String>,
}

impl Row {
    fn new(name: impl Into<String>, unit: Unit, numpy: Option<String>, guest: &[&str]) -> Self {
        Self {
            name: name.into(),
            unit,
            numpy,
            guest: guest.iter().map(|s| (*s).to_owned()).collect(),
            native: None,
            memcpy: None,
            samples: Default::default(),
            checks: Vec::new(),
            target: None,
            windows: false,
            failed: None,
        }
    }

    fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    fn native(mut self, f: impl Fn() -> f64 + 'static) -> Self {
        self.native = Some(Box::new(f));
        self
    }

    fn memcpy(mut self, f: impl Fn() -> f64 + 'static) -> Self {
        self.memcpy = Some(Box::new(f));
        self
    }
}

fn time_per_call(calls: usize, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
    let per = start.elapsed().as_secs_f64() / calls.max(1) as f64;
    per
}

fn reps_for(bytes: usize) -> usize {
    ((256usize << 20) / bytes.max(1)).max(16)
}

/// A sum with 8 independent accumulators, as the guest program does.
fn sum8(bytes: &[u8]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut chunks = bytes.chunks_exact(64);
    for c in &mut chunks {
        for (j, a) in acc.iter_mut().enumerate() {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(&c[j * 8..j * 8 + 8]);
            *a += f64::from_le_bytes(raw);
        }
    }
    let tail: f64 =
        chunks.remainder().chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).sum();
    acc.iter().sum::<f64>() + tail
}

fn rows(dir: &Path, quick: bool) -> Result<Vec<Row>> {
    let square_path = dir.join(SQUARE);
    let scratch_path = dir.join(SCRATCH);
    let sq = square_path.display().to_string();
    let scr = scratch_path.display().to_string();
    let square = std::rc::Rc::new(native::Map::open(&square_path)?);
    let scratch = std::rc::Rc::new(std::cell::RefCell::new(native::MapMut::open(&scratch_path)?));
    let mut rows = Vec::new();

    let scan_native = {
        let square = square.clone();
        move || {
            let start = Instant::now();
            std::hint::black_box(sum8(square.bytes()));
            start.elapsed().as_secs_f64()
        }
    };
    // Every full scan is timed against numpy's `np.memmap(...).sum()` and native Rust's loop.
    let scan = |name: &str, guest: &[&str], target: Option<Target>| {
        let mut row = Row::new(name, Unit::Millis, Some(format!("scan {sq}")), guest).native(scan_native.clone());
        row.target = target;
        row
    };
    rows.push(scan("full scan: guest reads chunks (SDK `chunks`)", &["scan-chunks", SQUARE], Some(Target::Numpy(1.0))));
    rows.push(scan("full scan: guest `scan` + simd128 sum (SDK)", &["scan-scan", SQUARE], Some(Target::Numpy(1.0))));
    // The window row's native side maps the file anew each time, as the plugin does: both take the
    // page faults of a fresh mapping of cached pages, and unmap after their clocks stop.
    let fresh = square_path.clone();
    let mut window = scan(
        "full scan: guest reads a zero-copy window (simd128 sum)",
        &["scan-window", SQUARE],
        Some(Target::Native(0.9)),
    )
    .native(move || {
        let Ok(map) = native::Map::open(&fresh) else { return f64::NAN };
        let start = Instant::now();
        std::hint::black_box(sum8(map.bytes()));
        start.elapsed().as_secs_f64()
    });
    window.windows = true;
    rows.push(window);
    // The same once the pages are mapped: numpy sums a map it has summed once, the plugin sums a
    // window it has read once, native Rust its mapping whose pages are faulted in.
    let mut warm = scan(
        "full scan, second pass: guest reads a zero-copy window (simd128 sum)",
        &["scan-window-warm", SQUARE],
        Some(Target::Native(0.9)),
    );
    warm.numpy = Some(format!("scan-warm {sq}"));
    warm.windows = true;
    rows.push(warm);
    rows.push(scan("full scan: guest asks the host (`sum`)", &["scan-host", SQUARE], None));
    if !quick {
        for (label, n) in [("16 KiB", "2048"), ("256 KiB", "32768"), ("1 MiB", "131072")] {
            rows.push(scan(&format!("full scan: guest reads {label} blocks"), &["scan-block", SQUARE, n], None));
        }
    }

    for (label, bytes) in [("64 KiB", 64usize << 10), ("1 MiB", 1 << 20), ("8 MiB", 8 << 20)] {
        let b = bytes.to_string();
        let calls = reps_for(bytes);
        let square_r = square.clone();
        let copy_out = move || {
            let mut buf = vec![0u8; bytes];
            time_per_call(calls, || {
                buf.copy_from_slice(&square_r.bytes()[..bytes]);
                std::hint::black_box(&buf);
            })
        };
        let memcpy = move || {
            let src = vec![1u8; bytes];
            let mut dst = vec![0u8; bytes];
            time_per_call(calls, || {
                dst.copy_from_slice(std::hint::black_box(&src));
                std::hint::black_box(&dst);
            })
        };
        rows.push(
            Row::new(
                format!("slice-read {label} (read-bytes, one copy)"),
                Unit::Bandwidth(bytes),
                Some(format!("read {sq} {b}")),
                &["read", SQUARE, &b],
            )
            .native(copy_out)
            .memcpy(memcpy)
            .target(Target::Memcpy(80.0)),
        );
        let scratch_w = scratch.clone();
        let copy_in = move || {
            let src = vec![1u8; bytes];
            let mut map = scratch_w.borrow_mut();
            time_per_call(calls, || {
                map.bytes_mut()[..bytes].copy_from_slice(std::hint::black_box(&src));
            })
        };
        rows.push(
            Row::new(
                format!("slice-write {label} (write-bytes, one copy)"),
                Unit::Bandwidth(bytes),
                Some(format!("write {scr} {b}")),
                &["write", SCRATCH, &b],
            )
            .native(copy_in)
            .memcpy(memcpy)
            .target(Target::Memcpy(80.0)),
        );
    }

    let square_c = square.clone();
    rows.push(
        Row::new(
            "read a column a[:, 0] (10000 x 8 B)",
            Unit::Millis,
            Some(format!("read-column {sq}")),
            &["read-column", SQUARE],
        )
        .native(move || {
            let start = Instant::now();
            let column: Vec<u8> =
                square_c.bytes().chunks_exact(SIDE * 8).flat_map(|row| row[..8].iter().copied()).collect();
            std::hint::black_box(column);
            start.elapsed().as_secs_f64()
        }),
    );
    let square_e = square.clone();
    rows.push(
        Row::new(
            "read every other row a[:1000:2] (40 MB)",
            Unit::Millis,
            Some(format!("read-every-other-row {sq}")),
            &["read-every-other-row", SQUARE],
        )
        .native(move || {
            let start = Instant::now();
            let mut out = Vec::with_capacity(500 * SIDE * 8);
            for row in square_e.bytes().chunks_exact(SIDE * 8).take(1000).step_by(2) {
                out.extend_from_slice(row);
            }
            std::hint::black_box(out);
            start.elapsed().as_secs_f64()
        }),
    );

    let indices = std::rc::Rc::new(take_indices());
    let square_t = square.clone();
    rows.push(
        Row::new(
            "take 1,000,000 random indices a.flat[idx]",
            Unit::Millis,
            Some(format!("take {sq} {}", dir.join(TAKE_INDICES).display())),
            &["take", SQUARE, TAKE_INDICES],
        )
        .native(move || {
            let bytes = square_t.bytes();
            let start = Instant::now();
            let picked: Vec<f64> = indices
                .iter()
                .map(|&i| {
                    let at = usize::try_from(i).unwrap_or(0) * 8;
                    f64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]))
                })
                .collect();
            std::hint::black_box(picked);
            start.elapsed().as_secs_f64()
        })
        .target(Target::Numpy(1.0)),
    );

    let calls = if quick { 20_000 } else { 200_000 };
    let n = calls.to_string();
    // One element per call, by index (`item`, `set-item`) and by flat position (`item-flat`,
    // `set-item-flat`); numpy's side is `a[i]` / `a[i] = v` for both.
    let one = |name: String, workload: &str, path: &str, file: &str, flat: &str, native: Box<dyn Fn() -> f64>| {
        let guest = [format!("{workload}{flat}"), file.to_owned(), n.clone()];
        let guest: Vec<&str> = guest.iter().map(String::as_str).collect();
        let mut row = Row::new(name, Unit::Nanos, Some(format!("{workload} {path} {n}")), &guest);
        row.native = Some(native);
        row.target(Target::Nanos(150.0))
    };
    for (label, flat) in [("a[i] (`item`)", ""), ("a.flat[i] (`item-flat`)", "-flat")] {
        let square_o = square.clone();
        let read_native = move || {
            let bytes = square_o.bytes();
            let mut i = 0usize;
            time_per_call(calls, || {
                let at = (i % (1 << 16)) * 8;
                i += 1;
                let mut raw = [0u8; 8];
                raw.copy_from_slice(&bytes[at..at + 8]);
                std::hint::black_box(f64::from_le_bytes(raw));
            })
        };
        rows.push(one(format!("one-element read {label}"), "read-one", &sq, SQUARE, flat, Box::new(read_native)));
        let scratch_o = scratch.clone();
        let write_native = move || {
            let mut map = scratch_o.borrow_mut();
            let bytes = map.bytes_mut();
            let mut i = 0usize;
            time_per_call(calls, || {
                let at = (i % (1 << 16)) * 8;
                i += 1;
                bytes[at..at + 8].copy_from_slice(&std::hint::black_box(2.5f64).to_le_bytes());
            })
        };
        let set = if flat.is_empty() { "a[i] = v (`set-item`)" } else { "a.flat[i] = v (`set-item-flat`)" };
        rows.push(one(format!("one-element write {set}"), "write-one", &scr, SCRATCH, flat, Box::new(write_native)));
    }
    Ok(rows)
}

/// Measures each row once per repetition, rotating which side goes first.
fn measure(rows: &mut [Row], numpy: &mut Numpy, guests: &Guests, reps: usize) -> Result<()> {
    for rep in 0..reps {
        eprint!("\rrepetition {}/{reps}", rep + 1);
        for row in rows.iter_mut() {
            for k in 0..4 {
                match (rep + k) % 4 {
                    0 => {
                        if let Some(cmd) = &row.numpy {
                            let (secs, check) = numpy.run(cmd)?;
                            row.samples[0].push(secs);
                            if rep == 0 {
                                row.checks.push(("numpy".into(), check));
                            }
                        }
                    }
                    1 if row.failed.is_none() => {
                        let args: Vec<&str> = row.guest.iter().map(String::as_str).collect();
                        let ran = if row.windows { guests.windows.as_ref() } else { Some(&guests.plain) }
                            .ok_or_else(|| Error::from("this host has no zero-copy windows"))
                            .and_then(|guest| guest.run(&args));
                        match ran {
                            Ok((secs, check)) => {
                                row.samples[1].push(secs);
                                if rep == 0 {
                                    row.checks.push(("guest".into(), check));
                                }
                            }
                            // One failing workload must not hide the others' figures.
                            Err(e) => row.failed = Some(e.to_string()),
                        }
                    }
                    1 => {}
                    2 => {
                        if let Some(f) = &row.native {
                            row.samples[2].push(f());
                        }
                    }
                    _ => {
                        if let Some(f) = &row.memcpy {
                            row.samples[3].push(f());
                        }
                    }
                }
            }
        }
    }
    eprintln!();
    Ok(())
}

fn ratio(numerator: f64, ours: f64) -> String {
    if numerator.is_nan() || ours.is_nan() { "-".into() } else { format!("{:.2}", numerator / ours) }
}

fn print_table(rows: &mut [Row]) {
    println!(
        "| workload | numpy | ours (plugin) | native Rust | memcpy | numpy/ours | native/ours | ours % of memcpy | target | met? |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows.iter_mut() {
        let medians = row.samples.each_mut().map(|s| median(s));
        let [np, ours, nat, mc] = medians;
        let shown = if row.failed.is_some() { "failed".to_owned() } else { row.unit.show(ours) };
        let pct = if mc.is_nan() { "-".into() } else { format!("{:.0}%", 100.0 * mc / ours) };
        let (target, met) = row.target.map_or_else(
            || ("-".to_owned(), "-"),
            |t| {
                let met = match t.met(medians) {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "-",
                };
                (t.describe(), met)
            },
        );
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            row.unit.show(np),
            shown,
            row.unit.show(nat),
            row.unit.show(mc),
            ratio(np, ours),
            ratio(nat, ours),
            pct,
            target,
            met
        );
    }
    println!();
    println!(
        "Ratios are of times: above 1.00 means the plugin is faster. Results each side computed (first repetition):"
    );
    for row in rows.iter() {
        if let Some(why) = &row.failed {
            println!("- {}: the plugin failed: {why}", row.name);
        }
    }
    for row in rows.iter() {
        if row.name.starts_with("full scan") || row.name.starts_with("take") {
            let checks: Vec<String> = row.checks.iter().map(|(who, v)| format!("{who} {v:?}")).collect();
            println!("- {}: {}", row.name, checks.join(", "));
        }
    }
}

/// The `wasm-memmap` CLI binary beside this one, built if missing.
fn cli_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let cli = exe.with_file_name(format!("wasm-memmap{}", std::env::consts::EXE_SUFFIX));
    if !cli.exists() {
        eprintln!("building the wasm-memmap CLI for the session benchmark...");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "-p", "wasm-memmap-cli"])
            .current_dir(workspace_root())
            .status()?;
        if !status.success() || !cli.exists() {
            return Err("could not build the wasm-memmap CLI".into());
        }
    }
    Ok(cli)
}

/// Runs a `--rusage-of` helper and reads what it measured.
fn helper_run(command: &mut Command) -> Result<native::ChildRun> {
    let out = command.output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or("");
    let mut it = line.split_whitespace();
    let (Some(wall), Some(rss), Some(ok)) = (it.next(), it.next(), it.next()) else {
        return Err(format!("the measuring helper printed {line:?}").into());
    };
    Ok(native::ChildRun {
        wall: std::time::Duration::from_secs_f64(wall.parse()?),
        max_rss_kib: rss.parse()?,
        success: ok == "ok",
    })
}

/// `--rusage-of PROGRAM ARGS...`: runs the program (its output discarded) and prints
/// `<wall seconds> <peak RSS KiB> ok|failed`.
fn rusage_of(args: &[String]) -> Result<()> {
    let (program, rest) = args.split_first().ok_or("--rusage-of needs a program")?;
    let run = native::run_child(Command::new(program).args(rest).stdout(Stdio::null()))?;
    println!("{:e} {} {}", run.wall.as_secs_f64(), run.max_rss_kib, if run.success { "ok" } else { "failed" });
    Ok(())
}

/// The seed session end to end (process start to exit) and its peak RSS, interleaved.
fn session(python: &Path, reps: usize) -> Result<()> {
    let cli = cli_binary()?;
    let work = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    // The session script with `--echo` prints what the demo prints, cell by cell.
    let script = workspace_root().join("examples/session.py");
    // Each command runs under a small helper process (this binary with `--rusage-of`): a child's
    // peak RSS counts the memory of the process it was forked from, and this one has the 800 MB
    // file mapped.
    let exe = std::env::current_exe()?;
    let measured = |program: &Path, args: &[&std::ffi::OsStr]| {
        let mut c = Command::new(&exe);
        c.arg("--rusage-of").arg(program).args(args).current_dir(work.path()).stdout(Stdio::piped());
        c
    };
    let demo = || measured(&cli, &["--cache-dir".as_ref(), cache.path().as_os_str(), "demo".as_ref()]);
    let py = || measured(python, &[script.as_os_str(), "--echo".as_ref()]);
    // Fill the compile cache (a user's second run onwards).
    helper_run(&mut demo())?;
    let (mut ours, mut theirs, mut rss_ours, mut rss_theirs) = (vec![], vec![], vec![], vec![]);
    for rep in 0..reps {
        for k in 0..2 {
            let mine = (rep + k) % 2 == 0;
            let run = helper_run(&mut if mine { demo() } else { py() })?;
            if !run.success {
                return Err(format!("the {} session failed", if mine { "demo" } else { "python" }).into());
            }
            #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
            let rss = run.max_rss_kib as f64 / 1024.0;
            if mine {
                ours.push(run.wall.as_secs_f64());
                rss_ours.push(rss);
            } else {
                theirs.push(run.wall.as_secs_f64());
                rss_theirs.push(rss);
            }
        }
    }
    let (o, t) = (median(&mut ours), median(&mut theirs));
    println!("| session end to end | python3 + numpy | `wasm-memmap demo` | python/ours |");
    println!("|---|---|---|---|");
    println!("| wall time, process start to exit | {:.1} ms | {:.1} ms | {:.2} |", t * 1e3, o * 1e3, t / o);
    println!(
        "| peak RSS | {:.1} MB | {:.1} MB | {:.2} |",
        median(&mut rss_theirs),
        median(&mut rss_ours),
        median(&mut rss_theirs) / median(&mut rss_ours)
    );
    println!();
    Ok(())
}

/// The session as a Python script, `examples/session.py`, run by `python3` with numpy and by `wasm-memmap run` in the Python
/// runner, interleaved, warm cache; then the Python runner's cached start (a script that does
/// nothing) and its first-run compile into an empty cache.
fn python_scripts(python: &Path, reps: usize) -> Result<()> {
    let cli = cli_binary()?;
    let work = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    let cache_dir = cache.path().join("cache");
    let script = workspace_root().join("examples/session.py");
    let empty = work.path().join("nothing.py");
    std::fs::write(&empty, "")?;
    let exe = std::env::current_exe()?;
    let measured = |program: &Path, args: &[&std::ffi::OsStr]| {
        let mut c = Command::new(&exe);
        c.arg("--rusage-of").arg(program).args(args).current_dir(work.path()).stdout(Stdio::piped());
        c
    };
    let ours = |script: &Path, cache: &Path| {
        measured(
            &cli,
            &[
                "--cache-dir".as_ref(),
                cache.as_os_str(),
                "run".as_ref(),
                script.as_os_str(),
                "--dir".as_ref(),
                ".".as_ref(),
            ],
        )
    };
    // The first run compiles the runner into the empty cache: the cold figure.
    let cold = helper_run(&mut ours(&empty, &cache_dir))?;
    if !cold.success {
        return Err("`wasm-memmap run nothing.py` failed (is componentize-py installed? see the README)".into());
    }
    let mut samples: [Vec<f64>; 6] = Default::default();
    let mut session_failed = false;
    for rep in 0..reps {
        for k in 0..2 {
            let mine = (rep + k) % 2 == 0;
            let run = helper_run(&mut if mine {
                ours(&script, &cache_dir)
            } else {
                measured(python, &[script.as_os_str()])
            })?;
            if !run.success {
                if mine {
                    session_failed = true;
                    continue;
                }
                return Err(format!("python3 {} failed", script.display()).into());
            }
            #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
            let rss = run.max_rss_kib as f64 / 1024.0;
            let at = if mine { 0 } else { 2 };
            samples[at].push(run.wall.as_secs_f64());
            samples[at + 1].push(rss);
        }
        let start = helper_run(&mut ours(&empty, &cache_dir))?;
        samples[4].push(start.wall.as_secs_f64());
        #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
        samples[5].push(start.max_rss_kib as f64 / 1024.0);
    }
    let [ours_t, ours_rss, py_t, py_rss, start_t, start_rss] = &mut samples;
    let name = script.strip_prefix(workspace_root()).unwrap_or(&script).display().to_string();
    println!("| Python script, process start to exit | python3 + numpy | `wasm-memmap run` | python/ours |");
    println!("|---|---|---|---|");
    if session_failed || ours_t.is_empty() {
        println!("| `{name}`, wall time | {:.1} ms | failed | - |", median(py_t) * 1e3);
    } else {
        let (o, t) = (median(ours_t), median(py_t));
        println!("| `{name}`, wall time (warm cache) | {:.1} ms | {:.1} ms | {:.2} |", t * 1e3, o * 1e3, t / o);
        let (o, t) = (median(ours_rss), median(py_rss));
        println!("| `{name}`, peak RSS | {t:.1} MB | {o:.1} MB | {:.2} |", t / o);
    }
    println!(
        "| a script that does nothing, cached start | - | {:.1} ms, {:.1} MB | - |",
        median(start_t) * 1e3,
        median(start_rss)
    );
    #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
    let cold_rss = cold.max_rss_kib as f64 / 1024.0;
    println!(
        "| the same, first run (compiles the runner into an empty cache) | - | {:.1} s, {cold_rss:.0} MB | - |",
        cold.wall.as_secs_f64()
    );
    println!();
    Ok(())
}

/// Plugin start-up: compiling, and loading from a cold and a warm compile cache, then
/// instantiating and running `main` of a plugin that does nothing.
fn startup(reps: usize) -> Result<()> {
    let wasm = std::fs::read(wasm_memmap_guest_artifacts::test_programs::BENCH)?;
    let grant = tempfile::tempdir()?;
    let config = RunConfig {
        args: vec!["bench".into(), "noop".into()],
        dirs: vec![DirGrant { host: grant.path().to_path_buf(), guest: ".".into(), perms: FsPerms::ReadWrite }],
        stdout: Output::Discard,
        stderr: Output::Discard,
        ..RunConfig::default()
    };
    let (mut cold, mut warm, mut run_only, mut cli_warm) = (vec![], vec![], vec![], vec![]);
    let cli = cli_binary()?;
    for _ in 0..reps {
        let cache = tempfile::tempdir()?;
        let start = Instant::now();
        let runner = Runner::new(Some(cache.path().to_path_buf()))?;
        let plugin = runner.load(&wasm)?;
        runner.run(&plugin, &config)?;
        cold.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        let runner = Runner::new(Some(cache.path().to_path_buf()))?;
        let plugin = runner.load(&wasm)?;
        let loaded = Instant::now();
        runner.run(&plugin, &config)?;
        warm.push(start.elapsed().as_secs_f64());
        run_only.push(loaded.elapsed().as_secs_f64());
        let mut cmd = Command::new(&cli);
        cmd.arg("--cache-dir")
            .arg(cache.path())
            .arg("run")
            .arg(wasm_memmap_guest_artifacts::test_programs::BENCH)
            .arg("--dir")
            .arg(grant.path())
            .arg("--")
            .arg("noop")
            .stdout(Stdio::null());
        cli_warm.push(native::run_child(&mut cmd)?.wall.as_secs_f64());
    }
    println!("| plugin start-up ({} KB component) | median |", wasm.len() / 1000);
    println!("|---|---|");
    println!("| engine + compile (cold cache) + instantiate + run `main` | {:.1} ms |", median(&mut cold) * 1e3);
    println!("| engine + load from warm cache + instantiate + run `main` | {:.2} ms |", median(&mut warm) * 1e3);
    println!("| of which instantiate + run `main` | {:.3} ms |", median(&mut run_only) * 1e3);
    println!("| `wasm-memmap run` process start to exit, warm cache | {:.1} ms |", median(&mut cli_warm) * 1e3);
    println!();
    Ok(())
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("WASM_MEMMAP_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = workspace_root().join(".venv/bin/python");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}

fn main_result() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--rusage-of") {
        return rusage_of(&args[1..]);
    }
    let quick = std::env::args().any(|a| a == "--quick")
        || std::env::var("WASM_MEMMAP_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let reps = if quick { 3 } else { 9 };
    let dir = std::env::var_os("WASM_MEMMAP_BENCH_DIR")
        .map_or_else(|| workspace_root().join("target/bench-data"), PathBuf::from);
    let python = python();
    println!("Machine: {}", machine());
    println!(
        "numpy side: {} ({}); {reps} interleaved repetitions, medians{}",
        python.display(),
        Command::new(&python)
            .args(["-c", "import numpy, sys; print('numpy', numpy.__version__, 'python', sys.version.split()[0])"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default(),
        if quick { " (quick mode)" } else { "" }
    );
    println!();
    if std::env::args().any(|a| a == "--python") {
        return python_scripts(&python, reps);
    }
    prepare_data(&dir)?;
    if std::env::args().any(|a| a == "--zarr") {
        return zarr_rows(&python, &dir, reps);
    }
    let mut numpy = Numpy::start(&python)?;
    let runner = Runner::new(None)?;
    let plugin = runner.load_file(Path::new(wasm_memmap_guest_artifacts::test_programs::BENCH))?;
    let plain = Guest { runner, plugin, dir: dir.clone(), limits: MemmapLimits::default() };
    // Windows are the embedder's opt-in. A window counts as a transfer of its length, so this
    // runner allows 1 GiB for the one window over the whole 800 MB file.
    // Windows are the embedder's opt-in. A window counts as a transfer of its length, so this
    // runner allows 1 GiB for the one window over the whole 800 MB file.
    let windows = Runner::with_windows(None)
        .and_then(|runner| {
            let plugin = runner.load_file(Path::new(wasm_memmap_guest_artifacts::test_programs::BENCH))?;
            let limits = MemmapLimits { max_transfer_bytes: 1 << 30, ..MemmapLimits::default() };
            Ok(Guest { runner, plugin, dir: dir.clone(), limits })
        })
        .inspect_err(|e| eprintln!("no zero-copy windows on this host: {e}"))
        .ok();
    let guests = Guests { plain, windows };
    let mut rows = rows(&dir, quick)?;
    // Warm the page cache and every code path once before timing.
    measure(&mut rows, &mut numpy, &guests, 1)?;
    for row in &mut rows {
        row.samples.iter_mut().for_each(Vec::clear);
        row.checks.clear();
    }
    measure(&mut rows, &mut numpy, &guests, reps)?;
    print_table(&mut rows);
    println!();
    session(&python, reps)?;
    python_scripts(&python, reps)?;
    startup(reps)?;
    zarr_rows(&python, &dir, reps)
}

/// The Zarr rows ([`zarr::rows`]).
fn zarr_rows(python: &Path, dir: &Path, reps: usize) -> Result<()> {
    let chunk_task = Path::new(wasm_memmap_guest_artifacts::test_programs::CHUNK_TASK);
    zarr::rows(python, &cli_binary()?, dir, reps, chunk_task)
}

fn main() -> ExitCode {
    match main_result() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-memmap-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
