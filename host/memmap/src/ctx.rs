//! The per-plugin state of the host: granted directories, limits and counters.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use wasmtime_wasi::FsPerms;

use crate::backing::{Backing, WeakBacking};
use crate::error::{Error, GrantRefusal, Limit, quoted};
use crate::grants::Grant;
use crate::meter::Meter;
use crate::windows::WindowSupport;

/// What one plugin instance may use of the host through `memmap`. Hitting a limit gives the plugin a
/// `limit-exceeded` error, after which it can carry on (with smaller calls, or after dropping
/// handles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemmapLimits {
    /// The most bytes one `slice-read` or `slice-write` may move: the data sent or returned, and the
    /// bytes a write touches (a broadcast value fills its whole selection). Default 256 MiB: a read
    /// allocates its result twice (in the host, then in guest memory) and one host call cannot be
    /// interrupted, so a single call must not cover a whole large file; 256 MiB is far above the
    /// sizes that move data fastest (64 KiB to 8 MiB) and well under a 4 GiB wasm32 memory.
    pub max_transfer_bytes: u64,
    /// The most handles alive at once: `memmap` handles (maps and views) and `random` generators
    /// together. Default 10,000: each handle is a
    /// little host memory and each map a kernel mapping, of which a Linux process has 65,530 in all
    /// (`vm.max_map_count`) for everything it runs; wasmtime's own per-store cap is 100,000.
    pub max_handles: u64,
    /// The most maps (`open` and `create-npy`) alive at once, their views not counted. Default
    /// 256, as [`InstanceLimits::max_wasi_handles`](crate::InstanceLimits::max_wasi_handles): each
    /// map holds a host file descriptor for its whole life (plus one for its directory, from
    /// creating a file with `w+` until its first flush), and a Linux process has 1024 of them by
    /// default (`ulimit -n`) for the host and all its plugins, so the 10,000 handles of
    /// [`max_handles`](Self::max_handles) would run the host out of them. A map closed with
    /// `close` counts until its last handle (view) is dropped: its descriptor lives until then.
    pub max_open_maps: u64,
    /// The most bytes mapped at once. Default 64 GiB: mapped pages cost address space, not memory,
    /// until they are touched, but a `copy-on-write` map turns every page the plugin writes into
    /// anonymous host memory, which this caps.
    pub max_mapped_bytes: u64,
    /// The largest file a plugin may make through `memmap`: creating one with `w+`, or growing a
    /// short one with `r+` to fit its shape and offset. Default 1 TiB: such a file is sparse and
    /// costs no disk until written, but a plugin that then writes it all (or a typo such as a shape
    /// of `(10**9, 10**9)`) can fill a disk; set it to what the plugin's outputs need. Files written
    /// through WASI's own file calls are not counted.
    pub max_file_size_bytes: u64,
    /// The most bytes a plugin may add to files through `memmap` over its whole run, all files
    /// together: what each `w+` creation (its new size, less the size of the file it replaces),
    /// each `r+` growth (numpy's `fp.seek(bytes - 1); fp.write(b'\0')`) and each `create-npy` adds.
    /// Space given back (a file shrunk or removed through WASI) is not credited, so this bounds
    /// what `memmap` can make a plugin's outputs cost. Default 1 TiB, the same as
    /// [`max_file_size_bytes`](Self::max_file_size_bytes): without it a plugin could make any
    /// number of files of that size; with it, the largest file a plugin may make is also the
    /// most it may make in all. Files written through WASI's own file calls are not counted.
    /// Every chunk a Zarr array stores counts too, at its decoded size (before compression), each
    /// time it is stored: so this also bounds what a plugin writes to object stores.
    pub max_total_file_bytes: u64,
    /// The most bytes mapped copy-on-write (mode `c`) at once. Default 1 GiB: every page a plugin
    /// writes in such a map becomes private anonymous memory of the host (it can go to swap, never
    /// back to the file), which [`max_mapped_bytes`](Self::max_mapped_bytes) (address space) and
    /// the plugin's own memory limit do not bound; 1 GiB keeps it well under the memory of any
    /// machine that runs plugins, a 4 GiB laptop included. Raise it for plugins that change large
    /// files in memory; maps of mode `r`, `r+` and `w+` are not counted (their pages belong to the
    /// file and the kernel can always write them back and drop them).
    pub max_copy_on_write_bytes: u64,
    /// The most bytes of decoded Zarr chunks held in host memory at once, per plugin: all the
    /// Zarr arrays it has open (`open-zarr`, `create-zarr`) together, counted in
    /// [`MemmapStats::chunk_cache_bytes`]. Default 256 MiB. A Zarr array is read and written
    /// through a cache of whole decoded chunks, each reserved against this limit before it is
    /// loaded (the chunks a read loads ahead too): a chunk that does not fit is refused; an
    /// array's older chunks are dropped to make room (a changed one is stored first), except the
    /// chunks a mode `c` map changed, which exist nowhere else: they stay, and mode `c` maps that
    /// change more than this together are refused. Set it to at least a few chunks of each array
    /// the plugin uses at once.
    pub max_chunk_cache_bytes: u64,
}

impl MemmapLimits {
    /// The bytes of arguments besides element data one call may copy into the host on top of
    /// [`max_transfer_bytes`](Self::max_transfer_bytes) before wasmtime traps it (see
    /// [`hostcall_fuel`](Self::hostcall_fuel)). 16 MiB: valid arguments need a few kilobytes (a
    /// path under 4 KiB, an index list of at most 129 items of 56 bytes, 64 axes), and a plugin
    /// that sends an oversized list (100,000 indices are 5.6 MB) still gets numpy's typed error
    /// rather than a trap.
    pub const HOSTCALL_SLACK_BYTES: u64 = 16 << 20;

