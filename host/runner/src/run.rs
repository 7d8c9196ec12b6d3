//! A ready-made embedding that runs WASI-command plugins with the `memmap` interface: what the
//! `wasm-memmap` CLI and the end-to-end tests use, and a starting point for hosts that only need to
//! run plugins.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasm_memmap_host::{
    ErrorHook, FsPerms, HasInstanceLimits, InstanceLimiter, InstanceLimits, Limit, MemmapCtx, MemmapLimits,
    MemmapStats, Stop, WasmMemmap,
};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, Trap};
use wasmtime_wasi::p2::bindings::Command;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::cache::{CompileCache, ReadError};
use crate::script::Script;
use crate::stdout::{ClosableStdout, StdoutClosed};
use crate::stores::{StoreGrant, WriteRegion};

mod compile;
mod protect;
mod regioned;

pub use compile::{ChildCompiler, CompileLimitError, CompileLimits, serve_compile};
pub use protect::ProtectedDirGranted;

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
    /// What the plugin's instance may use of memory and time.
    pub instance: InstanceLimits,
    /// Object-store prefixes the plugin may open Zarr arrays beneath (`--store`, `--ro-store`).
    pub stores: Vec<StoreGrant>,
    /// Zarr arrays the plugin may write only inside a region (`--region`).
    pub regions: Vec<WriteRegion>,
}

/// How long the teardown of a plugin stopped by its time or fuel limit waits for the disk: the
/// mappings it leaves are synced (`msync(MS_SYNC)`, slice by slice) for up to this long, and what
/// is left is handed to the kernel's own write-back (`MS_ASYNC`), counted in
/// [`MemmapStats::background_flushes`]. A plugin run with a timeout that ends any other way (exit,
/// trap) gets until the later of its deadline and this; one without a timeout is flushed whole
/// with `MS_SYNC`, however long that takes.
pub const TEARDOWN_FLUSH_GRACE: Duration = Duration::from_secs(2);

/// How a plugin run ended.
#[derive(Debug)]
pub enum Status {
    /// `main` returned or the plugin called `exit`: the exit code (1 when `main` returned an error).
    Exited(i32),
    /// A limit of [`InstanceLimits`] stopped the plugin: which one, and its value.
    Stopped(Stop),
    /// The plugin wrote to its standard output after the reader of this process's standard output
    /// went away (`plugin | head`): it was stopped, as a Unix tool is by `SIGPIPE`. Only for
    /// [`Output::Inherit`].
    StdoutClosed,
    /// The plugin trapped (a panic, an out-of-bounds access, a host-side trap).
    Trapped(wasmtime::Error),
}

impl Status {
    /// What stopped the plugin, when it was a limit.
    pub fn stop(&self) -> Option<Stop> {
        match self {
            Self::Stopped(stop) => Some(*stop),
            _ => None,
        }
    }
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
    /// The size in bytes of the first memory growth [`InstanceLimits::max_memory_bytes`] refused,
    /// whether or not that stopped the plugin: a Rust plugin aborts ([`Status::Stopped`] with
    /// [`Stop::Memory`]), a Python script gets a `MemoryError` it may catch or let end it with
    /// exit code 1. `None` when no growth was refused.
    pub refused_memory: Option<u64>,
}

impl Outcome {
    /// The exit code a CLI should end with: the plugin's; 1 after a trap or a limit (wasmtime's CLI
    /// uses 128 + SIGABRT on Unix; a plain failure is easier to script); 141 (128 + `SIGPIPE`, what
    /// a shell reports for a Unix tool whose reader went away) after [`Status::StdoutClosed`].
    pub fn exit_code(&self) -> i32 {
        match self.status {
            Status::Exited(code) => code,
            Status::Stopped(_) | Status::Trapped(_) => 1,
            Status::StdoutClosed => STDOUT_CLOSED_EXIT,
        }
    }

    /// The [`MemmapLimits`] the plugin was refused by at least once, in [`Limit::ALL`]'s order:
    /// `memmap` calls that returned it an error ([`Limit`]) rather than stopping it, as counted by
    /// [`MemmapStats::limit_refusals`]. The plugin may have handled the error, or failed because
    /// of it: a command line names the option that raises each.
    pub fn refused_limits(&self) -> Vec<Limit> {
        Limit::ALL.into_iter().filter(|&limit| self.stats.limit_refusals(limit) > 0).collect()
    }

