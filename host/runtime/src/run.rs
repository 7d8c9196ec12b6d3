//! A ready-made embedding that runs WASI-command plugins with the `memmap` interface: what the
//! `wasm-memmap` CLI and the end-to-end tests use, and a starting point for hosts that only need to
//! run plugins.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::cache::CompileCache;
use crate::{FsPerms, MemmapCtx, MemmapLimits, MemmapStats, MemmapView};

/// The most output a captured stream keeps (64 MiB); a plugin that writes more sees a write error.
const CAPTURE_LIMIT: usize = 64 << 20;

/// A directory granted to a plugin: `host` on this machine, seen by the plugin as `guest`, with
/// `perms`. The same grant is given to WASI (for ordinary file I/O) and to `memmap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirGrant {
    /// The directory on the host.
    pub host: PathBuf,
    /// The name the plugin uses for it: `"."` for relative paths, or an absolute name.
    pub guest: String,
    /// Whether the plugin may change files in it.
    pub perms: FsPerms,
}

impl DirGrant {
    /// Parses wasmtime's `HOST[::GUEST]` form (`--dir data::/data`); without `::GUEST` the plugin sees
    /// the directory under the name it was given as (`--dir .` is `"."`).
    pub fn parse(spec: &str, perms: FsPerms) -> Self {
        let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
        Self { host: PathBuf::from(host), guest: guest.to_owned(), perms }
    }
}

/// Where a plugin's stdout or stderr goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// To this process's own stream.
    #[default]
    Inherit,
    /// Kept in memory and returned in [`Outcome`].
    Capture,
    /// Discarded.
    Discard,
}

/// How to run one plugin instance.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    /// `argv`, the program name first.
    pub args: Vec<String>,
    /// Directories the plugin may reach; nothing else is visible.
    pub dirs: Vec<DirGrant>,
    /// Where stdout goes.
    pub stdout: Output,
    /// Where stderr goes.
    pub stderr: Output,
    /// What the plugin may use through `memmap`.
    pub limits: MemmapLimits,
}

/// How a plugin run ended.
#[derive(Debug)]
pub enum Status {
    /// `main` returned or the plugin called `exit`: the exit code (1 when `main` returned an error).
    Exited(i32),
    /// The plugin trapped (a panic, an out-of-bounds access, a host-side trap).
    Trapped(wasmtime::Error),
}

/// What a finished run left behind. By the time it is returned the instance is gone and every
/// mapping it held has been flushed.
#[derive(Debug)]
pub struct Outcome {
    /// How it ended.
    pub status: Status,
    /// Captured stdout ([`Output::Capture`]), else empty.
    pub stdout: Vec<u8>,
    /// Captured stderr ([`Output::Capture`]), else empty.
    pub stderr: Vec<u8>,
    /// What the plugin's mappings did.
    pub stats: Arc<MemmapStats>,
}

impl Outcome {
    /// The exit code a CLI should end with: the plugin's, or 1 after a trap (wasmtime's CLI uses
    /// 128 + SIGABRT on Unix; a plain failure is easier to script).
    pub fn exit_code(&self) -> i32 {
        match self.status {
            Status::Exited(code) => code,
            Status::Trapped(_) => 1,
        }
    }
}

/// A compiled plugin, ready to run any number of times.
#[derive(Clone)]
pub struct Plugin {
    component: Component,
    /// Whether it came from the compile cache instead of being compiled.
    pub from_cache: bool,
    /// How long compiling or loading it took.
    pub load_time: Duration,
}

/// Sends one output stream where `output` says; returns the pipe to read a captured stream from.
fn route(
    wasi: &mut WasiCtxBuilder,
    output: Output,
    inherit: fn(&mut WasiCtxBuilder) -> &mut WasiCtxBuilder,
    capture: fn(&mut WasiCtxBuilder, MemoryOutputPipe),
) -> Option<MemoryOutputPipe> {
    match output {
        Output::Inherit => {
            inherit(wasi);
            None
        }
        Output::Capture => {
            let pipe = MemoryOutputPipe::new(CAPTURE_LIMIT);
            capture(wasi, pipe.clone());
            Some(pipe)
        }
        Output::Discard => None,
    }
}