    /// The hostcall fuel a `Store` running a plugin under these limits should have
    /// ([`wasmtime::Store::set_hostcall_fuel`]): [`max_transfer_bytes`](Self::max_transfer_bytes)
    /// plus [`HOSTCALL_SLACK_BYTES`](Self::HOSTCALL_SLACK_BYTES) (saturating at `usize::MAX`).
    ///
    /// wasmtime copies a call's strings and lists into host memory before the host function runs,
    /// taking one unit of this fuel per byte it allocates, and traps the call ("too much data is
    /// being copied between the host and the guest") when the fuel runs out. Without this the
    /// bound is wasmtime's default of 128 MiB, which is below the default transfer limit (a
    /// 200 MiB `slice-write` would trap) and above anything a small limit allows. With it: a
    /// `slice-write` of up to `max_transfer_bytes` goes through, one a little larger gets the
    /// `limit-exceeded` error, and one more than the slack larger (or a string or
    /// list that large in any call, WASI's included) traps before the host allocates it.
    pub fn hostcall_fuel(&self) -> usize {
        usize::try_from(self.max_transfer_bytes.saturating_add(Self::HOSTCALL_SLACK_BYTES)).unwrap_or(usize::MAX)
    }
}

impl Default for MemmapLimits {
    fn default() -> Self {
        Self {
            max_transfer_bytes: 256 << 20,
            max_handles: 10_000,
            max_open_maps: 256,
            max_mapped_bytes: 64 << 30,
            max_file_size_bytes: 1 << 40,
            max_total_file_bytes: 1 << 40,
            max_copy_on_write_bytes: 1 << 30,
            max_chunk_cache_bytes: 256 << 20,
        }
    }
}

/// Builds a [`MemmapCtx`]: which directories a plugin may reach, the limits it runs under, and who
/// hears of its refused calls.
///
/// Like `wasmtime_wasi::WasiCtxBuilder`, a context starts with no authority at all: a plugin can
/// open no file until a directory is granted with [`preopened_dir`](Self::preopened_dir),
/// [`preopened`](Self::preopened) or [`preopened_dir_with_wasi`](Self::preopened_dir_with_wasi).
/// The methods take and return the builder by value, as `wasmtime_wasi_keyvalue`'s builder does.
///
/// # Examples
/// ```
/// use wasm_memmap_host::{FsPerms, MemmapCtxBuilder, MemmapLimits};
/// let data = tempfile::tempdir()?;
/// let ctx = MemmapCtxBuilder::new()
///     .preopened_dir(data.path(), "/data", FsPerms::ReadOnly)?
///     .limits(MemmapLimits { max_handles: 100, ..MemmapLimits::default() })
///     .on_error(|error| eprintln!("refused: {error}"))
///     .build();
/// # let _ = ctx;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Default)]
pub struct MemmapCtxBuilder {
    grants: Vec<Grant>,
    limits: MemmapLimits,
    deadline: Option<Instant>,
    fuel: Option<u64>,
    hooks: Vec<ErrorHook>,
    windows: Option<WindowSupport>,
    stores: crate::zarr::store::StoreGrants,
}

/// A function the host calls with every error it returns to the plugin (see
/// [`MemmapCtxBuilder::on_error`]).
pub type ErrorHook = Arc<dyn Fn(&mut Error) + Send + Sync>;