    /// The captured stdout as text (invalid UTF-8 replaced by `U+FFFD`).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The captured stderr as text (invalid UTF-8 replaced by `U+FFFD`).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// The trap, when the plugin trapped of its own accord ([`Status::Trapped`]).
    pub fn trap(&self) -> Option<&wasmtime::Error> {
        match &self.status {
            Status::Trapped(e) => Some(e),
            _ => None,
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
    /// What the user should know about how it was loaded: a compile-cache entry that was refused
    /// (it failed its authentication, so someone else wrote it) and replaced. Also logged with
    /// `tracing`; a CLI prints these.
    pub warnings: Vec<String>,
}

/// Linux's number for `SIGPIPE`.
const SIGPIPE: i32 = 13;

/// The exit status of a program whose stdout reader went away (128 + `SIGPIPE`, as a shell reports
/// for `cat file | head`): [`Outcome::exit_code`] after [`Status::StdoutClosed`], and what the
/// `wasm-memmap` command's own printing ends with in the same case.
pub const STDOUT_CLOSED_EXIT: i32 = 128 + SIGPIPE;

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

/// The data of a run's `Store`: WASI's and `memmap`'s state, the instance's limiter, and the
/// embedder's own `D` (see [`Runner::with_linker`]), which its host functions reach with
/// [`RunState::data_mut`].
pub struct RunState<D = ()> {
    wasi: WasiCtx,
    memmap: MemmapCtx,
    table: ResourceTable,
    limiter: InstanceLimiter,
    /// The script handed to the Python runner ([`Runner::run_script`]); none for other runs.
    pub(crate) script: Option<Arc<Script>>,
    data: D,
}

impl<D> RunState<D> {
    /// The embedder's data given to [`Runner::run_with`].
    pub fn data(&self) -> &D {
        &self.data
    }

    /// The same, to be changed.
    pub fn data_mut(&mut self) -> &mut D {
        &mut self.data
    }

    /// What the plugin's mappings did so far.
    pub fn memmap_stats(&self) -> Arc<MemmapStats> {
        self.memmap.stats()
    }
}

impl<D: Send> WasiView for RunState<D> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl<D> HasInstanceLimits for RunState<D> {
    fn instance_limiter(&self) -> &InstanceLimiter {
        &self.limiter
    }

    fn instance_limiter_mut(&mut self) -> &mut InstanceLimiter {
        &mut self.limiter
    }

    fn memmap_ctx_mut(&mut self) -> &mut MemmapCtx {
        &mut self.memmap
    }
}

/// Compiles and runs plugins: one wasmtime `Engine` and `Linker` (WASI p2 + `memmap`, and whatever
/// the embedder adds with [`Runner::with_linker`]), and an optional compile cache. `D` is the
/// embedder's own data in each run's store (none by default).
///
/// Each run is driven by a tokio current-thread runtime of its own, on the calling thread:
/// WASI's blocking calls (`poll`, a sleep, a file read) are futures there, so a time limit stops a
/// plugin that waits as surely as one that computes. [`Runner::run`] blocks; do not call it from
/// inside an async runtime's task (use `spawn_blocking`).
pub struct Runner<D: 'static = ()> {
    engine: Engine,
    linker: Linker<RunState<D>>,
    cache: Option<CompileCache>,
    options: EngineOptions,
    /// Directories no grant may contain or lie inside (besides the cache's own).
    protected: Vec<PathBuf>,
    /// How untrusted components are loaded.
    compile: CompileLimits,
    /// [`Runner::on_error`]'s hooks, given to every run's `memmap` context.
    error_hooks: Vec<ErrorHook>,
    /// The Python runner component, once compiled or loaded ([`Runner::python_runner`]).
    python: Mutex<Option<Plugin>>,
}

impl Runner {
    /// A runner that caches compiled plugins in `cache_dir` (none: compile every time). The
    /// directory is created (mode 0700) if needed.
    ///
    /// # Errors
    /// When wasmtime cannot build the engine or linker, or the cache directory cannot be created,
    /// belongs to another user or may be written by others (its files are code this process runs).
    pub fn new(cache_dir: Option<PathBuf>) -> wasmtime::Result<Self> {
        Self::build(cache_dir, EngineOptions::default())
    }

    /// Like [`Runner::new`], and also meters fuel so that [`InstanceLimits::fuel`] can be used.
    /// Metering makes the compiled code slower; the compile cache keeps the two kinds apart (its
    /// key includes the engine's compile settings).
    ///
    /// # Errors
    /// As [`Runner::new`].
    pub fn with_fuel(cache_dir: Option<PathBuf>) -> wasmtime::Result<Self> {
        Self::build(cache_dir, EngineOptions { fuel: true, ..EngineOptions::default() })
    }

