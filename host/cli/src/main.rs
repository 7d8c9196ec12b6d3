//! `wasm-memmap`: runs WebAssembly plugins that map numpy-style arrays, and the seed-session demo.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use wasm_memmap_host::MemmapLimits;
use wasm_memmap_host::run::{InstanceLimits, Output, Plugin, RunConfig, Runner, Status, limit_trap_message};

mod sandbox;
use sandbox::SandboxArgs;

mod show;

/// Run WebAssembly plugins that use numpy-style memory-mapped arrays (the `wasm-memmap:array` WIT
/// interface). A plugin sees only the directories granted with `--dir` and `--ro-dir`, and runs under
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
    /// flush, reopen it, and print each step as IPython did.
    Demo {
        /// Seed of the random numbers: the demo draws what `np.random.default_rng(N)` draws.
        #[arg(long, value_name = "N", default_value_t = 12345)]
        seed: u64,
        /// Grants and limits. The demo writes `mymmap` in the directory seen as `.`: a `--dir HOST`
        /// without `::GUEST` is seen as `.` here, and without any grant the current directory is
        /// granted read-write.
        #[command(flatten)]
        sandbox: SandboxArgs,
    },
    /// Run a plugin component (a `wasm32-wasip2` command) with only the granted directories visible.
    Run {
        /// The component file.
        plugin: PathBuf,
        /// Grants and limits.
        #[command(flatten)]
        sandbox: SandboxArgs,
        /// Arguments for the plugin (after `--`).
        #[arg(last = true, value_name = "ARGS")]
        args: Vec<String>,
    },
    /// Print an array file as numpy's `repr(np.memmap(FILE, dtype, mode='r', offset, shape, order))`
    /// would, under numpy's print options; a `.npy` file needs no dtype or shape. Reads only the
    /// elements it prints.
    Show(show::ShowArgs),
}

fn cache_dir(args: &CacheArgs) -> Option<PathBuf> {
    if args.no_cache {
        return None;
    }
    args.cache_dir
        .clone()
        .or_else(|| std::env::var_os("WASM_MEMMAP_CACHE_DIR").map(PathBuf::from))
        .or_else(|| dirs::cache_dir().map(|d| d.join("wasm-memmap")))
}

fn report_load(plugin: &Plugin, verbose: bool) {
    if verbose {
        let how = if plugin.from_cache { "loaded from the compile cache" } else { "compiled" };
        eprintln!("wasm-memmap: plugin {how} in {:.2} ms", plugin.load_time.as_secs_f64() * 1e3);
    }
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    if let Command::Show(args) = &cli.command {
        return show::run(args);
    }
    let sandbox = match &cli.command {
        Command::Demo { sandbox, .. } | Command::Run { sandbox, .. } => sandbox,
        Command::Show(_) => unreachable!("`show` returned above"),
    };
    let (memmap_limits, instance_limits): (MemmapLimits, InstanceLimits) = sandbox.limits()?;
    let runner = if instance_limits.fuel.is_some() {
        Runner::with_fuel(cache_dir(&cli.cache))
    } else {
        Runner::new(cache_dir(&cli.cache))
    }
    .map_err(anyhow::Error::from)
    .context("cannot set up the WebAssembly engine")?;
    let (plugin, config) = match cli.command {
        Command::Demo { seed, sandbox } => {
            let plugin = runner
                .load(wasm_memmap_guest_artifacts::DEMO)
                .map_err(anyhow::Error::from)
                .context("cannot compile the demo plugin")?;
            let config = RunConfig {
                args: vec!["demo".into(), "--seed".into(), seed.to_string()],
                dirs: sandbox.demo_grants(),
                stdout: Output::Inherit,
                stderr: Output::Inherit,
                limits: memmap_limits,
                instance: instance_limits,
            };
            (plugin, config)
        }
        Command::Show(_) => unreachable!("`show` returned above"),
        Command::Run { plugin: path, sandbox, args } => {
            let plugin = runner
                .load_file(&path)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("cannot load plugin {}", path.display()))?;
            let name = path.file_name().map_or_else(|| "plugin".into(), |n| n.to_string_lossy().into_owned());
            let config = RunConfig {
                args: std::iter::once(name).chain(args).collect(),
                dirs: sandbox.grants(),
                stdout: Output::Inherit,
                stderr: Output::Inherit,
                limits: memmap_limits,
                instance: instance_limits,
            };
            (plugin, config)
        }
    };
    report_load(&plugin, cli.cache.verbose);
    let outcome = runner.run(&plugin, &config)?;
    if let Status::Trapped(e) = &outcome.status {
        match limit_trap_message(e, &config.instance) {
            Some(message) => eprintln!("error: {message}"),
            None => eprintln!("error: the plugin trapped: {e:?}"),
        }
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
