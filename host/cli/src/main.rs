//! `wasm-memmap`: runs WebAssembly plugins that map numpy-style arrays, and the seed-session demo.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use wasm_memmap_runner::{
    ChildCompiler, CompileLimitError, CompileLimits, EngineOptions, InstanceLimits, MemmapLimits, Output, Plugin,
    ProtectedDirGranted, RunConfig, Runner, Script, Status, TEARDOWN_FLUSH_GRACE,
};

mod hints;
mod sandbox;
use sandbox::SandboxArgs;

mod show;

/// Run WebAssembly plugins that use numpy-style memory-mapped arrays (the `wasm-memmap:array` WIT
/// interface). A plugin sees only the directories granted with `--dir` and `--ro-dir` (and the
/// object-store prefixes granted with `--store` and `--ro-store`), and runs under
/// the limits below (see "Sandbox and limits" in the README).
#[derive(Parser, Debug)]
#[command(name = "wasm-memmap", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    cache: CacheArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct CacheArgs {
    /// Where compiled plugins are kept, so a second run does not compile again [default:
    /// $WASM_MEMMAP_CACHE_DIR, else the user cache directory's `wasm-memmap`].
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile every time; read and write no cache.
    #[arg(long, global = true, conflicts_with = "cache_dir")]
    no_cache: bool,
    /// Print how long compiling or loading the plugin took, and whether the cache served it.
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Replay the document's numpy session in the bundled demo plugin: create DIR/mymmap (a
    /// 10000x10000 float64 array, 800,000,000 bytes), fill rows 0-4 with standard-normal numbers,
    /// flush, reopen it, and print each step as IPython did (with `--zarr`, on a Zarr array).
    Demo {
        /// Seed of the random numbers: the demo draws what `np.random.default_rng(N)` draws.
        #[arg(long, value_name = "N", default_value_t = 12345)]
        seed: u64,
        /// Replay the session on a Zarr v3 array at LOCATION instead of the file `mymmap`: a
        /// 10000x10000 float64 array chunked 1000x1000 (`zarr.create_array`, then
        /// `zarr.open_array`), a directory beneath the granted one (`--zarr mymmap.zarr`) or a
        /// location beneath a `--store` (`--store s3://bucket/runs --zarr s3://bucket/runs/m.zarr`).
        /// The transcript is the file session's, value for value; only the 10 chunks rows 0-4
        /// touch are stored.
        #[arg(long, value_name = "LOCATION")]
        zarr: Option<String>,
        /// Grants and limits. The demo writes `mymmap` in the directory seen as `.`: a `--dir HOST`
        /// without `::GUEST` is seen as `.` here, and without any grant the current directory is
        /// granted read-write.
        #[command(flatten)]
        sandbox: SandboxArgs,
    },
    /// Run a plugin component (a `wasm32-wasip2` command), or a Python script (a file ending in
    /// `.py`, run in the bundled Python runner with `import numpy` giving a numpy-compatible
    /// module), with only the granted directories visible. The script's own folder needs no grant:
    /// this command reads the script.
    Run {
        /// The component file, or the Python script (`.py`).
        plugin: PathBuf,
        /// Grants and limits.
        #[command(flatten)]
        sandbox: SandboxArgs,
        /// Limits on compiling the plugin.
        #[command(flatten)]
        compile: CompileArgs,
        /// Let the plugin open zero-copy windows (the WIT's `window` interface): a range of a
        /// mapped file appears inside the plugin's own memory, which reads and writes the file's
        /// pages in place, as `np.memmap` does natively. The host then supplies the plugin's
        /// memory (4 GiB of address space reserved, data segments copied at start). Off by
        /// default: without it `window.open` answers `unsupported`.
        #[arg(long)]
        windows: bool,
        /// Arguments for the plugin (after `--`).
        #[arg(last = true, value_name = "ARGS")]
        args: Vec<String>,
    },
    /// Print an array file as numpy's `repr(np.memmap(FILE, dtype, mode='r', offset, shape, order))`
    /// would, under numpy's print options; a `.npy` file needs no dtype or shape, nor does a Zarr v3
    /// array (a directory holding `zarr.json`, or `s3://BUCKET/.../ARRAY`). Reads only the elements
    /// it prints.
    Show(show::ShowArgs),
    /// Internal: compile one component sent on stdin, under the limits it names, and write the
    /// compiled code to stdout. `run` starts this to compile a plugin in a separate process.
    #[command(name = "__compile", hide = true)]
    Compile,
}