struct PluginState {
    wasi: WasiCtx,
    memmap: MemmapCtx,
    table: ResourceTable,
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Compiles and runs plugins: one wasmtime `Engine` and `Linker` (WASI p2 + `memmap`), and an
/// optional compile cache.
pub struct Runner {
    engine: Engine,
    linker: Linker<PluginState>,
    cache: Option<CompileCache>,
}

impl Runner {
    /// A runner that caches compiled plugins in `cache_dir` (none: compile every time). The
    /// directory is created (mode 0700) if needed.
    ///
    /// # Errors
    /// When wasmtime cannot build the engine or linker, or the cache directory cannot be created,
    /// belongs to another user or may be written by others (its files are code this process runs).
    pub fn new(cache_dir: Option<PathBuf>) -> wasmtime::Result<Self> {
        let mut config = Config::new();
        // Plugins are synchronous: without the async machinery each host call costs about half.
        config.concurrency_support(false);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        crate::add_to_linker(&mut linker, |s: &mut PluginState| MemmapView::new(&mut s.memmap, &mut s.table))?;
        let cache = cache_dir
            .map(|dir| {
                CompileCache::open(dir.clone())
                    .map_err(|e| wasmtime::format_err!("cannot use {} as the compile cache: {e}", dir.display()))
            })
            .transpose()?;
        Ok(Self { engine, linker, cache })
    }

    /// Compiles a component (or loads it from the cache).
    ///
    /// # Errors
    /// When `wasm` is not a valid component for this engine.
    pub fn load(&self, wasm: &[u8]) -> wasmtime::Result<Plugin> {
        let start = Instant::now();
        let (component, from_cache) = match &self.cache {
            Some(cache) => cache.load(&self.engine, wasm)?,
            None => (Component::new(&self.engine, wasm)?, false),
        };
        Ok(Plugin { component, from_cache, load_time: start.elapsed() })
    }

    /// Reads and compiles the component file at `path`.
    ///
    /// # Errors
    /// When the file cannot be read or is not a valid component.
    pub fn load_file(&self, path: &Path) -> wasmtime::Result<Plugin> {
        let wasm = std::fs::read(path).map_err(|e| wasmtime::format_err!("cannot read {}: {e}", path.display()))?;
        self.load(&wasm)
    }

    /// Runs `plugin`'s `main` in a fresh instance with `config`'s arguments, grants and streams.
    ///
    /// # Errors
    /// When a granted directory cannot be opened or holds the compile cache (a plugin that can
    /// write there could plant machine code for the next run), or the plugin cannot be
    /// instantiated (it imports something this host does not provide). A trap or a non-zero exit is
    /// an [`Outcome`], not an error.
    pub fn run(&self, plugin: &Plugin, config: &RunConfig) -> wasmtime::Result<Outcome> {
        self.check_cache_not_granted(&config.dirs)?;
        let mut wasi = WasiCtxBuilder::new();
        wasi.args(&config.args);
        let mut memmap = MemmapCtx::builder().limits(config.limits);
        for grant in &config.dirs {
            memmap = memmap
                .preopened_dir(&grant.host, &grant.guest, grant.perms)
                .map_err(|e| wasmtime::format_err!("cannot grant directory {}: {e}", grant.host.display()))?;
            wasi.preopened_dir(&grant.host, &grant.guest, grant.perms)?;
        }
        let stdout = route(&mut wasi, config.stdout, WasiCtxBuilder::inherit_stdout, |w, p| {
            w.stdout(p);
        });
        let stderr = route(&mut wasi, config.stderr, WasiCtxBuilder::inherit_stderr, |w, p| {
            w.stderr(p);
        });
        let memmap = memmap.build();
        let stats = memmap.stats();
        let mut store =
            Store::new(&self.engine, PluginState { wasi: wasi.build(), memmap, table: ResourceTable::new() });
        let command = Command::instantiate(&mut store, &plugin.component, &self.linker)?;
        let result = command.wasi_cli_run().call_run(&mut store);
        // Dropping the store drops the resource table, and with it every handle the plugin still
        // held: each flushes its mapping.
        drop(store);
        let status = match result {
            Ok(Ok(())) => Status::Exited(0),
            Ok(Err(())) => Status::Exited(1),
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(exit) => Status::Exited(exit.0),
                None => Status::Trapped(e),
            },
        };
        let contents = |pipe: Option<MemoryOutputPipe>| pipe.map(|p| p.contents().to_vec()).unwrap_or_default();
        Ok(Outcome { status, stdout: contents(stdout), stderr: contents(stderr), stats })
    }

    fn check_cache_not_granted(&self, dirs: &[DirGrant]) -> wasmtime::Result<()> {
        let Some(cache) = &self.cache else { return Ok(()) };
        for grant in dirs {
            let host = grant
                .host
                .canonicalize()
                .map_err(|e| wasmtime::format_err!("cannot grant directory {}: {e}", grant.host.display()))?;
            if cache.dir().starts_with(&host) {
                wasmtime::bail!(
                    "granting {} would let the plugin write the compile cache {}; choose a cache directory outside every grant (--cache-dir) or run without one (--no-cache)",
                    grant.host.display(),
                    cache.dir().display()
                );
            }
        }
        Ok(())
    }
}
