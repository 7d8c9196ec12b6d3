//! The limits of one plugin instance (memory, time, fuel, WASI handles), applicable to any
//! embedder's `Store`, and the typed reason a plugin was stopped by one of them.
//!
//! wasmtime offers each mechanism on its own (a `ResourceLimiter`, epoch interruption, fuel); an
//! embedder gets all four, wired the way the `memmap` interface expects (its own calls stop at the
//! same deadline and pay from the same fuel), with [`InstanceLimits::apply`] and
//! [`add_wasi_handle_limit`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasmtime::component::{Linker, ResourceTableError};
use wasmtime::{Engine, EngineWeak, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap, UpdateDeadline};
use wasmtime_wasi::WasiView;

use crate::wasi_handles::{WasiHandleBudget, limit_open_at};
use crate::{MemmapCtx, MemmapStats};

/// How often the epoch ticker advances wasmtime's epoch; the resolution of [`InstanceLimits::timeout`].
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How much memory and time one plugin instance may use. Running out of either cannot be reported
/// to the plugin as an error it carries on from: memory growth past the cap fails (`memory.grow`
/// returns -1, which a Rust plugin's allocator turns into an abort, so the instance traps), and time
/// or fuel running out traps the instance. The host stays usable for the next plugin, and every
/// mapping the plugin held is flushed as the instance is torn down. [`InstanceLimits::stop`] names
/// the limit that stopped a plugin.
///
/// An embedder applies them to its own `Store` with [`InstanceLimits::apply`] (and, for the WASI
/// handle limit, [`add_wasi_handle_limit`] on its linker); the runner of `wasm-memmap-runner` does
/// both for every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceLimits {
    /// The most bytes of linear memory the plugin may grow to. Default 4 GiB, the whole address
    /// space of a wasm32 plugin: by default a plugin may use what it could address anyway, as under
    /// `wasmtime run`; set it lower on a shared host. Memory a plugin reads from a map is copied into
    /// its linear memory, so this also caps the data it holds at once.
    pub max_memory_bytes: u64,
    /// Wall-clock time the plugin may run, enforced with wasmtime's epoch interruption at a
    /// granularity of [`EPOCH_TICK`], and also while it keeps the host busy in a `memmap` call (the
    /// host looks at the deadline between blocks). Default none: reducing a large file can
    /// legitimately take minutes, and only the embedder knows how long is too long.
    pub timeout: Option<Duration>,
    /// Fuel (about one unit per wasm instruction) the plugin may burn, a deterministic alternative
    /// to a timeout; the same amount again pays for the host's work in its `memmap` calls, at
    /// [`HOST_BYTES_PER_FUEL`](crate::HOST_BYTES_PER_FUEL) bytes a unit. Time spent waiting (a
    /// sleep) burns no fuel. Default none: fuel metering slows compiled code, so it needs an engine
    /// built with `Config::consume_fuel(true)`.
    pub fuel: Option<u64>,
    /// The most WASI handles the plugin may hold at once: open files and directories (the granted
    /// directories count, one each), and streams while it reads or writes. Opening past it gives
    /// the plugin an error, not a trap: WASI 0.2 has no "too many open files", so `open-at` returns
    /// `insufficient-memory` (`ENOMEM`; in a Rust plugin an `io::Error` of kind `OutOfMemory`),
    /// counted in [`MemmapStats::wasi_opens_refused`]. Default 256: each open file is a host file
    /// descriptor, and a Linux process has 1024 of them by default (`ulimit -n`) for the host and
    /// every plugin it runs; 256 is more than a plugin reading and writing a few files keeps open
    /// and leaves room for three more running beside it. `memmap` handles are bounded separately
    /// ([`MemmapLimits::max_handles`](crate::MemmapLimits::max_handles)).
    pub max_wasi_handles: u64,
}

impl Default for InstanceLimits {
    fn default() -> Self {
        Self { max_memory_bytes: 4 << 30, timeout: None, fuel: None, max_wasi_handles: 256 }
    }
}