/// How a plugin is compiled before it runs: in a child process of this command, under a size, time
/// and memory limit of its own (compiling happens before any of the plugin's limits apply, and
/// Cranelift's cost grows with what a component holds). A plugin served from the compile cache is
/// not compiled again.
#[derive(Args, Debug)]
struct CompileArgs {
    /// The largest plugin file accepted, checked before it is read. [default: 128MiB; a
    /// componentize-py Python plugin is about 20 MB]
    #[arg(long, value_name = "BYTES", value_parser = sandbox::parse_bytes)]
    max_component_size: Option<u64>,
    /// Stop compiling the plugin after this many seconds. [default: 60; a 20 MB Python plugin
    /// compiles in 6-19 s on a loaded 2-core machine]
    #[arg(long, value_name = "SECONDS", value_parser = sandbox::parse_seconds)]
    compile_timeout: Option<Duration>,
    /// The most memory (resident) compiling the plugin may use; its address space is limited to
    /// four times this. [default: 1GiB; a 20 MB Python plugin peaks near 390 MB, a hostile one of
    /// the same size can take many GB]
    #[arg(long, value_name = "BYTES", value_parser = sandbox::parse_bytes)]
    compile_memory: Option<u64>,
}

impl CompileArgs {
    fn limits(&self) -> Result<CompileLimits> {
        let program = std::env::current_exe().context("cannot find this program to compile the plugin with")?;
        Ok(CompileLimits {
            max_component_bytes: self.max_component_size.unwrap_or(128 << 20),
            child: Some(ChildCompiler {
                program,
                args: vec!["__compile".into()],
                timeout: self.compile_timeout.unwrap_or(Duration::from_secs(60)),
                max_memory_bytes: self.compile_memory.unwrap_or(1 << 30),
            }),
        })
    }
}

fn cache_dir(args: &CacheArgs) -> Option<PathBuf> {
    if args.no_cache {
        return None;
    }
    args.cache_dir.clone().or_else(|| default_cache_dirs().into_iter().next())
}

/// The default compile caches, the first being the one used: `$WASM_MEMMAP_CACHE_DIR`, and the user
/// cache directory's `wasm-memmap`. Both are protected in every run, with a cache or without, since
/// a later run (with or without the variable) uses one of them.
fn default_cache_dirs() -> Vec<PathBuf> {
    let from_env = std::env::var_os("WASM_MEMMAP_CACHE_DIR").filter(|v| !v.is_empty()).map(PathBuf::from);
    from_env.into_iter().chain(dirs::cache_dir().map(|d| d.join("wasm-memmap"))).collect()
}

/// The directories no grant may reach: the default caches and the one `--cache-dir` names.
fn protected_dirs(args: &CacheArgs) -> Vec<PathBuf> {
    args.cache_dir.iter().cloned().chain(default_cache_dirs()).collect()
}

/// `error` with how to fix it in this command's terms, for the errors the library words without
/// flags.
fn with_flag_hint(error: impl Into<anyhow::Error>) -> anyhow::Error {
    let error: anyhow::Error = error.into();
    let hint = if error.downcast_ref::<ProtectedDirGranted>().is_some() {
        "the default compile caches ($WASM_MEMMAP_CACHE_DIR, and the user cache directory's wasm-memmap) and the one --cache-dir names are protected in every run, even with --no-cache: grant a narrower directory, or point XDG_CACHE_HOME and WASM_MEMMAP_CACHE_DIR outside the grant"
    } else {
        match error.downcast_ref::<CompileLimitError>() {
            Some(CompileLimitError::TooLarge { .. }) => "the limit is set with --max-component-size",
            Some(CompileLimitError::TimedOut { .. }) => "the limit is set with --compile-timeout",
            Some(CompileLimitError::OutOfMemory { .. }) => "the limit is set with --compile-memory",
            Some(CompileLimitError::NotRegularFile) | None => return error,
        }
    };
    anyhow::anyhow!("{error:#}; {hint}")
}