impl MemmapCtxBuilder {
    /// A builder with no grants (no authority), the default limits and no hooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets the plugin map files in the host directory `host_path`, which it names `guest_path`
    /// (`"."` for paths relative to it, or an absolute name such as `"/data"`), like
    /// `WasiCtxBuilder::preopened_dir` and `wasmtime run --dir HOST::GUEST`. With
    /// [`FsPerms::ReadOnly`] only modes `r` and `c` are allowed there (numpy's `np.memmap` modes;
    /// POSIX: the files are opened `O_RDONLY` and mapped `PROT_READ` or `MAP_PRIVATE`).
    ///
    /// The plugin reaches only what is beneath the directory: `..` past it, absolute names inside
    /// it and symbolic links leading out are refused (cap-std's `Dir`, `openat2` with
    /// `RESOLVE_BENEATH` where the kernel has it). This grants memmap only; a plugin that also
    /// reads or writes files through WASI needs the directory granted there too:
    /// [`preopened_dir_with_wasi`](Self::preopened_dir_with_wasi) does both.
    ///
    /// Needs ambient authority: any path this process can open.
    ///
    /// # Errors
    /// The error of opening `host_path` as a directory (it must exist and be readable).
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::{FsPerms, MemmapCtxBuilder};
    /// let dir = tempfile::tempdir()?;
    /// let ctx = MemmapCtxBuilder::new().preopened_dir(dir.path(), ".", FsPerms::ReadWrite)?.build();
    /// # let _ = ctx;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn preopened_dir(
        mut self,
        host_path: impl AsRef<Path>,
        guest_path: &str,
        perms: FsPerms,
    ) -> std::io::Result<Self> {
        self.grants.push(Grant::open(host_path.as_ref(), guest_path, perms)?);
        Ok(self)
    }

    /// Lets the plugin map files in `dir`, an already opened directory (the one the embedder
    /// checked): as [`Self::preopened_dir`] without opening a name again. The authority is the
    /// directory handle itself (cap-std's model): nothing outside it is reachable.
    pub fn preopened(mut self, dir: cap_std::fs::Dir, guest_path: &str, perms: FsPerms) -> Self {
        self.grants.push(Grant::from_dir(dir, guest_path, perms));
        self
    }

    /// Grants the host directory `host_path` under the name `guest_path` to both the plugin's WASI
    /// file calls (`wasi`, as `WasiCtxBuilder::preopened_dir` does) and its `memmap` calls (as
    /// [`preopened_dir`](Self::preopened_dir) does): one call for the usual case where a plugin
    /// reads and writes files through both, like `wasmtime run --dir HOST::GUEST`. The directory
    /// is opened once and WASI is given that same directory (by its `/proc/self/fd` name), so a
    /// directory renamed or replaced meanwhile cannot make the two grants differ.
    ///
    /// Needs ambient authority (any path this process can open) and a mounted `/proc` (Linux).
    ///
    /// # Errors
    /// The error of opening `host_path` as a directory; an error when `/proc/self/fd` does not
    /// name the opened directory (`/proc` not mounted); WASI's refusal of the directory.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::{FsPerms, MemmapCtxBuilder};
    /// use wasmtime_wasi::WasiCtxBuilder;
    ///
    /// let data = std::env::temp_dir();
    /// let mut wasi = WasiCtxBuilder::new();
    /// let memmap = MemmapCtxBuilder::new().preopened_dir_with_wasi(&mut wasi, &data, "/data", FsPerms::ReadOnly)?.build();
    /// let wasi = wasi.build();
    /// # let _ = (memmap, wasi);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn preopened_dir_with_wasi(
        self,
        wasi: &mut wasmtime_wasi::WasiCtxBuilder,
        host_path: impl AsRef<Path>,
        guest_path: &str,
        perms: FsPerms,
    ) -> std::io::Result<Self> {
        let host_path = host_path.as_ref();
        let dir = cap_std::fs::Dir::open_ambient_dir(host_path, cap_std::ambient_authority())?;
        self.preopened_with_wasi(wasi, dir, guest_path, perms)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot grant directory {}: {e}", host_path.display())))
    }

    /// Grants the already-opened directory `dir` to both the plugin's `memmap` calls (as
    /// [`Self::preopened`]) and its WASI file calls, as `guest_path` with `perms`: the one way a
    /// directory someone else opened (and checked) reaches both. WASI's builder takes a path, so it
    /// is given `/proc/self/fd/N`, which names this very directory while `dir` lives; that name is
    /// checked against `dir` first.
    ///
    /// Needs no ambient authority beyond the opened directory, and a mounted `/proc` (Linux).
    ///
    /// # Errors
    /// When `/proc/self/fd/N` does not name `dir` (`/proc` not mounted), or WASI refuses it.
    pub fn preopened_with_wasi(
        self,
        wasi: &mut wasmtime_wasi::WasiCtxBuilder,
        dir: cap_std::fs::Dir,
        guest_path: &str,
        perms: FsPerms,
    ) -> std::io::Result<Self> {
        use cap_std::fs::MetadataExt as _;
        use std::os::unix::fs::MetadataExt as _;
        let by_fd = std::path::PathBuf::from(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&dir)));
        let (ours, named) = (dir.dir_metadata()?, std::fs::metadata(&by_fd)?);
        if (ours.dev(), ours.ino()) != (named.dev(), named.ino()) {
            return Err(std::io::Error::other(format!(
                "{} does not name the opened directory (is /proc mounted?)",
                by_fd.display()
            )));
        }
        wasi.preopened_dir(&by_fd, guest_path, perms).map_err(std::io::Error::other)?;
        Ok(self.preopened(dir, guest_path, perms))
    }

    /// Sets the limits (default [`MemmapLimits::default`]): what one plugin may use of the host
    /// through `memmap`. Past one, the call gets numpy's `MemoryError` (WIT `limit-exceeded`) and
    /// [`Error::limit`] says which.
    pub fn limits(mut self, limits: MemmapLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Stops the host's own work at `deadline`: see [`MemmapCtx::set_deadline`].
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Meters the host's own work with `fuel`: see [`MemmapCtx::set_fuel`].
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.fuel = Some(fuel);
        self
    }

    /// Calls `hook` with every error the host is about to return to the plugin (each `memmap` call
    /// that fails with the WIT `error`, numpy's exception), before the plugin sees it: for an
    /// embedder to see, count or log what its plugins are refused (a limit: [`Error::limit`]; a
    /// path outside the grants: [`Error::grant`]) and to add its own hint to what the plugin reads
    /// ([`Error::add_hint`]: how to raise the limit or grant the directory in the embedder's own
    /// terms). Hooks run in the order added, on the thread of the plugin's call; keep them short.
    ///
    /// Each error is also a `tracing` event of this crate: at `info` for a limit or grant refusal,
    /// at `debug` for the rest (numpy's own `IndexError`, `ValueError`...).
    ///
    /// Stops of the whole plugin (its time or fuel running out during a call) are traps, not
    /// errors it sees, and are not passed to the hook.
    ///
    /// # Examples
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use wasm_memmap_host::{Limit, MemmapCtxBuilder};
    ///
    /// let refused: Arc<Mutex<Vec<Limit>>> = Arc::default();
    /// let seen = Arc::clone(&refused);
    /// let ctx = MemmapCtxBuilder::new()
    ///     .on_error(move |error| {
    ///         if let Some(limit) = error.limit() {
    ///             seen.lock().unwrap().push(limit);
    ///             error.add_hint(format!("ask the operator to raise {limit}"));
    ///         }
    ///     })
    ///     .build();
    /// # let _ = ctx;
    /// ```
    pub fn on_error(mut self, hook: impl Fn(&mut Error) + Send + Sync + 'static) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Lets this plugin instance open zero-copy windows (the WIT's `window` interface), when the
    /// engine was set up for them with [`windows::configure`](crate::windows::configure) and
    /// `component` (the plugin's component) has exactly one linear memory; see
    /// [`crate::windows`]. Off by default: `window.plan` and `window.open` answer `unsupported`.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::MemmapCtxBuilder;
    /// let mut config = wasmtime::Config::new();
    /// wasm_memmap_host::windows::configure(&mut config);
    /// let engine = wasmtime::Engine::new(&config)?;
    /// let component = wasmtime::component::Component::new(&engine, wasm_memmap_guest_artifacts::DEMO)?;
    /// let ctx = MemmapCtxBuilder::new().windows(&component).build();
    /// # let _ = ctx;
    /// # Ok::<(), wasmtime::Error>(())
    /// ```
    pub fn windows(mut self, component: &wasmtime::component::Component) -> Self {
        self.windows = Some(WindowSupport::for_component(component));
        self
    }

    /// Lets the plugin open and create Zarr arrays beneath the object-store prefix `url`
    /// (`s3://bucket/prefix`), which it names `url` itself or, given `guest_name`, that name
    /// (`"/lake"`): the object-store counterpart of [`preopened_dir`](Self::preopened_dir) and the
    /// CLI's `--store URL[::NAME]`. Credentials, region and endpoint come from the host's
    /// environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`), never from the plugin. With
    /// [`FsPerms::ReadOnly`] only modes `r` and `c` are allowed there.
    ///
    /// # Errors
    /// A URL that is not `s3://bucket[/prefix]`, or a store that cannot be configured from the
    /// environment.
    pub fn preopened_store(mut self, url: &str, guest_name: Option<&str>, perms: FsPerms) -> Result<Self, Error> {
        self.stores.grant(url, guest_name, perms)?;
        Ok(self)
    }

    /// Lets the plugin write the Zarr array at `location` (as the plugin names it) only inside
    /// `region`, one range of indices per axis, like a Dask task given one block of an array.
    /// The region must fall on the array's chunk grid (checked when the plugin opens it), so two
    /// plugins with disjoint regions never write the same chunk. A write reaching outside is
    /// `access-denied`; reads are not restricted.
    ///
    /// # Errors
    /// An empty or reversed range.
    pub fn write_region(mut self, location: &str, region: Vec<std::ops::Range<u64>>) -> Result<Self, Error> {
        self.stores.restrict(location, region)?;
        Ok(self)
    }

    /// The context, ready to be put in a `Store`'s data (one per plugin instance).
    pub fn build(self) -> MemmapCtx {
        MemmapCtx {
            grants: self.grants,
            limits: self.limits,
            stats: Arc::new(MemmapStats::default()),
            maps: Vec::new(),
            deadline: self.deadline,
            fuel: self.fuel,
            hooks: self.hooks,
            lent: crate::lent::Lending::default(),
            windows: self.windows,
            stores: self.stores,
        }
    }
}