/// Which limit stopped a plugin: the typed form of a trap that was a limit of [`InstanceLimits`]
/// rather than a fault of the plugin's own. Its message names the limit and its value in neutral
/// words; a command line adds the option that raises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// The plugin asked for more linear memory than [`InstanceLimits::max_memory_bytes`]; the
    /// growth failed and the plugin then trapped (a Rust plugin aborts on a failed allocation).
    Memory {
        /// The limit in bytes.
        limit: u64,
        /// The size in bytes the plugin asked its memory to grow to.
        requested: u64,
    },
    /// The plugin ran past [`InstanceLimits::timeout`] (wasmtime's `Trap::Interrupt`).
    Time {
        /// The limit.
        limit: Duration,
    },
    /// The plugin used up [`InstanceLimits::fuel`] (wasmtime's `Trap::OutOfFuel`).
    Fuel {
        /// The limit.
        limit: u64,
    },
    /// The store's resource table, which holds the plugin's WASI handles and its `memmap` handles,
    /// was full when WASI had to make one more (a stream, a directory listing).
    Handles {
        /// The limit on WASI's own handles ([`InstanceLimits::max_wasi_handles`]).
        limit: u64,
    },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Memory { limit, requested } => write!(
                f,
                "the plugin needed more memory than its limit of {limit} bytes and was stopped (it asked for {requested} bytes)"
            ),
            Self::Time { limit } => {
                write!(f, "the plugin ran longer than its time limit of {:.3} s and was stopped", limit.as_secs_f64())
            }
            Self::Fuel { limit } => write!(f, "the plugin used up its fuel of {limit} and was stopped"),
            Self::Handles { limit } => write!(
                f,
                "the plugin held as many handles as its limit of {limit} (WASI files, directories and streams, and memmap handles) and was stopped"
            ),
        }
    }
}

/// The limiter an instance's `Store` data keeps: wasmtime's [`StoreLimits`] for the memory cap,
/// remembering a growth it refused (so a trap that follows can be told apart from a panic), and the
/// WASI handle budget. Made by [`InstanceLimits::limiter`].
pub struct InstanceLimiter {
    memory: StoreLimits,
    max_memory_bytes: u64,
    /// The size of the first growth the memory cap refused.
    refused: Option<u64>,
    max_wasi_handles: u64,
    stats: Arc<MemmapStats>,
}

impl std::fmt::Debug for InstanceLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceLimiter")
            .field("max_memory_bytes", &self.max_memory_bytes)
            .field("refused", &self.refused)
            .field("max_wasi_handles", &self.max_wasi_handles)
            .finish_non_exhaustive()
    }
}

impl InstanceLimiter {
    /// The size in bytes of the first memory growth the cap refused in this instance, if any.
    pub fn refused_growth(&self) -> Option<u64> {
        self.refused
    }
}

impl ResourceLimiter for InstanceLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.memory.memory_growing(current, desired, maximum)?;
        let requested = u64::try_from(desired).unwrap_or(u64::MAX);
        if !allowed && requested > self.max_memory_bytes && self.refused.is_none() {
            self.refused = Some(requested);
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.memory.memory_grow_failed(error)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.memory.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.memory.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.memory.instances()
    }

    fn tables(&self) -> usize {
        self.memory.tables()
    }

    fn memories(&self) -> usize {
        self.memory.memories()
    }
}

/// A `Store`'s data that runs a plugin under [`InstanceLimits`]: where its [`InstanceLimiter`] and
/// its [`MemmapCtx`] are (the `memmap` calls stop at the same deadline and pay from the same fuel).
pub trait HasInstanceLimits {
    /// The limiter made by [`InstanceLimits::limiter`].
    fn instance_limiter(&self) -> &InstanceLimiter;
    /// The same, to be changed.
    fn instance_limiter_mut(&mut self) -> &mut InstanceLimiter;
    /// The plugin's `memmap` context.
    fn memmap_ctx_mut(&mut self) -> &mut MemmapCtx;
}

impl InstanceLimits {
    /// The limiter to keep in the `Store`'s data of an instance that gets `memmap` (refusals of WASI
    /// opens are counted in its [`MemmapCtx::stats`]).
    pub fn limiter(&self, memmap: &MemmapCtx) -> InstanceLimiter {
        InstanceLimiter {
            memory: StoreLimitsBuilder::new()
                .memory_size(usize::try_from(self.max_memory_bytes).unwrap_or(usize::MAX))
                .build(),
            max_memory_bytes: self.max_memory_bytes,
            refused: None,
            max_wasi_handles: self.max_wasi_handles,
            stats: memmap.stats(),
        }
    }