fn report_load(plugin: &Plugin, verbose: bool) {
    for warning in &plugin.warnings {
        eprintln!("warning: {warning}");
    }
    if verbose {
        let how = if plugin.from_cache { "loaded from the compile cache" } else { "compiled" };
        eprintln!("wasm-memmap: plugin {how} in {:.2} ms", plugin.load_time.as_secs_f64() * 1e3);
    }
}

/// Whether `run`'s file is a Python script rather than a component: its name ends in `.py`.
fn is_script(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|ext| ext == "py")
}

/// The Python runner, compiled or from the cache. Compiling it takes seconds: say so before, and how
/// long it took after.
fn load_python_runner(runner: &Runner, no_cache: bool) -> Result<Plugin> {
    // A build without the runner fails below, with the command that installs componentize-py.
    if let (false, Ok(component)) = (runner.python_runner_cached(), wasm_memmap_python::RUNNER) {
        let size = f64::from(u32::try_from(component.wasm.len()).unwrap_or(u32::MAX)) / 1e6;
        if no_cache {
            eprintln!("wasm-memmap: compiling the Python runner ({size:.1} MB; with --no-cache, at every run)");
        } else {
            eprintln!("wasm-memmap: compiling the Python runner once ({size:.1} MB); later runs start from the cache");
        }
    }
    let plugin = runner.python_runner().map_err(anyhow::Error::from).context("cannot load the Python runner")?;
    if !plugin.from_cache {
        eprintln!("wasm-memmap: compiled the Python runner in {:.1} s", plugin.load_time.as_secs_f64());
    }
    Ok(plugin)
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    match &cli.command {
        Command::Show(args) => return show::run(args, cache_dir(&cli.cache), protected_dirs(&cli.cache)),
        Command::Compile => return Ok(wasm_memmap_runner::serve_compile()),
        Command::Demo { .. } | Command::Run { .. } => {}
    }
    let sandbox = match &cli.command {
        Command::Demo { sandbox, .. } | Command::Run { sandbox, .. } => sandbox,
        Command::Show(_) | Command::Compile => unreachable!("returned above"),
    };
    let (memmap_limits, instance_limits): (MemmapLimits, InstanceLimits) = sandbox.limits()?;
    // Only `run` loads untrusted components; the demo is bundled, so trusted.
    let compile_limits = match &cli.command {
        Command::Run { compile, .. } => compile.limits()?,
        _ => CompileLimits::default(),
    };
    let windows = matches!(&cli.command, Command::Run { windows: true, .. });
    let options = EngineOptions { fuel: instance_limits.fuel.is_some(), windows };
    let runner = Runner::<()>::with_engine_options(cache_dir(&cli.cache), options)
        .map_err(anyhow::Error::from)
        .context("cannot set up the WebAssembly engine")?
        .protect_dirs(protected_dirs(&cli.cache))
        .compile_limits(compile_limits);
    // Before compiling anything: a refused grant should not cost a compile first.
    let grants = match &cli.command {
        Command::Demo { sandbox, .. } => sandbox.demo_grants(),
        Command::Run { sandbox, .. } => sandbox.grants(),
        Command::Show(_) | Command::Compile => unreachable!("returned above"),
    };
    runner.check_grants(&grants).map_err(with_flag_hint)?;
    runner.check_stores(&sandbox.stores(), &sandbox.regions())?;
    let mut script = None;
    let (plugin, config) = match cli.command {
        Command::Demo { seed, zarr, sandbox } => {
            let plugin = runner
                .load(wasm_memmap_guest_artifacts::DEMO)
                .map_err(anyhow::Error::from)
                .context("cannot compile the demo plugin")?;
            let config = RunConfig {
                args: ["demo".into(), "--seed".into(), seed.to_string()]
                    .into_iter()
                    .chain(zarr.into_iter().flat_map(|location| ["--zarr".into(), location]))
                    .collect(),
                dirs: sandbox.demo_grants(),
                stdout: Output::Inherit,
                stderr: Output::Inherit,
                limits: memmap_limits,
                instance: instance_limits,
                stores: sandbox.stores(),
                regions: sandbox.regions(),
            };
            (plugin, config)
        }
        Command::Show(_) | Command::Compile => unreachable!("returned above"),
        Command::Run { plugin: path, sandbox, args, .. } if is_script(&path) => {
            // Read first: a script that cannot run should not cost a compile.
            let read = Script::read(&path)?;
            let plugin = load_python_runner(&runner, cli.cache.no_cache)?;
            let config = RunConfig {
                args: std::iter::once(read.path().to_owned()).chain(args).collect(),
                dirs: sandbox.grants(),
                stdout: Output::Inherit,
                stderr: Output::Inherit,
                limits: memmap_limits,
                instance: instance_limits,
                stores: sandbox.stores(),
                regions: sandbox.regions(),
            };
            script = Some(read);
            (plugin, config)
        }
        Command::Run { plugin: path, sandbox, args, .. } => {
            let plugin = runner
                .load_file(&path)
                .map_err(with_flag_hint)
                .with_context(|| format!("cannot load plugin {}", path.display()))?;
            let name = path.file_name().map_or_else(|| "plugin".into(), |n| n.to_string_lossy().into_owned());
            let config = RunConfig {
                args: std::iter::once(name).chain(args).collect(),
                dirs: sandbox.grants(),
                stdout: Output::Inherit,
                stderr: Output::Inherit,
                limits: memmap_limits,
                instance: instance_limits,
                stores: sandbox.stores(),
                regions: sandbox.regions(),
            };
            (plugin, config)
        }
    };
    report_load(&plugin, cli.cache.verbose);
    let outcome = match &script {
        Some(script) => runner.run_script(&plugin, script, &config),
        None => runner.run(&plugin, &config),
    }
    .map_err(with_flag_hint)
    .map_err(hints::with_start_hint)?;
    match &outcome.status {
        Status::Stopped(stop) => eprintln!("error: {}", hints::stop_message(stop)),
        Status::Trapped(e) => eprintln!("error: the plugin trapped: {e:?}"),
        // A closed stdout ends the plugin without a word, as `SIGPIPE` ends a Unix tool.
        Status::Exited(_) | Status::StdoutClosed => {}
    }
    let background = outcome.stats.background_flushes();
    if background > 0 {
        eprintln!(
            "warning: {background} of the stopped plugin's mapping(s) were still being written to disk after {} s; the kernel finishes writing them in the background (msync MS_ASYNC)",
            TEARDOWN_FLUSH_GRACE.as_secs()
        );
    }
    // A limit that refused memory without stopping the plugin (Python raises `MemoryError`).
    if let (Some(requested), false) = (outcome.refused_memory, matches!(outcome.status, Status::Stopped(_))) {
        eprintln!(
            "wasm-memmap: the plugin was refused memory: it asked for {requested} bytes, more than its limit of {} bytes; raise it with --max-memory",
            config.instance.max_memory_bytes
        );
    }
    for line in hints::refusal_lines(&outcome.stats, &config.limits) {
        eprintln!("{line}");
    }
    let refused = outcome.stats.wasi_opens_refused();
    if refused > 0 {
        eprintln!(
            "wasm-memmap: {refused} WASI open(s) were refused: the plugin held its limit of {} WASI handles (--max-wasi-handles); it saw `insufficient-memory` (ENOMEM)",
            config.instance.max_wasi_handles
        );
    }
    let failed_flushes = outcome.stats.flush_failures();
    if failed_flushes > 0 {
        eprintln!(
            "error: {failed_flushes} flush(es) of the plugin's mappings failed; its last writes may not be on disk"
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::from(u8::try_from(outcome.exit_code()).unwrap_or(1)))
}