/// The state the `memmap` interface needs for one plugin instance: its grants, limits, counters,
/// deadline and host fuel. Keep one per `Store`, in its data beside the `ResourceTable`, and lend
/// both to the interface as a [`WasmMemmap`](crate::WasmMemmap).
pub struct MemmapCtx {
    pub(crate) grants: Vec<Grant>,
    pub(crate) limits: MemmapLimits,
    pub(crate) stats: Arc<MemmapStats>,
    /// Every mapping this plugin opened that may still live, for [`MemmapCtx::flush_all`].
    maps: Vec<WeakBacking>,
    /// When the host stops its own work in the plugin's calls (see [`MemmapCtx::set_deadline`]).
    deadline: Option<Instant>,
    /// Host fuel left (see [`MemmapCtx::set_fuel`]); `None`: not metered.
    pub(crate) fuel: Option<u64>,
    /// [`MemmapCtxBuilder::on_error`]'s hooks.
    hooks: Vec<ErrorHook>,
    /// The range a `read-bytes` lent to wasmtime's lowering, until the call hook ends it
    /// (see [`MemmapCtx::call_hook`]).
    pub(crate) lent: crate::lent::Lending,
    /// [`MemmapCtxBuilder::windows`]; `None`: windows are off.
    windows: Option<WindowSupport>,
    /// [`MemmapCtxBuilder::preopened_store`]'s prefixes and [`MemmapCtxBuilder::write_region`]'s regions.
    pub(crate) stores: crate::zarr::store::StoreGrants,
}

impl MemmapCtx {
    /// Same as [`MemmapCtxBuilder::new`].
    pub fn builder() -> MemmapCtxBuilder {
        MemmapCtxBuilder::new()
    }