    /// Like [`Runner::new`], and also lets its plugins open zero-copy windows onto their maps (the
    /// WIT's `window` interface; see [`wasm_memmap_host::windows`]): every run's linear memory is
    /// made by the host, and a plugin with one memory may map file pages into it. Off in the other
    /// constructors, which keep wasmtime's own memories (and copy-on-write data segments).
    ///
    /// # Errors
    /// As [`Runner::new`].
    ///
    /// # Examples
    /// ```
    /// let runner = wasm_memmap_runner::Runner::with_windows(None)?;
    /// assert!(runner.engine_options().windows);
    /// # Ok::<(), wasmtime::Error>(())
    /// ```
    pub fn with_windows(cache_dir: Option<PathBuf>) -> wasmtime::Result<Self> {
        Self::build(cache_dir, EngineOptions { windows: true, ..EngineOptions::default() })
    }
}

/// What a [`Runner`]'s engine supports beyond plain runs; each option changes the compiled code
/// (the compile cache keeps the kinds apart), and both are off by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineOptions {
    /// Meter fuel, so that [`InstanceLimits::fuel`] can be used (see [`Runner::with_fuel`]).
    pub fuel: bool,
    /// Zero-copy windows (see [`Runner::with_windows`]).
    pub windows: bool,
}