    /// Applies these limits to `store`, for a plugin called synchronously (`call_run`, not
    /// `call_run_async`): the memory cap (its limiter), the deadline (an epoch deadline checked
    /// every [`EPOCH_TICK`] by a ticker thread started for the engine, and the `memmap` context's
    /// own deadline) and the fuel (the store's and the `memmap` context's). Call it before
    /// instantiating. Returns the deadline, if any.
    ///
    /// The engine must be built with `Config::epoch_interruption(true)` for a timeout to stop the
    /// plugin's own code, and with `Config::consume_fuel(true)` for [`Self::fuel`]. On an engine
    /// that meters fuel, a store without a fuel limit gets all the fuel there is (wasmtime's default
    /// is none, which would stop the plugin at once).
    ///
    /// # Errors
    /// When a fuel limit is set and the engine does not meter fuel.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use wasm_memmap_host::{HasInstanceLimits, InstanceLimiter, InstanceLimits, MemmapCtx};
    /// use wasmtime::{Config, Engine, Store};
    ///
    /// struct Host {
    ///     memmap: MemmapCtx,
    ///     limiter: InstanceLimiter,
    /// }
    ///
    /// impl HasInstanceLimits for Host {
    ///     fn instance_limiter(&self) -> &InstanceLimiter {
    ///         &self.limiter
    ///     }
    ///     fn instance_limiter_mut(&mut self) -> &mut InstanceLimiter {
    ///         &mut self.limiter
    ///     }
    ///     fn memmap_ctx_mut(&mut self) -> &mut MemmapCtx {
    ///         &mut self.memmap
    ///     }
    /// }
    ///
    /// let engine = Engine::new(Config::new().epoch_interruption(true))?;
    /// let limits = InstanceLimits { max_memory_bytes: 64 << 20, timeout: Some(Duration::from_secs(5)), ..Default::default() };
    /// let memmap = MemmapCtx::builder().build();
    /// let limiter = limits.limiter(&memmap);
    /// let mut store = Store::new(&engine, Host { memmap, limiter });
    /// let deadline = limits.apply(&mut store)?;
    /// assert!(deadline.is_some());
    /// # Ok::<(), wasmtime::Error>(())
    /// ```
    pub fn apply<T: HasInstanceLimits + 'static>(&self, store: &mut Store<T>) -> wasmtime::Result<Option<Instant>> {
        self.apply_with(store, false)
    }

    /// As [`Self::apply`], for a plugin called with wasmtime's `*_async` methods (as WASI's async
    /// bindings need): at every [`EPOCH_TICK`] before the deadline the plugin's code yields to the
    /// executor, so timers and the embedder's own time-out get their turn. Since a suspended call
    /// may resume on another thread, `read-bytes` does not lend the mapping to wasmtime's lowering
    /// here (it copies twice, under its own guard; see [`MemmapCtx::call_hook`] and
    /// [`MemmapCtx::lend_across_yields`]).
    ///
    /// # Errors
    /// As [`Self::apply`].
    pub fn apply_async<T: HasInstanceLimits + 'static>(
        &self,
        store: &mut Store<T>,
    ) -> wasmtime::Result<Option<Instant>> {
        self.apply_with(store, true)
    }

    fn apply_with<T: HasInstanceLimits + 'static>(
        &self,
        store: &mut Store<T>,
        yields: bool,
    ) -> wasmtime::Result<Option<Instant>> {
        store.limiter(|data| data.instance_limiter_mut());
        // Lets `read-bytes` lend the mapping to wasmtime's lowering: one copy instead of two.
        store.call_hook(|mut store, kind| store.data_mut().memmap_ctx_mut().call_hook(kind));
        // The lowering guard is per-thread: a store that yields does not lend (see `Lending::yields`).
        store.data_mut().memmap_ctx_mut().lent.yields = yields;
        // A timeout too long to add to the clock is no timeout.
        let deadline = self.timeout.and_then(|timeout| Instant::now().checked_add(timeout));
        match deadline {
            Some(deadline) => {
                start_ticker(store.engine());
                // At every tick the plugin's code yields (or goes on) until the deadline, then traps
                // where it is.
                store.set_epoch_deadline(1);
                store.epoch_deadline_callback(move |_| {
                    Ok(if Instant::now() >= deadline {
                        UpdateDeadline::Interrupt
                    } else if yields {
                        UpdateDeadline::Yield(1)
                    } else {
                        UpdateDeadline::Continue(1)
                    })
                });
            }
            // Far enough that the ticker (if another store of the engine started it) never reaches it.
            None => store.set_epoch_deadline(u64::MAX / 2),
        }
        store.data_mut().memmap_ctx_mut().set_deadline(deadline);
        // `get_fuel` fails exactly when the engine does not meter fuel.
        let meters = store.get_fuel().is_ok();
        match (self.fuel, meters) {
            (Some(_), false) => wasmtime::bail!("a fuel limit needs an engine that meters fuel (Config::consume_fuel)"),
            (fuel, true) => {
                store.set_fuel(fuel.unwrap_or(u64::MAX))?;
                store.data_mut().memmap_ctx_mut().set_fuel(fuel);
            }
            (None, false) => {}
        }
        Ok(deadline)
    }

    /// Which of these limits stopped a plugin whose call ended with `error`, if one did; `limiter` is
    /// the instance's (it knows whether the memory cap refused a growth). `None` for a trap of the
    /// plugin's own (a panic, an out-of-bounds access) and for other errors.
    pub fn stop(&self, error: &wasmtime::Error, limiter: &InstanceLimiter) -> Option<Stop> {
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => return Some(Stop::Time { limit: self.timeout.unwrap_or_default() }),
            Some(Trap::OutOfFuel) => return Some(Stop::Fuel { limit: self.fuel.unwrap_or_default() }),
            // A Rust plugin's allocator aborts (`unreachable`) when the memory cap refuses a growth.
            Some(Trap::UnreachableCodeReached) => {
                if let Some(requested) = limiter.refused {
                    return Some(Stop::Memory { limit: self.max_memory_bytes, requested });
                }
            }
            _ => {}
        }
        if matches!(error.downcast_ref::<ResourceTableError>(), Some(ResourceTableError::Full)) {
            return Some(Stop::Handles { limit: self.max_wasi_handles });
        }
        None
    }
}