    /// Flushes every mapping the plugin still holds, like calling `flush` on each (`msync`, and
    /// `fsync` of a file made or grown, see [`MemmapStats::file_syncs`]).
    ///
    /// Mappings flush themselves when their last handle is dropped, which happens when the `Store`
    /// is dropped, trap or not. This is for embedders who keep a `Store` alive after a trap and want
    /// the data on disk now. With a deadline ([`MemmapCtx::set_deadline`]) each mapping waits for
    /// the disk only until then, as [`MemmapCtx::flush_all_until`] does.
    ///
    /// # Errors
    /// The first `msync` or `fsync` failure; the other mappings are still flushed.
    pub fn flush_all(&mut self) -> std::io::Result<()> {
        self.maps.retain(WeakBacking::alive);
        let mut first_error = None;
        for map in self.maps.iter().filter_map(WeakBacking::upgrade) {
            if let Err(e) = map.flush() {
                tracing::error!(path = %map.path(), error = %e, "flush_all failed");
                first_error.get_or_insert(std::io::Error::other(e.to_string()));
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Like [`MemmapCtx::flush_all`], but waits for the disk only until `until`: each mapping is
    /// synced slice by slice (`msync(MS_SYNC)`, 32 MiB at a time) while time remains, and what is
    /// left then is handed to the kernel with `MS_ASYNC`, which writes it back from the page cache
    /// on its own (the data is safe from the host process ending, not yet from a power loss).
    /// Counted in [`MemmapStats::background_flushes`]. A Zarr array has no such background: its
    /// changed chunks are stored one by one while time remains, and those not stored by `until`
    /// are an error here (logged, naming how many and the first keys) and are lost when the array
    /// is dropped, counted in [`MemmapStats::zarr_chunks_lost`]. For tearing down a plugin that was stopped
    /// for running too long, whose last writes should not keep the host waiting for minutes.
    /// Every later flush of these mappings (the drops of the handles left in the table, and of
    /// the mappings) is bounded by `until` as well.
    ///
    /// # Errors
    /// The first `msync` failure; the other mappings are still flushed.
    pub fn flush_all_until(&mut self, until: Instant) -> std::io::Result<()> {
        self.maps.retain(WeakBacking::alive);
        let mut first_error = None;
        for map in self.maps.iter().filter_map(WeakBacking::upgrade) {
            if let Err(e) = map.flush_until(until) {
                tracing::error!(path = %map.path(), error = %e, "flush_all_until failed");
                first_error.get_or_insert(std::io::Error::other(e.to_string()));
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Counters of what this context's mappings did and what the plugin was refused; they stay
    /// readable after the `Store` is gone (shared through `Arc`).
    pub fn stats(&self) -> Arc<MemmapStats> {
        Arc::clone(&self.stats)
    }

    /// Stops the host's own work in the plugin's calls at `deadline` (`None`: never), as
    /// wasmtime's epoch deadline stops the plugin's code. A reduction, copy or fill looks at the
    /// clock every 1 MiB of charged work (and every 256 stretches of elements); once the
    /// deadline has passed, the call traps with [`wasmtime::Trap::Interrupt`], the trap of an
    /// epoch deadline. [`InstanceLimits::apply`](crate::InstanceLimits::apply) (and the
    /// `wasm-memmap-runner` crate's `Runner`) set it from
    /// [`InstanceLimits::timeout`](crate::InstanceLimits::timeout).
    ///
    /// The same deadline bounds the `msync` of the plugin's `flush` and `close` and of the drop of
    /// its handles: past it, the rest is handed to the kernel's write-back (`MS_ASYNC`), the
    /// mapping stays dirty for the teardown's [`MemmapCtx::flush_all_until`], and a call the
    /// plugin made traps.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
        self.maps.retain(WeakBacking::alive);
        for map in self.maps.iter().filter_map(WeakBacking::upgrade) {
            map.set_deadline(deadline);
        }
    }

    /// The deadline of [`MemmapCtx::set_deadline`].
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Meters the host's own work in the plugin's calls with `fuel` units (`None`: unmetered), at
    /// [`HOST_BYTES_PER_FUEL`](crate::HOST_BYTES_PER_FUEL) bytes read or written per unit plus one
    /// unit per stretch of elements. A call is charged for each stretch before it touches it; one the fuel
    /// left cannot pay for traps with [`wasmtime::Trap::OutOfFuel`], the trap of a plugin out of
    /// fuel. Deterministic, like wasmtime's fuel; kept apart from the `Store`'s fuel, which host
    /// calls cannot reach. [`InstanceLimits::apply`](crate::InstanceLimits::apply) (and the
    /// `wasm-memmap-runner` crate's `Runner`) set it to
    /// [`InstanceLimits::fuel`](crate::InstanceLimits::fuel), so a plugin may run that many
    /// instructions and have the host do that much work for it.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.fuel = fuel;
    }

    /// The host fuel left (see [`MemmapCtx::set_fuel`]).
    pub fn fuel(&self) -> Option<u64> {
        self.fuel
    }

    /// Tells the embedder of `error`, which is about to be returned to the plugin: a `tracing`
    /// event, a count in [`MemmapStats::limit_refusals`] or [`MemmapStats::grant_refusals`], then
    /// each [`MemmapCtxBuilder::on_error`] hook (which may add hints).
    pub(crate) fn report(&self, error: &mut Error) {
        let (code, limit, grant, message) = (error.code(), error.limit(), error.grant(), error.message());
        if limit.is_some() || grant.is_some() {
            tracing::info!(?code, ?limit, ?grant, reason = message, "memmap refused a plugin's call");
        } else {
            tracing::debug!(?code, reason = message, "memmap call failed");
        }
        self.stats.refused(error);
        for hook in &self.hooks {
            hook(error);
        }
    }

    /// `Err` with the `unsupported` message unless this plugin may open windows.
    pub(crate) fn windows_allowed(&self) -> Result<(), String> {
        match self.windows {
            Some(support) => support.check(),
            None => Err("windows are not enabled for this plugin (the host runs it without them): use read-bytes and write-bytes".to_owned()),
        }
    }

    /// A meter for one host call (see `meter.rs`).
    pub(crate) fn meter(&mut self) -> Meter<'_> {
        Meter::new(self.deadline, &mut self.fuel)
    }

    pub(crate) fn track(&mut self, map: &Backing) {
        self.maps.retain(WeakBacking::alive);
        self.maps.push(map.downgrade());
        map.set_deadline(self.deadline);
    }

    /// Checks that one more `memmap` handle fits under [`MemmapLimits::max_handles`].
    pub(crate) fn check_new_handle(&self) -> Result<(), Error> {
        self.check_new_handle_for("another memmap handle")
    }

    /// Checks that one more handle, described by `what` ("another random generator"), fits under
    /// [`MemmapLimits::max_handles`].
    pub(crate) fn check_new_handle_for(&self, what: &str) -> Result<(), Error> {
        let after = self.stats.live_handles().saturating_add(1);
        let max = self.limits.max_handles;
        if after > max {
            return Err(Error::limit_exceeded(
                Limit::Handles,
                format!(
                    "{what} would make {after} live handles, over the limit of {max}; drop handles you no longer need"
                ),
            ));
        }
        Ok(())
    }

    /// Checks that opening `path` as one more map fits under [`MemmapLimits::max_open_maps`];
    /// before the file is opened, so a refused open holds no descriptor even for a moment.
    pub(crate) fn check_new_open_map(&self, path: &str) -> Result<(), Error> {
        let after = self.stats.open_maps().saturating_add(1);
        let max = self.limits.max_open_maps;
        if after > max {
            return Err(Error::limit_exceeded(
                Limit::OpenMaps,
                format!(
                    "opening '{}' would make {after} maps open at once, over the limit of {max} (each holds a host file descriptor); drop maps you no longer need, and the views of maps you closed",
                    quoted(path)
                ),
            ));
        }
        Ok(())
    }

    /// Checks that mapping `bytes` more fits under [`MemmapLimits::max_mapped_bytes`].
    pub(crate) fn check_new_map(&self, bytes: u64) -> Result<(), Error> {
        let after = self.stats.mapped_bytes().saturating_add(bytes);
        let max = self.limits.max_mapped_bytes;
        if after > max {
            return Err(Error::limit_exceeded(
                Limit::MappedBytes,
                format!(
                    "mapping {bytes} more bytes would make {after} bytes mapped at once, over the limit of {max}; drop maps you no longer need or map a smaller part (shape and offset)"
                ),
            ));
        }
        Ok(())
    }

    /// Checks that mapping `bytes` more copy-on-write (mode `c`) fits under
    /// [`MemmapLimits::max_copy_on_write_bytes`].
    pub(crate) fn check_copy_on_write(&self, bytes: u64) -> Result<(), Error> {
        let after = self.stats.copy_on_write_bytes().saturating_add(bytes);
        let max = self.limits.max_copy_on_write_bytes;
        if after > max {
            return Err(Error::limit_exceeded(
                Limit::CopyOnWriteBytes,
                format!(
                    "mapping {bytes} more bytes copy-on-write (mode 'c') would make {after} bytes mapped copy-on-write at once, over the limit of {max}; pages written in such a map become host memory: map a smaller part, drop maps you no longer need, or use mode 'r' to only read"
                ),
            ));
        }
        Ok(())
    }

    /// Checks that adding `added` bytes to `path` (making it `size` bytes long, in mode `mode`)
    /// keeps the bytes this plugin has added to files under [`MemmapLimits::max_total_file_bytes`].
    pub(crate) fn check_total_file_bytes(&self, path: &str, added: u64, size: u64, mode: &str) -> Result<(), Error> {
        let after = self.stats.file_bytes_added().saturating_add(added);
        let max = self.limits.max_total_file_bytes;
        if after > max {
            return Err(Error::limit_exceeded(
                Limit::TotalFileBytes,
                format!(
                    "mode '{mode}' would make '{}' {size} bytes long, adding {added} bytes to the files this plugin made or grew, {after} bytes in total, over the limit of {max} bytes in total; map a smaller shape or write fewer files",
                    quoted(path)
                ),
            ));
        }
        Ok(())
    }

    /// Checks that making `path` `size` bytes long fits under
    /// [`MemmapLimits::max_file_size_bytes`]; `mode` is how it would be made (`w+` or `r+`).
    pub(crate) fn check_file_size(&self, path: &str, size: u64, mode: &str) -> Result<(), Error> {
        let max = self.limits.max_file_size_bytes;
        if size > max {
            return Err(Error::limit_exceeded(
                Limit::FileSizeBytes,
                format!(
                    "mode '{mode}' would make '{}' {size} bytes long, over the limit of {max} bytes per file; map a smaller shape",
                    quoted(path)
                ),
            ));
        }
        Ok(())
    }

    /// Checks one call's bytes against [`MemmapLimits::max_transfer_bytes`]; `what` is "a read" or
    /// "a write".
    pub(crate) fn check_transfer(&self, bytes: u64, what: &str) -> Result<(), Error> {
        let max = self.limits.max_transfer_bytes;
        if bytes > max {
            return Err(Error::limit_exceeded(
                Limit::TransferBytes,
                format!(
                    "{what} of {bytes} bytes is over the limit of {max} bytes per call; move the data in smaller selections"
                ),
            ));
        }
        Ok(())
    }
}

/// What a context's mappings did, counted as it happens. Shared (through `Arc`) with the mappings and
/// handles, so the counts stay right while they are flushed and unmapped as a `Store` is dropped.
#[derive(Debug, Default)]
pub struct MemmapStats {
    opened: AtomicU64,
    live: AtomicU64,
    open_maps: AtomicU64,
    handles: AtomicU64,
    mapped_bytes: AtomicU64,
    flushes: AtomicU64,
    flush_failures: AtomicU64,
    file_syncs: AtomicU64,
    dir_syncs: AtomicU64,
    file_bytes_added: AtomicU64,
    copy_on_write_bytes: AtomicU64,
    background_flushes: AtomicU64,
    chunk_cache_bytes: AtomicU64,
    chunk_cache_peak: AtomicU64,
    zarr_chunks_lost: AtomicU64,
    wasi_opens_refused: AtomicU64,
    windows: AtomicU64,
    /// Per [`Limit`], in the order of [`Limit::ALL`].
    limit_refusals: [AtomicU64; Limit::ALL.len()],
    /// Per [`GrantRefusal`], in the order of [`GrantRefusal::ALL`].
    grant_refusals: [AtomicU64; GrantRefusal::ALL.len()],
}

impl MemmapStats {
    /// How many files were opened with `open`.
    pub fn opened(&self) -> u64 {
        self.opened.load(Ordering::Acquire)
    }

    /// How many mappings are alive now (a map and its views count once).
    pub fn live_maps(&self) -> u64 {
        self.live.load(Ordering::Acquire)
    }

    /// How many maps hold their file open now, counted against [`MemmapLimits::max_open_maps`]:
    /// as [`live_maps`](Self::live_maps), and also the maps closed with `close` whose views are
    /// still alive (the file descriptor goes with the last handle).
    pub fn open_maps(&self) -> u64 {
        self.open_maps.load(Ordering::Acquire)
    }

    /// How many handles (`memmap` maps and views, and `random` generators) are alive now.
    pub fn live_handles(&self) -> u64 {
        self.handles.load(Ordering::Acquire)
    }

    /// How many bytes are mapped now.
    pub fn mapped_bytes(&self) -> u64 {
        self.mapped_bytes.load(Ordering::Acquire)
    }

    /// How many `msync` calls wrote changed data to a file, whether asked for by `flush` or made
    /// when a handle was dropped or the instance ended.
    pub fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Acquire)
    }

    /// How many `msync` (or `fsync`, see [`MemmapStats::file_syncs`]) calls failed. A failure at a `flush` the plugin called is reported to it;
    /// one when a handle is dropped or the instance ends can only be seen here (and in a `tracing`
    /// error event), and means data may not be on disk.
    pub fn flush_failures(&self) -> u64 {
        self.flush_failures.load(Ordering::Acquire)
    }

    /// How many `fsync` calls made a file's size and header durable: after `w+` or `create-npy`
    /// made it, or `r+` grew it, the next `flush` (or the drop of its last handle, or the end of
    /// the instance) syncs the file once, even when no element was written.
    pub fn file_syncs(&self) -> u64 {
        self.file_syncs.load(Ordering::Acquire)
    }

    /// How many `fsync` calls on a directory made a new file's name durable: a file `w+` or
    /// `create-npy` created is synced with its directory at the next `flush` (or drop), as POSIX
    /// needs for a new name to survive a power loss.
    pub fn dir_syncs(&self) -> u64 {
        self.dir_syncs.load(Ordering::Acquire)
    }

    /// How many bytes `memmap` has added to files over the run (`w+`, `r+` growth, `create-npy`,
    /// and every chunk a Zarr array stored, at its decoded size), counted against [`MemmapLimits::max_total_file_bytes`].
    pub fn file_bytes_added(&self) -> u64 {
        self.file_bytes_added.load(Ordering::Acquire)
    }

    /// How many bytes are mapped copy-on-write (mode `c`) now, counted against
    /// [`MemmapLimits::max_copy_on_write_bytes`].
    pub fn copy_on_write_bytes(&self) -> u64 {
        self.copy_on_write_bytes.load(Ordering::Acquire)
    }

    /// How many WASI `open-at` calls [`add_wasi_handle_limit`](crate::add_wasi_handle_limit)
    /// refused because the plugin held [`crate::InstanceLimits::max_wasi_handles`] WASI handles
    /// (the plugin saw `insufficient-memory`). Kept here, with the other counters of a run, so that it outlives
    /// the `Store`.
    pub fn wasi_opens_refused(&self) -> u64 {
        self.wasi_opens_refused.load(Ordering::Acquire)
    }

    /// How many of the plugin's calls `limit` refused (each an error the plugin received, with
    /// [`Error::limit`] `Some(limit)`): for an embedder to say after a run which limits the plugin
    /// hit, whether or not the plugin reported them.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::{Limit, MemmapCtx};
    /// let ctx = MemmapCtx::builder().build();
    /// assert_eq!(ctx.stats().limit_refusals(Limit::FileSizeBytes), 0);
    /// ```
    pub fn limit_refusals(&self, limit: Limit) -> u64 {
        self.limit_refusals[Self::limit_slot(limit)].load(Ordering::Acquire)
    }

    /// How many of the plugin's paths the grants refused for `why` (each an `access-denied` error
    /// the plugin received, with [`Error::grant`] `Some(why)`).
    pub fn grant_refusals(&self, why: GrantRefusal) -> u64 {
        self.grant_refusals[Self::grant_slot(why)].load(Ordering::Acquire)
    }

    fn limit_slot(limit: Limit) -> usize {
        Limit::ALL.iter().position(|&l| l == limit).unwrap_or(0)
    }

    fn grant_slot(why: GrantRefusal) -> usize {
        GrantRefusal::ALL.iter().position(|&g| g == why).unwrap_or(0)
    }

    pub(crate) fn refused(&self, error: &Error) {
        if let Some(limit) = error.limit() {
            self.limit_refusals[Self::limit_slot(limit)].fetch_add(1, Ordering::AcqRel);
        }
        if let Some(why) = error.grant() {
            self.grant_refusals[Self::grant_slot(why)].fetch_add(1, Ordering::AcqRel);
        }
    }

    pub(crate) fn wasi_open_refused(&self) {
        self.wasi_opens_refused.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn file_synced(&self) {
        self.file_syncs.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn dir_synced(&self) {
        self.dir_syncs.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn file_grown(&self, bytes: u64) {
        self.file_bytes_added.fetch_add(bytes, Ordering::AcqRel);
    }

    pub(crate) fn copy_on_write_mapped(&self, bytes: u64) {
        self.copy_on_write_bytes.fetch_add(bytes, Ordering::AcqRel);
    }

    pub(crate) fn copy_on_write_unmapped(&self, bytes: u64) {
        self.copy_on_write_bytes.fetch_sub(bytes, Ordering::AcqRel);
    }

    /// How many mappings [`MemmapCtx::flush_all_until`] could not finish syncing in time and left
    /// to the kernel to write back (`msync(MS_ASYNC)`): after a plugin stopped by a time or fuel
    /// limit, their last writes reach the disk shortly after the host has moved on.
    pub fn background_flushes(&self) -> u64 {
        self.background_flushes.load(Ordering::Acquire)
    }

    pub(crate) fn flushed_in_background(&self) {
        self.background_flushes.fetch_add(1, Ordering::AcqRel);
    }

    /// How many bytes of decoded Zarr chunks the plugin's arrays hold in host memory now (with
    /// those reserved for loads under way), counted against
    /// [`MemmapLimits::max_chunk_cache_bytes`].
    pub fn chunk_cache_bytes(&self) -> u64 {
        self.chunk_cache_bytes.load(Ordering::Acquire)
    }

    /// The most [`chunk_cache_bytes`](Self::chunk_cache_bytes) held at once over the run.
    pub fn chunk_cache_peak_bytes(&self) -> u64 {
        self.chunk_cache_peak.load(Ordering::Acquire)
    }

    /// How many changed chunks of Zarr arrays were dropped without being stored: the teardown (or
    /// the drop of the array's last handle) ran out of time before storing them, or the store
    /// failed. Unlike a file's pages, which the kernel still writes back
    /// ([`background_flushes`](Self::background_flushes)), these chunks are gone; each loss is
    /// also a `tracing` error event naming the array.
    pub fn zarr_chunks_lost(&self) -> u64 {
        self.zarr_chunks_lost.load(Ordering::Acquire)
    }

    /// Reserves `bytes` of decoded chunks under `max`. `Err(held)`: they do not fit beside the
    /// `held` bytes already reserved.
    pub(crate) fn reserve_chunk_cache(&self, bytes: u64, max: u64) -> Result<(), u64> {
        let held = self.chunk_cache_bytes.fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
            held.checked_add(bytes).filter(|&after| after <= max)
        })?;
        self.chunk_cache_peak.fetch_max(held.saturating_add(bytes), Ordering::AcqRel);
        Ok(())
    }

    pub(crate) fn release_chunk_cache(&self, bytes: u64) {
        // Never below zero, whatever the order of releases.
        let _ = self
            .chunk_cache_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| Some(held.saturating_sub(bytes)));
    }

    pub(crate) fn zarr_chunks_dropped(&self, chunks: u64) {
        self.zarr_chunks_lost.fetch_add(chunks, Ordering::AcqRel);
    }

    pub(crate) fn file_held(&self) {
        self.open_maps.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn file_released(&self) {
        self.open_maps.fetch_sub(1, Ordering::AcqRel);
    }

    pub(crate) fn map_opened(&self, bytes: usize) {
        self.opened.fetch_add(1, Ordering::AcqRel);
        self.live.fetch_add(1, Ordering::AcqRel);
        self.mapped_bytes.fetch_add(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::AcqRel);
    }

    pub(crate) fn map_closed(&self, bytes: usize) {
        self.live.fetch_sub(1, Ordering::AcqRel);
        self.mapped_bytes.fetch_sub(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::AcqRel);
    }

    /// How many zero-copy windows are open now (see [`crate::windows`]); each also counts as a
    /// handle ([`live_handles`](Self::live_handles)) and its bytes as mapped
    /// ([`mapped_bytes`](Self::mapped_bytes)).
    pub fn live_windows(&self) -> u64 {
        self.windows.load(Ordering::Acquire)
    }

    pub(crate) fn window_opened(&self, bytes: u64) {
        self.windows.fetch_add(1, Ordering::AcqRel);
        self.mapped_bytes.fetch_add(bytes, Ordering::AcqRel);
    }

    pub(crate) fn window_closed(&self, bytes: u64) {
        self.windows.fetch_sub(1, Ordering::AcqRel);
        self.mapped_bytes.fetch_sub(bytes, Ordering::AcqRel);
    }

    pub(crate) fn handle_opened(&self) {
        self.handles.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn handle_closed(&self) {
        self.handles.fetch_sub(1, Ordering::AcqRel);
    }

    pub(crate) fn flushed(&self) {
        self.flushes.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn flush_failed(&self) {
        self.flush_failures.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::ErrorCode;

    /// A context whose every limit is 1 (0 for the handle and map counts, so that one more is over).
    fn tight() -> MemmapCtx {
        let limits = MemmapLimits {
            max_transfer_bytes: 1,
            max_handles: 0,
            max_open_maps: 0,
            max_mapped_bytes: 1,
            max_file_size_bytes: 1,
            max_total_file_bytes: 1,
            max_copy_on_write_bytes: 1,
            max_chunk_cache_bytes: 1,
        };
        MemmapCtxBuilder::new().limits(limits).build()
    }

    /// Each check names the limit that refused it, one per `MemmapLimits` field, and the
    /// refusal's code is numpy's `MemoryError` (`limit-exceeded`).
    #[test]
    fn every_limit_refusal_says_which_limit() {
        let ctx = tight();
        let refusals = [
            ctx.check_transfer(2, "a read"),
            ctx.check_new_handle(),
            ctx.check_new_open_map("x"),
            ctx.check_new_map(2),
            ctx.check_file_size("x", 2, "w+"),
            ctx.check_total_file_bytes("x", 2, 2, "w+"),
            ctx.check_copy_on_write(2),
        ];
        let limits: Vec<Option<Limit>> = refusals.iter().map(|r| r.as_ref().expect_err("over").limit()).collect();
        // The chunk cache's limit is applied by each Zarr array (see `zarr/array.rs`' tests).
        let by_context: Vec<Option<Limit>> =
            Limit::ALL.into_iter().filter(|&l| l != Limit::ChunkCacheBytes).map(Some).collect();
        assert_eq!(limits, by_context);
        for refusal in refusals {
            assert_eq!(refusal.expect_err("over").code(), ErrorCode::LimitExceeded);
        }
        // The field each names holds the value the message quotes.
        for limit in Limit::ALL {
            assert!(limit.value(&ctx.limits) <= 1, "{limit}");
        }
    }

    /// The library's refusals name no setting of any embedder (no command-line flag).
    #[test]
    fn limit_messages_name_no_flag() {
        let ctx = tight();
        for err in
            [ctx.check_transfer(2, "a write").expect_err("over"), ctx.check_file_size("x", 2, "w+").expect_err("over")]
        {
            assert!(!err.message().contains("--"), "{}", err.message());
        }
    }

    /// Every hook sees the error in the order added and can add a hint, which the plugin reads
    /// after the message.
    #[test]
    fn hooks_see_every_error_and_add_hints() {
        type Seen = Mutex<Vec<(u8, Option<Limit>)>>;
        let seen: Arc<Seen> = Arc::default();
        let (first, second) = (Arc::clone(&seen), Arc::clone(&seen));
        let ctx = MemmapCtxBuilder::new()
            .limits(MemmapLimits { max_file_size_bytes: 10, ..MemmapLimits::default() })
            .on_error(move |e| {
                first.lock().expect("lock").push((1, e.limit()));
                if e.limit() == Some(Limit::FileSizeBytes) {
                    e.add_hint("raise max_file_size_bytes");
                }
            })
            .on_error(move |e| second.lock().expect("lock").push((2, e.limit())))
            .build();
        let mut err = ctx.check_file_size("big", 11, "w+").expect_err("over");
        ctx.report(&mut err);
        let mut other = Error::new(ErrorCode::IndexOutOfBounds, "index 5 is out of bounds for axis 0 with size 3");
        ctx.report(&mut other);
        assert_eq!(
            *seen.lock().expect("lock"),
            [(1, Some(Limit::FileSizeBytes)), (2, Some(Limit::FileSizeBytes)), (1, None), (2, None)]
        );
        assert_eq!(
            err.to_string(),
            "mode 'w+' would make 'big' 11 bytes long, over the limit of 10 bytes per file; map a smaller shape; raise max_file_size_bytes"
        );
        assert!(other.hints().is_empty());
        // Counted, for a report after the run.
        let stats = ctx.stats();
        assert_eq!(Limit::ALL.map(|l| stats.limit_refusals(l)), [0, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(GrantRefusal::ALL.map(|g| stats.grant_refusals(g)), [0, 0, 0]);
    }

    /// One call grants a directory to WASI and to `memmap` alike, under the same guest name.
    #[test]
    fn one_call_grants_a_directory_to_wasi_and_memmap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut wasi = wasmtime_wasi::WasiCtxBuilder::new();
        let ctx = MemmapCtxBuilder::new()
            .preopened_dir_with_wasi(&mut wasi, dir.path(), "/data", FsPerms::ReadOnly)
            .expect("grant")
            .build();
        let _wasi = wasi.build();
        let resolved = crate::grants::resolve(&ctx.grants, "/data/x").expect("granted");
        assert_eq!(resolved.rest, Path::new("x"));
        assert!(!resolved.grant.writable());
        let missing = MemmapCtxBuilder::new().preopened_dir_with_wasi(
            &mut wasmtime_wasi::WasiCtxBuilder::new(),
            dir.path().join("missing"),
            ".",
            FsPerms::ReadWrite,
        );
        assert_eq!(missing.err().map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
    }
}