impl<D: Send + 'static> Runner<D> {
    /// A runner whose runs carry the embedder's data `D` in their store (given to
    /// [`Runner::run_with`]), for the host functions added with [`Runner::with_linker`]; it meters
    /// fuel when `fuel` is set (see [`Runner::with_fuel`]). Otherwise as [`Runner::new`].
    ///
    /// # Errors
    /// As [`Runner::new`].
    pub fn with_store_data(cache_dir: Option<PathBuf>, fuel: bool) -> wasmtime::Result<Self> {
        Self::build(cache_dir, EngineOptions { fuel, ..EngineOptions::default() })
    }

    /// A runner with the embedder's data `D` (as [`Runner::with_store_data`]) whose engine has
    /// `options`: fuel metering, zero-copy windows.
    ///
    /// # Errors
    /// As [`Runner::new`].
    pub fn with_engine_options(cache_dir: Option<PathBuf>, options: EngineOptions) -> wasmtime::Result<Self> {
        Self::build(cache_dir, options)
    }

    fn build(cache_dir: Option<PathBuf>, options: EngineOptions) -> wasmtime::Result<Self> {
        let engine = Engine::new(&engine_config(options))?;
        let mut linker = Linker::new(&engine);
        // WASI's async bindings: its blocking calls await a future instead of blocking the
        // thread, so a time limit can stop them (see `Runner::run`). The `memmap` functions stay
        // synchronous host functions; they bound their own work (`MemmapCtx::set_deadline`).
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasm_memmap_host::add_to_linker(&mut linker, |s: &mut RunState<D>| {
            WasmMemmap::new(&mut s.memmap, &mut s.table)
        })?;
        wasm_memmap_host::add_wasi_handle_limit(&mut linker)?;
        crate::script::add_to_linker(&mut linker)?;
        let cache = cache_dir
            .map(|dir| {
                CompileCache::open(dir.clone())
                    .map_err(|e| wasmtime::format_err!("cannot use {} as the compile cache: {e}", dir.display()))
            })
            .transpose()?;
        Ok(Self {
            engine,
            linker,
            cache,
            options,
            protected: Vec::new(),
            compile: CompileLimits::default(),
            error_hooks: Vec::new(),
            python: Mutex::new(None),
        })
    }

    /// Lets the embedder add its own host functions to the linker every run uses, beside WASI and
    /// `memmap` (which are already in it): `setup` gets the linker, whose store data is a
    /// [`RunState`] holding the embedder's `D` ([`RunState::data_mut`]). Functions are called on the
    /// plugin's thread, between its instructions; a synchronous `func_wrap` is fine.
    ///
    /// # Errors
    /// What `setup` returns (a name defined twice, say).
    ///
    /// # Examples
    /// A host function `example:counter/count.bump` that counts its calls in the run's own data:
    /// ```
    /// use wasm_memmap_runner::{RunState, Runner};
    ///
    /// let runner = Runner::<u32>::with_store_data(None, false)?.with_linker(|linker| {
    ///     linker.instance("example:counter/count")?.func_wrap(
    ///         "bump",
    ///         |mut store: wasmtime::StoreContextMut<'_, RunState<u32>>, (): ()| {
    ///             *store.data_mut().data_mut() += 1;
    ///             Ok((*store.data().data(),))
    ///         },
    ///     )?;
    ///     Ok(())
    /// })?;
    /// # let _ = runner;
    /// # Ok::<(), wasmtime::Error>(())
    /// ```
    pub fn with_linker(
        mut self,
        setup: impl FnOnce(&mut Linker<RunState<D>>) -> wasmtime::Result<()>,
    ) -> wasmtime::Result<Self> {
        setup(&mut self.linker)?;
        Ok(self)
    }

    /// Calls `hook` with every error a `memmap` call of any run returns to its plugin, before the
    /// plugin sees it (see [`MemmapCtxBuilder::on_error`](wasm_memmap_host::MemmapCtxBuilder::on_error)):
    /// to log or count refusals, or to add a hint in the embedder's own terms
    /// ([`Error::add_hint`](wasm_memmap_host::Error::add_hint)), such as the option that raises a
    /// limit. [`Outcome::refused_limits`] lists the limits refused in a run without a hook (from its
    /// [`MemmapStats`], which count every refusal).
    #[must_use]
    pub fn on_error(mut self, hook: impl Fn(&mut wasm_memmap_host::Error) + Send + Sync + 'static) -> Self {
        self.error_hooks.push(Arc::new(hook));
        self
    }

    /// What this runner's engine supports (fuel, windows).
    pub fn engine_options(&self) -> EngineOptions {
        self.options
    }

    /// The engine every plugin of this runner is compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Also refuses, in every run, a grant that contains or lies inside any of `dirs` (whether or
    /// not they exist yet), as it always does for its own compile cache. An embedder passes every
    /// compile cache its users may use, including the default one when this runner has none: a
    /// plugin that could write one could plant machine code for a later run.
    #[must_use]
    pub fn protect_dirs(mut self, dirs: impl IntoIterator<Item = PathBuf>) -> Self {
        self.protected.extend(dirs);
        self
    }

    /// Sets how [`Runner::load_untrusted`] and [`Runner::load_file`] load a component: its size
    /// cap, and whether it is compiled in a child process under a time and memory limit.
    #[must_use]
    pub fn compile_limits(mut self, limits: CompileLimits) -> Self {
        self.compile = limits;
        self
    }

    /// Compiles a trusted component (one the embedder built or ships) in this process, or loads it
    /// from the cache. Compiling is unbounded in time and memory: for components from elsewhere
    /// use [`Runner::load_untrusted`].
    ///
    /// # Errors
    /// When `wasm` is not a valid component for this engine.
    pub fn load(&self, wasm: &[u8]) -> wasmtime::Result<Plugin> {
        self.load_with(wasm, None, false)
    }

    /// Loads a component from an untrusted source under [`Runner::compile_limits`]: refused when
    /// larger than the size cap, and compiled in the child process (if one is set) under its time
    /// and memory limits. A cached compilation of the same bytes is used as is.
    ///
    /// # Errors
    /// When `wasm` is not a valid component, or breaks a limit ([`CompileLimitError`]).
    pub fn load_untrusted(&self, wasm: &[u8]) -> wasmtime::Result<Plugin> {
        let size = u64::try_from(wasm.len()).unwrap_or(u64::MAX);
        if size > self.compile.max_component_bytes {
            return Err(CompileLimitError::TooLarge { size, limit: self.compile.max_component_bytes }.into());
        }
        self.load_with(wasm, None, true)
    }

    /// Reads the component file at `path` and loads it as untrusted ([`Runner::load_untrusted`]).
    /// The file is opened without blocking and must be a regular file no larger than the size
    /// cap, checked before it is read: a FIFO or a huge file is refused at once.
    ///
    /// # Errors
    /// When the file cannot be read, is not a regular file or too large ([`CompileLimitError`]),
    /// or is not a valid component.
    pub fn load_file(&self, path: &Path) -> wasmtime::Result<Plugin> {
        let wasm = match crate::cache::read_capped(path, self.compile.max_component_bytes) {
            Ok(wasm) => wasm,
            Err(ReadError::Io(e)) => wasmtime::bail!("cannot read {}: {e}", path.display()),
            Err(ReadError::NotRegular) => return Err(CompileLimitError::NotRegularFile.into()),
            Err(ReadError::TooLarge(size, limit)) => return Err(CompileLimitError::TooLarge { size, limit }.into()),
        };
        self.load_untrusted(&wasm)
    }

    /// Loads `wasm` from the cache or compiles it; `digest` is its BLAKE3 digest when known (then
    /// finding its cache entry reads none of it).
    fn load_with(&self, wasm: &[u8], digest: Option<&[u8; 32]>, untrusted: bool) -> wasmtime::Result<Plugin> {
        let start = Instant::now();
        let mut warnings = Vec::new();
        let entry = self.cache.as_ref().map(|cache| {
            let entry = match digest {
                Some(digest) => cache.entry_for_digest(&self.engine, digest, wasm.len()),
                None => cache.entry(&self.engine, wasm),
            };
            (cache, entry)
        });
        if let Some((cache, entry)) = &entry {
            match cache.get(&self.engine, entry) {
                Ok(Some(component)) => {
                    return Ok(Plugin { component, from_cache: true, load_time: start.elapsed(), warnings });
                }
                Ok(None) => {}
                Err(refused) => {
                    let warning = format!("{}; compiling the plugin again and replacing the entry", refused.0);
                    tracing::warn!("{warning}");
                    warnings.push(warning);
                }
            }
        }
        let (component, serialized) = match (&self.compile.child, untrusted) {
            (Some(child), true) => {
                let serialized = compile::compile_in_child(child, self.options, wasm)?;
                (crate::precompiled::load_precompiled(&self.engine, &serialized)?, Some(serialized))
            }
            _ => (Component::new(&self.engine, wasm)?, None),
        };
        if let Some((cache, entry)) = &entry {
            let serialized = match serialized {
                Some(bytes) => Ok(bytes),
                None => component.serialize(),
            };
            match serialized {
                Ok(bytes) => {
                    if let Err(e) = cache.put(entry, &bytes) {
                        tracing::warn!(dir = %cache.dir().display(), error = %e, "cannot write the compile cache");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot serialize a compiled component"),
            }
        }
        Ok(Plugin { component, from_cache: false, load_time: start.elapsed(), warnings })
    }

    /// Runs `plugin`'s `main` in a fresh instance with `config`'s arguments, grants and streams,
    /// and `D::default()` as the embedder's data (see [`Runner::run_with`]).
    ///
    /// # Errors
    /// When a granted directory cannot be opened, or contains or lies inside the compile cache or
    /// a directory of [`Runner::protect_dirs`] ([`ProtectedDirGranted`]: a plugin that can write
    /// there could plant machine code for the next run), or the plugin cannot be
    /// instantiated (it imports something this host does not provide), or a fuel limit is asked of
    /// a runner made without [`Runner::with_fuel`]. A trap, a limit that stops the plugin
    /// ([`Status::Stopped`]) or a non-zero exit is an [`Outcome`], not an error.
    ///
    /// # Time and fuel
    /// [`InstanceLimits::timeout`] stops the plugin wherever it is when the time is up: in its own
    /// code (an epoch check, every [`EPOCH_TICK`](wasm_memmap_host::EPOCH_TICK)), waiting in a WASI call (the call's future is
    /// dropped), or in a long `memmap` call (the host looks at the deadline between blocks). Each
    /// ends as [`Status::Stopped`] with [`Stop::Time`]. [`InstanceLimits::fuel`] meters the
    /// plugin's instructions and, at [`HOST_BYTES_PER_FUEL`](wasm_memmap_host::HOST_BYTES_PER_FUEL)
    /// bytes per unit, the host's work in its `memmap` calls ([`Stop::Fuel`]). Fuel does not bound
    /// waiting (a sleep burns none): give a timeout too. The mappings of a plugin stopped by either
    /// limit are flushed within [`TEARDOWN_FLUSH_GRACE`].
    pub fn run(&self, plugin: &Plugin, config: &RunConfig) -> wasmtime::Result<Outcome>
    where
        D: Default,
    {
        self.run_with(plugin, config, D::default()).map(|(outcome, _)| outcome)
    }

    /// As [`Runner::run`], with `data` as the embedder's data in the run's store (what its host
    /// functions see, [`RunState::data_mut`]); returns it after the run beside the outcome.
    ///
    /// # Errors
    /// As [`Runner::run`].
    pub fn run_with(&self, plugin: &Plugin, config: &RunConfig, data: D) -> wasmtime::Result<(Outcome, D)> {
        self.run_inner(plugin, config, data, None)
    }

    /// Whether the compile cache holds the compiled Python runner (a cheap look, by the digest taken
    /// when this program was built): when it does not, [`Runner::python_runner`] compiles it, which
    /// takes seconds and a few hundred MB of memory, and a CLI says so first. Always `false` for a
    /// runner without a cache, and when this build has no Python runner.
    pub fn python_runner_cached(&self) -> bool {
        let (Some(cache), Ok(component)) = (&self.cache, crate::script::runner_component()) else {
            return false;
        };
        CompileCache::has(&cache.entry_for_digest(&self.engine, &component.blake3, component.wasm.len()))
    }

    /// The prebuilt Python runner component that runs scripts ([`Runner::run_script`]), compiled
    /// once per runner: from the compile cache when it is there (found by the digest taken at build
    /// time, so its ~20 MB are not hashed), else compiled in this process (it is trusted: this
    /// program built it) and stored in the cache. Later calls return the same plugin.
    ///
    /// # Errors
    /// [`PythonRunnerMissing`](crate::PythonRunnerMissing) when this program was built without componentize-py; or when the
    /// component cannot be compiled.
    pub fn python_runner(&self) -> wasmtime::Result<Plugin> {
        let mut python = self.python.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(plugin) = python.as_ref() {
            return Ok(plugin.clone());
        }
        let component = crate::script::runner_component()?;
        let plugin = self.load_with(component.wasm, Some(&component.blake3), false)?;
        *python = Some(plugin.clone());
        Ok(plugin)
    }

    /// Runs `script` in the Python runner `python` (from [`Runner::python_runner`]) with `config`'s
    /// grants, limits and streams, as [`Runner::run`] runs a component, with `D::default()` as the
    /// embedder's data. `config.args` is `argv` as for a component: the script sees
    /// `sys.argv == [script.path(), *config.args[1..]]`. The script's file needs no grant (the host
    /// read it). An uncaught exception prints its traceback (naming the script's lines) on stderr and
    /// exits 1; `sys.exit(n)` exits `n` (`n & 0xff`, as a POSIX process).
    ///
    /// # Errors
    /// As [`Runner::run`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_runner::{Output, RunConfig, Runner, Script, Status};
    ///
    /// let runner = Runner::new(None)?;
    /// let python = runner.python_runner()?;
    /// let script = Script::new("hello.py", "import sys\nprint('hello', sys.argv[1:])\n");
    /// let config = RunConfig { args: vec!["hello.py".into(), "x".into()], stdout: Output::Capture, ..RunConfig::default() };
    /// let outcome = runner.run_script(&python, &script, &config)?;
    /// assert!(matches!(outcome.status, Status::Exited(0)));
    /// assert_eq!(outcome.stdout_text(), "hello ['x']\n");
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn run_script(&self, python: &Plugin, script: &Script, config: &RunConfig) -> wasmtime::Result<Outcome>
    where
        D: Default,
    {
        self.run_script_with(python, script, config, D::default()).map(|(outcome, _)| outcome)
    }

    /// As [`Runner::run_script`], with `data` as the embedder's data (see [`Runner::run_with`]).
    ///
    /// # Errors
    /// As [`Runner::run`].
    pub fn run_script_with(
        &self,
        python: &Plugin,
        script: &Script,
        config: &RunConfig,
        data: D,
    ) -> wasmtime::Result<(Outcome, D)> {
        self.run_inner(python, config, data, Some(Arc::new(script.clone())))
    }

    fn run_inner(
        &self,
        plugin: &Plugin,
        config: &RunConfig,
        data: D,
        script: Option<Arc<Script>>,
    ) -> wasmtime::Result<(Outcome, D)> {
        // Each grant is opened once; that directory is checked and handed to memmap and to WASI.
        let opened = self.open_grants(&config.dirs)?;
        if config.instance.fuel.is_some() && !self.options.fuel {
            wasmtime::bail!("a fuel limit needs a runner that meters fuel (Runner::with_fuel)");
        }
        let mut wasi = WasiCtxBuilder::new();
        wasi.args(&config.args);
        let mut memmap = MemmapCtx::builder().limits(config.limits);
        if self.options.windows {
            memmap = memmap.windows(&plugin.component);
        }
        for hook in &self.error_hooks {
            let hook = Arc::clone(hook);
            memmap = memmap.on_error(move |error| hook(error));
        }
        // A grant beneath which a write region lies is read-only to WASI (see `regioned.rs`).
        let wasi_perms = regioned::wasi_perms(&config.dirs, &opened, &config.regions).map_err(|e| {
            wasmtime::format_err!("cannot check the write regions against the granted directories: {e}")
        })?;
        for ((grant, dir), wasi_perms) in config.dirs.iter().zip(opened).zip(wasi_perms) {
            // The whole lineage was checked when the grant was opened; `/proc/self/fd/N` must still
            // reopen its first link before WASI is given that name (see `protect.rs`).
            let granted = dir.verify_proc_path().and_then(|()| {
                wasi.preopened_dir(dir.proc_path(), &grant.guest, wasi_perms).map_err(std::io::Error::other)?;
                Ok(memmap.preopened(dir.into_dir(), &grant.guest, grant.perms))
            });
            memmap =
                granted.map_err(|e| wasmtime::format_err!("cannot grant directory {}: {e}", grant.host.display()))?;
        }
        memmap = with_stores(memmap, &config.stores, &config.regions)?;
        // An inherited stdout ends the plugin quietly when its reader goes away (see `stdout.rs`).
        let stdout = route(
            &mut wasi,
            config.stdout,
            |w| w.stdout(ClosableStdout::stdout()),
            |w, p| {
                w.stdout(p);
            },
        );
        let stderr = route(&mut wasi, config.stderr, WasiCtxBuilder::inherit_stderr, |w, p| {
            w.stderr(p);
        });
        let memmap = memmap.build();
        let stats = memmap.stats();
        let limiter = config.instance.limiter(&memmap);
        // The table holds memmap handles and WASI's: room for both limits, so that neither can fill
        // it for the other (past it, a push fails; see `wasi_handles`).
        let mut table = ResourceTable::new();
        let capacity = config.limits.max_handles.saturating_add(config.instance.max_wasi_handles);
        table.set_max_capacity(usize::try_from(capacity).unwrap_or(usize::MAX));
        let mut store = Store::new(&self.engine, RunState { wasi: wasi.build(), memmap, table, limiter, script, data });
        store.set_hostcall_fuel(config.limits.hostcall_fuel());
        // At every tick the plugin's code yields to the runtime (so a WASI call's timer and the
        // run's own timeout get their turn) until the deadline, then traps where it is.
        let deadline = config.instance.apply_async(&mut store)?;
        // The current-thread runtime below drives this one store to the end on this thread, so a
        // suspended lowering resumes where its per-thread SIGBUS guard is: `read-bytes` may lend.
        store.data_mut().memmap.lend_across_yields();
        // One runtime per run, on this thread: nothing a plugin leaves behind (a timer, a blocking
        // read still running on the blocking pool) can hold up the next run.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| wasmtime::format_err!("cannot start the runtime that drives the plugin: {e}"))?;
        let instantiated =
            runtime.block_on(until(deadline, Command::instantiate_async(&mut store, &plugin.component, &self.linker)));
        let result = match instantiated {
            Ok(command) => runtime.block_on(until(deadline, command.wasi_cli_run().call_run(&mut store))),
            Err(e) => {
                Self::tear_down(runtime, store, false, deadline);
                return Err(e);
            }
        };
        let status = match result {
            Ok(Ok(())) => Status::Exited(0),
            Ok(Err(())) => Status::Exited(1),
            Err(e) => status_of(e, &config.instance, &store.data().limiter),
        };
        let refused_memory = store.data().limiter.refused_growth();
        let limited = matches!(&status, Status::Stopped(Stop::Time { .. } | Stop::Fuel { .. }));
        let data = Self::tear_down(runtime, store, limited, deadline);
        let contents = |pipe: Option<MemoryOutputPipe>| pipe.map(|p| p.contents().to_vec()).unwrap_or_default();
        Ok((Outcome { status, stdout: contents(stdout), stderr: contents(stderr), stats, refused_memory }, data))
    }

    /// Ends a plugin's instance: flushes its mappings and drops its store and runtime.
    ///
    /// A run with a deadline (`deadline`, from [`InstanceLimits::timeout`]) gets a bounded
    /// teardown however it ended: its mappings are synced until the later of its deadline and
    /// [`TEARDOWN_FLUSH_GRACE`] from now (from now only, when it was `limited`: stopped by its
    /// time or fuel limit), then left to the kernel's write-back. Everything after (the drops of
    /// its handles and mappings) is bounded by the same instant. A run without a deadline is
    /// flushed in full.
    fn tear_down(
        runtime: tokio::runtime::Runtime,
        mut store: Store<RunState<D>>,
        limited: bool,
        deadline: Option<Instant>,
    ) -> D {
        let grace = Instant::now() + TEARDOWN_FLUSH_GRACE;
        let until = if limited { Some(grace) } else { deadline.map(|deadline| deadline.max(grace)) };
        if let Some(until) = until {
            // Its last writes get a bounded wait for the disk, then the kernel's write-back. A
            // failure is counted in the stats and logged.
            let _ = store.data_mut().memmap.flush_all_until(until);
        }
        // Dropping the store drops the resource table, and with it every handle the plugin still
        // held: each flushes its mapping (in full, unless flushed above). WASI's resources may
        // hold tokio handles, so they go inside the runtime's context. The embedder's data is kept.
        let data = {
            let _context = runtime.enter();
            let RunState { wasi, memmap, table, limiter, script, data } = store.into_data();
            drop((wasi, memmap, table, limiter, script));
            data
        };
        // Without waiting for the blocking pool: a WASI read the plugin was stopped in (from a
        // pipe, say) may never return, and must not hold up the runner. Its thread ends when the
        // read does.
        runtime.shutdown_background();
        data
    }

    /// Checks `stores` and `regions` as a run would (a URL the host cannot use, a store it cannot
    /// configure from the environment, a reversed range), so that an embedder can refuse a run
    /// before compiling the plugin. [`Runner::run`] checks them itself.
    ///
    /// # Errors
    /// The first store or region refused, naming it.
    pub fn check_stores(&self, stores: &[StoreGrant], regions: &[WriteRegion]) -> wasmtime::Result<()> {
        with_stores(MemmapCtx::builder(), stores, regions).map(drop)
    }

    /// Checks that none of `dirs` contains or lies inside the compile cache or a directory of
    /// [`Runner::protect_dirs`], or holds a symbolic link on the path of one (which the plugin could
    /// point at a directory of its own). Each directory is opened and the opened directory checked,
    /// by (device, inode) up to the root. [`Runner::run`] checks this itself, on the directories it
    /// then hands to the plugin; an embedder may call it first to refuse a run before compiling the
    /// plugin.
    ///
    /// # Errors
    /// [`ProtectedDirGranted`] for the first grant that reaches a protected directory; or when a
    /// grant cannot be resolved (it does not exist).
    pub fn check_grants(&self, dirs: &[DirGrant]) -> wasmtime::Result<()> {
        self.open_grants(dirs).map(drop)
    }

    /// Opens each of `dirs` once and checks the opened directory (not its name, which someone may
    /// swap meanwhile) against the protected directories; see [`Runner::check_grants`].
    fn open_grants(&self, dirs: &[DirGrant]) -> wasmtime::Result<Vec<protect::Opened>> {
        let cache = self.cache.as_ref().map(|c| c.dir().to_path_buf());
        let cannot = |grant: &DirGrant, e: std::io::Error| {
            wasmtime::format_err!("cannot grant directory {}: {e}", grant.host.display())
        };
        let mut opened = Vec::with_capacity(dirs.len());
        for grant in dirs {
            let dir = protect::Opened::open(&grant.host).map_err(|e| cannot(grant, e))?;
            for protected in cache.iter().chain(&self.protected) {
                let link = match dir.reaches(protected).map_err(|e| cannot(grant, e))? {
                    protect::Reach::No => continue,
                    protect::Reach::Directly => None,
                    protect::Reach::Link(link) => Some(link),
                };
                return Err(
                    ProtectedDirGranted { grant: grant.host.clone(), protected: protected.clone(), link }.into()
                );
            }
            opened.push(dir);
        }
        Ok(opened)
    }
}

/// How a run that ended with `error` ended: an exit (`exit(n)` unwinds as an error), a limit of
/// `limits` (`limiter` knows whether the memory cap refused a growth), a closed stdout, or a trap of
/// the plugin's own.
fn status_of(error: wasmtime::Error, limits: &InstanceLimits, limiter: &InstanceLimiter) -> Status {
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Status::Exited(exit.0);
    }
    if error.downcast_ref::<StdoutClosed>().is_some() {
        return Status::StdoutClosed;
    }
    match limits.stop(&error, limiter) {
        Some(stop) => Status::Stopped(stop),
        None => Status::Trapped(error),
    }
}