/// Limits the WASI handles (open files and directories, streams) a plugin holds to the limiter's
/// [`InstanceLimits::max_wasi_handles`]: `open-at` past it returns `insufficient-memory` instead of
/// opening, and the refusal is counted in [`MemmapStats::wasi_opens_refused`]. `linker` must already
/// hold wasmtime-wasi's async p2 bindings (`wasmtime_wasi::p2::add_to_linker_async`), whose
/// `open-at` this shadows.
///
/// # Errors
/// When the linker has no `wasi:filesystem/types` or refuses the definition.
pub fn add_wasi_handle_limit<T: WasiView + HasInstanceLimits + Send + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    limit_open_at(linker, budget::<T>)
}

fn budget<T: HasInstanceLimits>(data: &T) -> WasiHandleBudget {
    let limiter = data.instance_limiter();
    WasiHandleBudget { max: limiter.max_wasi_handles, stats: Arc::clone(&limiter.stats) }
}

/// The engines whose epoch a ticker thread advances.
static TICKED: Mutex<Vec<EngineWeak>> = Mutex::new(Vec::new());

/// Starts a thread that advances `engine`'s epoch every [`EPOCH_TICK`] until the engine is gone,
/// unless one already runs for it.
fn start_ticker(engine: &Engine) {
    let mut ticked = TICKED.lock().unwrap_or_else(PoisonError::into_inner);
    let mut running = false;
    ticked.retain(|weak| match weak.upgrade() {
        Some(other) => {
            running |= Engine::same(&other, engine);
            true
        }
        None => false,
    });
    if running {
        return;
    }
    let weak = engine.weak();
    let spawned = std::thread::Builder::new().name("wasm-memmap-epoch".into()).spawn({
        let weak = weak.clone();
        move || {
            loop {
                std::thread::sleep(EPOCH_TICK);
                match weak.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => return,
                }
            }
        }
    });
    match spawned {
        Ok(_) => ticked.push(weak),
        Err(e) => tracing::error!(error = %e, "cannot start the epoch ticker; time limits will not fire"),
    }
}