/// Runs `future` until `deadline`; past it the future is dropped (which unwinds the plugin's
/// suspended stack: wasmtime resumes the fiber with an error, so the plugin traps) and the result is
/// the trap of an epoch deadline, [`Trap::Interrupt`], as when the plugin's own code runs too long.
async fn until<T>(deadline: Option<Instant>, future: impl Future<Output = wasmtime::Result<T>>) -> wasmtime::Result<T> {
    let Some(deadline) = deadline else { return future.await };
    match tokio::time::timeout_at(deadline.into(), future).await {
        Ok(result) => result,
        Err(_) => Err(wasmtime::Error::new(Trap::Interrupt)
            .context("the time limit passed while the plugin was suspended (in a WASI call or at an epoch yield)")),
    }
}

/// The engine settings of every [`Runner`] and of its compiler child ([`serve_compile`]): the two
/// must agree, or the child's code is refused (wasmtime checks the settings when loading it).
pub(crate) fn engine_config(options: EngineOptions) -> Config {
    let EngineOptions { fuel, windows } = options;
    let mut config = Config::new();
    if windows {
        wasm_memmap_host::windows::configure(&mut config);
    }
    // Plugins are synchronous: without the async machinery each host call costs about half.
    config.concurrency_support(false);
    // Epoch checks are cheap (a load and compare at loop heads and calls) and let any run have
    // a timeout without a second engine.
    config.epoch_interruption(true);
    config.consume_fuel(fuel);
    config
}

/// `builder` with the object-store grants and write regions of a run.
fn with_stores(
    mut builder: wasm_memmap_host::MemmapCtxBuilder,
    stores: &[StoreGrant],
    regions: &[WriteRegion],
) -> wasmtime::Result<wasm_memmap_host::MemmapCtxBuilder> {
    for store in stores {
        builder = builder
            .preopened_store(&store.url, store.name.as_deref(), store.perms)
            .map_err(|e| wasmtime::format_err!("cannot grant store {}: {e}", store.url))?;
    }
    for region in regions {
        builder = builder
            .write_region(&region.location, region.ranges.clone())
            .map_err(|e| wasmtime::format_err!("cannot restrict writes to {}: {e}", region.location))?;
    }
    Ok(builder)
}
